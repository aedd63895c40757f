import neo4j from 'neo4j-driver';
import { toPlain } from '../../src/db/mapper';

describe('toPlain', () => {
  it('turns safe Neo4j integers into numbers and unsafe ones into strings', () => {
    expect(toPlain(neo4j.int(2017))).toBe(2017);
    expect(toPlain(neo4j.int('9007199254740993'))).toBe('9007199254740993');
  });

  it('turns temporal values into ISO strings', () => {
    expect(toPlain(new neo4j.types.Date(2019, 7, 12))).toBe('2019-07-12');
  });

  it('converts nested lists and maps', () => {
    expect(
      toPlain({ years: [neo4j.int(2019), neo4j.int(2020)], value: { amount: 2.5e9, currency: 'USD' } }),
    ).toEqual({
      years: [2019, 2020],
      value: { amount: 2.5e9, currency: 'USD' },
    });
  });

  it('maps undefined to null', () => {
    expect(toPlain(undefined)).toBeNull();
  });
});
