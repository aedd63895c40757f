import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse } from 'graphql';
import { guardResolverValues } from '../../src/graphql/resolver-value-guard';

const typeDefs = `
  type Query { conflict(shape: String!): Conflict, entity(kind: String!): Entity }
  type Conflict { member: Country, supplier: Country, edges: [Edge!]! }
  type Edge { cursor: String!, node: Country }
  interface Entity { id: ID! }
  type Country implements Entity { id: ID!, name: String }
  type Alliance implements Entity { id: ID!, name: String, lead: Country }
`;

const country = { id: 'TUR', name: 'Turkey' };

/** Each shape is an object a resolver might return; only those with a promise or function are wrong. */
const shapes: Record<string, () => unknown> = {
  plain: () => ({ member: country, supplier: null, edges: [{ cursor: 'a', node: country }] }),
  promiseInField: () => ({ member: Promise.resolve(country), edges: [] }),
  promiseInNestedList: () => ({ edges: [{ cursor: 'a', node: Promise.resolve(country) }] }),
  functionInField: () => ({ member: () => country, edges: [] }),
  // A promise of the whole object is what resolvers are for: fine.
  wholePromise: () => Promise.resolve({ member: country, edges: [] }),
  // `supplier` has a resolver of its own below: a promise there is that resolver's input, not read as a value.
  promiseUnderResolver: () => ({ supplier: Promise.resolve(country), edges: [] }),
};

function schema() {
  return guardResolverValues(
    makeExecutableSchema({
      typeDefs,
      resolvers: {
        Query: {
          conflict: (_: unknown, { shape }: { shape: string }) => shapes[shape]!(),
          entity: (_: unknown, { kind }: { kind: string }) =>
            kind === 'typed'
              ? { __typename: 'Country', id: 'TUR', name: 'Turkey', lead: Promise.resolve(country) }
              : { id: 'NATO', name: 'NATO', lead: Promise.resolve(country) },
        },
        Conflict: { supplier: async (c: { supplier: unknown }) => (await c.supplier) ?? null },
        Entity: { __resolveType: (e: { __typename?: string }) => e.__typename ?? 'Alliance' },
      },
    }),
  );
}

async function run(query: string) {
  const result = await execute({ schema: schema(), document: parse(query) });
  return { data: result.data, messages: (result.errors ?? []).map((e) => e.message) };
}

const conflict = (shape: string) =>
  run(`{ conflict(shape: "${shape}") { member { id } supplier { id } edges { cursor node { id } } } }`);

describe('resolver value guard (graphql-jit reads resolver-less fields as plain values)', () => {
  it('passes plain values, a promise of the whole object, and a promise a field resolver takes', async () => {
    for (const shape of ['plain', 'wholePromise', 'promiseUnderResolver']) {
      const { messages } = await conflict(shape);
      expect({ shape, messages }).toEqual({ shape, messages: [] });
    }
    expect((await conflict('promiseUnderResolver')).data).toEqual({
      conflict: { member: null, supplier: { id: 'TUR' }, edges: [] },
    });
  });

  it('refuses a promise or a function in a resolver-less field, naming the resolver and the field', async () => {
    expect((await conflict('promiseInField')).messages).toEqual([
      expect.stringMatching(/^Query\.conflict returned an object whose Conflict\.member holds a promise/),
    ]);
    expect((await conflict('functionInField')).messages).toEqual([
      expect.stringMatching(/Conflict\.member holds a function/),
    ]);
  });

  it('follows lists and nested objects down to the next resolver', async () => {
    expect((await conflict('promiseInNestedList')).messages).toEqual([
      expect.stringMatching(
        /Query\.conflict → Conflict\.edges returned an object whose Edge\.node holds a promise/,
      ),
    ]);
  });

  it("checks an interface's value as the type it names, or as every type it could be", async () => {
    // A Country has no `lead` field, so its promise there is never read.
    expect((await run('{ entity(kind: "typed") { id } }')).messages).toEqual([]);
    // Without __typename it could be an Alliance, whose resolver-less `lead` would read the promise.
    expect((await run('{ entity(kind: "untyped") { id } }')).messages).toEqual([
      expect.stringMatching(/Alliance\.lead holds a promise/),
    ]);
  });
});
