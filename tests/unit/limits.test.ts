import { parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from 'graphql';
import { measureOperation } from '../../src/http/limits';
import { ArmsgraphError } from '../../src/errors';
import { loadTypeDefs } from '../../src/graphql/schema';
import { rekey } from '../../src/db/merge-writes';

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

describe('merge keys', () => {
  it('moves the merged id in a relationship key and nothing else', () => {
    expect(rekey('BUYER:deal-1:TRK:', 'TRK', 'TUR')).toBe('BUYER:deal-1:TUR:');
    expect(rekey('SANCTIONS:TRK:USA:TRK', 'TRK', 'TUR')).toBe('SANCTIONS:TUR:USA:TRK');
  });
});
