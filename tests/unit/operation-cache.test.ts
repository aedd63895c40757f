import { buildSchema } from 'graphql';
import { runMeasure } from '../../src/http/limits';
import { OperationCache } from '../../src/graphql/operation-cache';
import { loadTypeDefs } from '../../src/graphql/schema';

const schema = buildSchema(loadTypeDefs());
const limits = { maxDepth: 6, maxCost: 1000, maxAliases: 3 };

describe('operation cache', () => {
  it('parses a document once, however often it is sent, and counts hits and misses', () => {
    const cache = new OperationCache(10);
    const text = 'query Lookup($id: ID!) { deal(id: $id) { id name } }';
    const first = cache.operation(text, null);
    const second = cache.operation(text, 'Lookup');
    const third = cache.operation(text, null);
    expect(first.document).toBeDefined();
    expect(second.document).toBe(first.document);
    expect(third).toBe(first);
    expect([first.name, first.kind]).toEqual(['Lookup', 'read']);
    expect(cache.stats()).toEqual({ hits: 2, misses: 1, entries: 1 });
  });

  it('compiles the limit walk once per operation and replays it per request', () => {
    const cache = new OperationCache(10);
    const text = 'query($n: Int) { countries(first: $n) { id } }';
    const op = cache.operation(text, null);
    const program = cache.measureProgram(op, schema, limits);
    expect(cache.measureProgram(cache.operation(text, null), schema, limits)).toBe(program);
    expect(runMeasure(program, { n: 3 }, limits).cost).toBe(1 + 3);
    expect(runMeasure(program, { n: 30 }, limits).cost).toBe(1 + 30);
  });

  it('picks the named operation of a document with several, and tells writes from reads', () => {
    const cache = new OperationCache(10);
    const text = 'query A { version } mutation B { __typename }';
    expect(cache.operation(text, 'A').kind).toBe('read');
    expect(cache.operation(text, 'B').kind).toBe('write');
    // A name the document does not hold resolves to no operation (Apollo refuses it).
    expect(cache.operation(text, 'C').operation).toBeUndefined();
    expect(cache.operation(text, null).operation).toBeUndefined();
  });

  it('keeps a text that does not parse as a miss with no document', () => {
    const cache = new OperationCache(10);
    const op = cache.operation('{ deal(id: ', null);
    expect([op.document, op.operation, op.kind]).toEqual([undefined, undefined, 'read']);
    expect(cache.operation('{ deal(id: ', null).document).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('is bounded: the least recently used document goes first', () => {
    const cache = new OperationCache(2);
    cache.operation('{ a: version }', null);
    cache.operation('{ b: version }', null);
    cache.operation('{ a: version }', null);
    cache.operation('{ c: version }', null);
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, entries: 2 });
    expect(cache.peek('{ b: version }', null)).toBeUndefined();
    expect(cache.peek('{ a: version }', null)).toBeDefined();
  });

  it('is bounded in bytes: a document larger than the whole budget is not kept', () => {
    const cache = new OperationCache(10, 4096);
    const big = `{ ${Array.from({ length: 400 }, (_, i) => `f${i}: version`).join(' ')} }`;
    cache.operation(big, null);
    cache.operation(big, null);
    expect(cache.stats()).toEqual({ hits: 0, misses: 2, entries: 0 });
  });
});
