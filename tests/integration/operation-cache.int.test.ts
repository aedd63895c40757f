import { startTestServer, type TestServer } from '../helpers/test-app';
import { codeOf } from '../helpers/write-helpers';

// The operation cache: each distinct document parsed and its limit walk compiled once; what depends on
// a request's variables (page sizes) is still checked on every request.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    ARMSGRAPH_RATE_LIMIT: '0',
    ARMSGRAPH_MAX_ALIASES: '3',
    ARMSGRAPH_MAX_COST: '500',
    ARMSGRAPH_MAX_BATCH: '4',
  });
});
afterAll(async () => {
  await server?.close();
});

async function cacheCounts(): Promise<{ hits: number; misses: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    hits: read('armsgraph_operation_cache_hits_total'),
    misses: read('armsgraph_operation_cache_misses_total'),
  };
}

const postBatch = async (body: unknown) => {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('operation cache', () => {
  it('compiles a document sent twice once, and answers it the same both times', async () => {
    const before = await cacheCounts();
    const query = 'query CacheTwice { version sources { id } }';
    const first = await server.gql(query);
    const second = await server.gql(query);
    expect(first.status).toBe(200);
    expect(second).toEqual(first);
    const after = await cacheCounts();
    expect(after).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
  });

  it('refuses a document over a limit with the same code and answer on its second sending', async () => {
    for (const [query, limit] of [
      ['{ a: version b: version c: version d: version }', 'aliases'],
      ['{ countries(first: 200) { id purchases(first: 5) { id } } }', 'cost'],
    ] as const) {
      const before = await cacheCounts();
      const statements = server.db.statements;
      const first = await server.gql(query);
      const second = await server.gql(query);
      expect([first.status, codeOf(first.body), first.body.errors?.[0]?.extensions?.limit]).toEqual([
        400,
        'QUERY_TOO_COMPLEX',
        limit,
      ]);
      expect(second).toEqual(first);
      expect(server.db.statements).toBe(statements);
      expect(await cacheCounts()).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
    }
  });

  it('checks limits that depend on variables on every request, with the one compiled document', async () => {
    const query = 'query Page($n: Int) { countries(first: $n) { id purchases(first: 10) { id } } }';
    const before = await cacheCounts();
    const small = await server.gql(query, { n: 5 });
    const large = await server.gql(query, { n: 100 });
    const smallAgain = await server.gql(query, { n: 5 });
    const unset = await server.gql(query, {});
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
    expect([large.status, codeOf(large.body), large.body.errors?.[0]?.extensions?.limit]).toEqual([
      400,
      'QUERY_TOO_COMPLEX',
      'cost',
    ]);
    expect(smallAgain).toEqual(small);
    // countries(first:) defaults to 100 when the variable is not given: over the limit too.
    expect(codeOf(unset.body)).toBe('QUERY_TOO_COMPLEX');
    expect(await cacheCounts()).toEqual({ hits: before.hits + 3, misses: before.misses + 1 });
  });

  it("adds a batch's operations up with each one's own variables", async () => {
    const query = 'query Few($n: Int) { countries(first: $n) { id } }';
    const fits = await postBatch([
      { query, variables: { n: 100 } },
      { query, variables: { n: 100 } },
    ]);
    expect(fits.status).toBe(200);
    const over = await postBatch([
      { query, variables: { n: 300 } },
      { query, variables: { n: 300 } },
    ]);
    const body = over.body as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    expect([over.status, body.errors?.[0]?.extensions?.code, body.errors?.[0]?.extensions?.limit]).toEqual([
      400,
      'QUERY_TOO_COMPLEX',
      'cost',
    ]);
    expect(body.errors?.[0]?.message).toMatch(/counted over the whole batch/);
  });

  it("still refuses a document that does not parse, every time, with Apollo's own error", async () => {
    const first = await server.gql('{ version ');
    const second = await server.gql('{ version ');
    expect([first.status, codeOf(first.body)]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    expect(second).toEqual(first);
  });
});
