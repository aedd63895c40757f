import { startTestServer, type TestServer } from '../helpers/test-app';
import { codeOf } from '../helpers/write-helpers';

// Each limit answers with its own code; the rate limit is set low here so the test can reach it.
let server: TestServer;
// The rate window opens at this file's first request.
let firstRequestBefore = 0;
beforeAll(async () => {
  firstRequestBefore = Date.now();
  server = await startTestServer({
    ARMSGRAPH_RATE_LIMIT: '40',
    ARMSGRAPH_RATE_WINDOW_MS: '60000',
    ARMSGRAPH_BODY_LIMIT_BYTES: '4096',
    ARMSGRAPH_MAX_DEPTH: '5',
    ARMSGRAPH_MAX_ALIASES: '5',
    ARMSGRAPH_MAX_BATCH: '3',
  });
});
afterAll(async () => {
  await server?.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('limits', () => {
  it('refuses deep, aliased and costly queries with QUERY_TOO_COMPLEX (400) before any Cypher runs', async () => {
    const before = server.db.statements;
    const deep = await server.gql(
      '{ country(id: "TUR") { purchases(first: 1) { buyer { ... on Country { purchases(first: 1) { seller { id } } } } } } }',
    );
    expect([deep.status, codeOf(deep.body), deep.body.errors?.[0]?.extensions?.limit]).toEqual([
      400,
      'QUERY_TOO_COMPLEX',
      'depth',
    ]);
    const aliases = await server.gql('{ a: version b: version c: version d: version e: version f: version }');
    expect([aliases.status, codeOf(aliases.body)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
    const costly = await server.gql('{ countries(first: 1000) { purchases(first: 500) { id } } }');
    expect(costly.body.errors?.[0]?.extensions?.limit).toBe('cost');
    expect(server.db.statements).toBe(before);
    expect(JSON.stringify([deep.body, aliases.body, costly.body])).not.toMatch(/stacktrace|at .*\.ts/);
  });

  it('caps page sizes with BAD_USER_INPUT', async () => {
    const res = await server.gql('{ deals(first: 501) { totalCount } }');
    expect(codeOf(res.body)).toBe('BAD_USER_INPUT');
  });

  it('runs batches up to the cap and refuses larger ones', async () => {
    const ok = await post([{ query: '{ version }' }, { query: '{ version }' }]);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(2);
    const tooMany = await post(Array.from({ length: 4 }, () => ({ query: '{ version }' })));
    const body = (await tooMany.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
    expect([tooMany.status, codeOf(body), body.errors?.[0]?.extensions?.limit]).toEqual([
      400,
      'QUERY_TOO_COMPLEX',
      'batch',
    ]);
  });

  it('refuses a body over the limit with PAYLOAD_TOO_LARGE (413)', async () => {
    const res = await post({ query: `{ version } # ${'x'.repeat(5000)}` });
    expect(res.status).toBe(413);
    expect(codeOf((await res.json()) as never)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps CSRF prevention on: a simple form post is refused', async () => {
    const res = await fetch(`${server.url}/graphql?query=%7Bversion%7D`, {
      method: 'GET',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(400);
  });

  it('gives every response a request id, and keeps a sane one the client sent', async () => {
    const mine = await post({ query: '{ version }' }, { 'x-request-id': 'trace-123' });
    expect(mine.headers.get('x-request-id')).toBe('trace-123');
    const bogus = await post({ query: '{ version }' }, { 'x-request-id': 'bad id\twith spaces' });
    expect(bogus.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Prometheus metrics: requests, latencies, errors by code, the Neo4j pool', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/armsgraph_http_requests_total\{method="POST",route="\/graphql",status="400"\} \d+/);
    expect(text).toMatch(/armsgraph_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/armsgraph_graphql_errors_total\{code="QUERY_TOO_COMPLEX"\} [1-9]/);
    expect(text).toMatch(/armsgraph_neo4j_pool_connections\{state="idle"\} \d+/);
    expect(text).toMatch(/armsgraph_neo4j_up 1/);
  });

  it('rate-limits a client with RATE_LIMITED (429) and Retry-After', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 60; i++) {
      last = await post({ query: '{ version }' });
      if (last.status === 429) break;
    }
    expect(last?.status).toBe(429);
    // The seconds left of the 60 s window, which opened at the file's first request: on a loaded
    // machine more than a second may have passed since.
    const retryAfter = Number(last?.headers.get('retry-after'));
    const elapsed = Math.ceil((Date.now() - firstRequestBefore) / 1000);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.max(1, 60 - elapsed));
    expect(codeOf((await last?.json()) as never)).toBe('RATE_LIMITED');
  });
});
