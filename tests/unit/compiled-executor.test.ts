import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, getOperationAST, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { badInput } from '../../src/errors';
import { compiledGateway } from '../../src/graphql/compiled-executor';
import { OperationCache } from '../../src/graphql/operation-cache';

const schema = makeExecutableSchema({
  typeDefs: `type Query { deal(id: ID!, first: Int): Deal, broken: Deal, count: Int! }
    type Deal { id: ID!, name: String!, year: Int }`,
  resolvers: {
    Query: {
      deal: (_: unknown, args: { id: string }, ctx: { calls: number }) => {
        ctx.calls++;
        if (args.id === 'bad') throw badInput('No such deal id.', { id: args.id });
        return { id: args.id, name: `deal ${args.id}`, year: 2001 };
      },
      // A non-null field resolved to null: graphql-js's error, whichever executor runs.
      broken: () => ({ id: 'x', name: null }),
      count: () => 3,
    },
  },
});

async function executorOf(s: GraphQLSchema, maxEntries = 10) {
  const cache = new OperationCache(maxEntries);
  const { gateway, stats } = compiledGateway(s, cache);
  let loaded: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => (loaded = apiSchema));
  const { executor } = await gateway.load({ apollo: {} });
  if (!executor) throw new Error('no executor');
  expect(loaded).toBe(s);
  const run = (
    query: string,
    variables: Record<string, unknown> = {},
    context = { calls: 0 },
    operationName?: string,
  ) => {
    const document = parse(query);
    // Only the fields the executor reads (Apollo's request context holds many more).
    const request = {
      request: { query, variables, operationName },
      document,
      operation: getOperationAST(document)!,
      operationName: null,
      queryHash: query,
      source: query,
      context,
    } as unknown as Parameters<typeof executor>[0];
    return executor(request);
  };
  return { run, stats, cache };
}

const plain = (r: ExecutionResult) => JSON.parse(JSON.stringify(r)) as unknown;
const interpreted = async (query: string, variables: Record<string, unknown> = {}) =>
  plain(
    await execute({ schema, document: parse(query), variableValues: variables, contextValue: { calls: 0 } }),
  );

describe('compiled executor (graphql-jit behind Apollo)', () => {
  it('compiles a document once and answers as graphql-js does', async () => {
    const { run, stats, cache } = await executorOf(schema);
    const query = 'query($id: ID!) { deal(id: $id) { id name year } count }';
    for (const id of ['a', 'b'])
      expect(plain(await run(query, { id }))).toEqual(await interpreted(query, { id }));
    expect(stats()).toEqual({ compiled: 2, interpreted: 0 });
    expect(cache.stats().entries).toBe(1);
  });

  it('refuses bad variables with graphql-js errors, which Apollo reads as BAD_USER_INPUT', async () => {
    const { run } = await executorOf(schema);
    const query = 'query($id: ID!, $n: Int) { deal(id: $id, first: $n) { id } }';
    for (const variables of [{}, { id: null }, { id: 'a', n: '' }, { id: [] }]) {
      const context = { calls: 0 };
      const result = await run(query, variables, context);
      expect(plain(result)).toEqual(await interpreted(query, variables));
      // Apollo tells a variable's refusal from other errors by the node the error points at.
      expect(result.errors?.[0]?.nodes?.[0]?.kind).toBe('VariableDefinition');
      expect(context.calls).toBe(0);
    }
  });

  it("keeps a resolver's coded error and graphql-js's non-null violation", async () => {
    const { run } = await executorOf(schema);
    for (const query of ['{ deal(id: "bad") { id } }', '{ broken { id name } }']) {
      const result = await run(query);
      expect(plain(result)).toEqual(await interpreted(query));
      expect(result.errors).toHaveLength(1);
    }
    expect((await run('{ deal(id: "bad") { id } }')).errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      id: 'bad',
    });
  });

  it("runs a document graphql-jit cannot compile on graphql-js's execute", async () => {
    const { run, stats, cache } = await executorOf(schema);
    // Apollo picks the operation first; unpicked, a name the document lacks is what graphql-jit refuses.
    const query = 'query A { count }';
    const expected = plain(
      await execute({ schema, document: parse(query), operationName: 'B', contextValue: { calls: 0 } }),
    );
    expect(plain(await run(query, {}, { calls: 0 }, 'B'))).toEqual(expected);
    await run(query, {}, { calls: 0 }, 'B');
    expect(stats()).toEqual({ compiled: 0, interpreted: 2 });
    expect(cache.stats().entries).toBe(1);
  });

  it('keeps compiled operations in the operation cache, at most maxEntries documents', async () => {
    const { run, cache } = await executorOf(schema, 2);
    for (const id of ['a', 'b', 'c']) await run(`{ deal(id: "${id}") { id } }`);
    expect(cache.stats().entries).toBe(2);
    // The newest document's operation holds its compiled program, beside where its limit walk goes.
    expect(cache.peek('{ deal(id: "c") { id } }', null)?.executable?.program).toHaveProperty('query');
  });
});
