import { parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from 'graphql';
import { compileMeasure, measureOperation, runMeasure } from '../../src/http/limits';
import { ArmsgraphError } from '../../src/errors';
import { loadTypeDefs } from '../../src/graphql/schema';
import { rekey } from '../../src/db/graph-writer';

const schema = buildSchema(loadTypeDefs());
const limits = { maxDepth: 6, maxCost: 1000, maxAliases: 3 };

function measure(query: string, variables: Record<string, unknown> = {}) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (!op) throw new Error('no operation');
  return measureOperation(schema, doc, op, variables, limits);
}

function refusal(query: string, variables: Record<string, unknown> = {}) {
  try {
    measure(query, variables);
    return null;
  } catch (err) {
    return err instanceof ArmsgraphError ? [err.code, err.extensions.limit] : ['uncoded'];
  }
}

describe('query limits', () => {
  it('measures depth, aliases and cost, multiplying by page sizes', () => {
    expect(measure('{ country(id: "TUR") { id purchases(first: 5) { id } } }')).toEqual({
      depth: 3,
      aliases: 0,
      cost: 1 + 1 + 1 + 5,
    });
    expect(measure('query($n: Int) { deals(first: $n) { edges { node { id } } } }', { n: 20 }).cost).toBe(
      1 + 20 + 20 + 20,
    );
  });

  it("counts a subgraph's nodes and edges as the page its `first` sets, not ten times over", () => {
    // neighborhood: 1, nodes and edges: first each, their fields: first each.
    expect(measure('{ neighborhood(id: "TUR", first: 50) { nodes { id name } edges { id } } }').cost).toBe(
      1 + 50 + 50 * 2 + 50 + 50,
    );
  });

  it('refuses each limit with QUERY_TOO_COMPLEX and names the limit', () => {
    expect(refusal('{ a: version b: version c: version d: version }')).toEqual([
      'QUERY_TOO_COMPLEX',
      'aliases',
    ]);
    expect(
      refusal(
        '{ country(id: "x") { purchases(first: 1) { buyer { ... on Country { purchases(first: 1) { seller { ... on Country { sales(first: 1) { id } } } } } } } } }',
      ),
    ).toEqual(['QUERY_TOO_COMPLEX', 'depth']);
    expect(refusal('{ deals(first: 500) { edges { node { sources { id name } } } } }')).toEqual([
      'QUERY_TOO_COMPLEX',
      'cost',
    ]);
    // Fragments count where they are spread.
    expect(
      refusal(
        'query { countries(first: 100) { ...F } } fragment F on Country { purchases(first: 100) { id } }',
      ),
    ).toEqual(['QUERY_TOO_COMPLEX', 'cost']);
  });

  it('lets the IDE introspect the schema', () => {
    const { getIntrospectionQuery } = jest.requireActual<typeof import('graphql')>('graphql');
    expect(refusal(getIntrospectionQuery())).toBeNull();
  });
});

describe('compiled limit walk', () => {
  const compile = (query: string) => {
    const doc = parse(query);
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    if (!op) throw new Error('no operation');
    return compileMeasure(schema, doc, op, limits);
  };
  const codeOf = (run: () => unknown) => {
    try {
      run();
      return null;
    } catch (err) {
      return err instanceof ArmsgraphError ? err.extensions.limit : 'uncoded';
    }
  };

  it("replays one compiled walk with each request's page sizes", () => {
    const query = 'query($n: Int, $m: Int) { countries(first: $n) { id purchases(first: $m) { id } } }';
    const program = compile(query);
    for (const variables of [{ n: 2, m: 3 }, { n: 5 }, {}, { n: 'x', m: -4 }, { n: 1e12, m: 1 }]) {
      const replayed = (() => {
        try {
          return runMeasure(program, variables, limits);
        } catch (err) {
          return (err as ArmsgraphError).extensions.limit;
        }
      })();
      const anew = (() => {
        try {
          return measure(query, variables);
        } catch (err) {
          return (err as ArmsgraphError).extensions.limit;
        }
      })();
      expect(replayed).toEqual(anew);
    }
    expect(runMeasure(program, { n: 2, m: 3 }, limits).cost).toBe(1 + 2 + 2 + 2 * 3);
    expect(codeOf(() => runMeasure(program, { n: 100, m: 100 }, limits))).toBe('cost');
    expect(runMeasure(program, { n: 1, m: 1 }, limits).cost).toBe(4);
  });

  it("adds a batch's earlier operations to the budget", () => {
    const program = compile('{ a: version b: version }');
    expect(runMeasure(program, {}, limits, { depth: 1, cost: 10, aliases: 1 })).toEqual({
      depth: 1,
      cost: 12,
      aliases: 3,
    });
    expect(codeOf(() => runMeasure(program, {}, limits, { depth: 1, cost: 10, aliases: 2 }))).toBe('aliases');
    expect(codeOf(() => runMeasure(program, {}, limits, { depth: 0, cost: 999, aliases: 0 }))).toBe('cost');
  });

  it('compiles a fragment bomb to at most maxCost + 1 fields, still refused for cost', () => {
    const bomb =
      'query($n: Int) { countries(first: $n) { ...Z } } ' +
      'fragment Z on Country { ...A ...A ...A ...A } fragment A on Country { ...B ...B ...B ...B } fragment B on Country { ...C ...C ...C ...C } ' +
      'fragment C on Country { ...D ...D ...D ...D } fragment D on Country { id name aliases ...E ...E } ' +
      'fragment E on Country { id name region subregion }';
    const program = compile(bomb);
    expect(program.truncated).toBe(true);
    expect(program.steps.length).toBe(limits.maxCost + 1);
    expect(codeOf(() => runMeasure(program, { n: 1 }, limits))).toBe('cost');
  });

  it('stops compiling where the depth limit is passed', () => {
    const program = compile(
      'query($n: Int) { country(id: "x") { purchases(first: $n) { buyer { ... on Country { purchases(first: 1) { seller { ... on Country { sales(first: 1) { id } } } } } } } } }',
    );
    expect(program.steps.at(-1)?.depthRefused).toBe(limits.maxDepth);
    expect(codeOf(() => runMeasure(program, { n: 1 }, limits))).toBe('depth');
  });
});

describe('merge keys', () => {
  it('moves the merged id in a relationship key and nothing else', () => {
    expect(rekey('BUYER:deal-1:TRK:', 'TRK', 'TUR')).toBe('BUYER:deal-1:TUR:');
    expect(rekey('SANCTIONS:TRK:USA:TRK', 'TRK', 'TUR')).toBe('SANCTIONS:TUR:USA:TRK');
  });
});
