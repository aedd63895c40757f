import { KeyRowsCache } from '../../src/export/key-cache';

describe('KeyRowsCache', () => {
  const nodeKeys = { cypher: 'MATCH (n) RETURN keys', params: {} };
  const selected = { cypher: 'MATCH (n) RETURN keys', params: { buyer: 'TUR' } };
  const rows = [['name', ['STRING NOT NULL']]];

  it('answers only for the state the rows were read in', () => {
    const cache = new KeyRowsCache();
    cache.set('FB:1', nodeKeys, rows);
    expect(cache.get('FB:1', nodeKeys)).toBe(rows);
    expect(cache.get('FB:2', nodeKeys)).toBeUndefined();
    expect(cache.get(null, nodeKeys)).toBeUndefined();
  });

  it('tells statements apart by their parameters', () => {
    const cache = new KeyRowsCache();
    cache.set('FB:1', nodeKeys, rows);
    expect(cache.get('FB:1', selected)).toBeUndefined();
  });

  it('drops every entry of an older state once a newer one is kept', () => {
    const cache = new KeyRowsCache();
    cache.set('FB:1', nodeKeys, rows);
    cache.set('FB:2', selected, rows);
    expect(cache.get('FB:1', nodeKeys)).toBeUndefined();
    expect(cache.get('FB:2', selected)).toBe(rows);
  });

  it('keeps nothing without a mark, and at most its size', () => {
    const cache = new KeyRowsCache(2);
    cache.set(null, nodeKeys, rows);
    expect(cache.get(null, nodeKeys)).toBeUndefined();
    for (let i = 0; i < 3; i++) cache.set('FB:1', { cypher: `Q${i}`, params: {} }, rows);
    expect(cache.get('FB:1', { cypher: 'Q0', params: {} })).toBeUndefined();
    expect(cache.get('FB:1', { cypher: 'Q2', params: {} })).toBe(rows);
  });
});
