import http from 'node:http';
import type { AddressInfo } from 'node:net';
import neo4j from 'neo4j-driver';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { Database } from '../../src/db/database';
import { silentLogger } from '../../src/logger';

/**
 * The GraphQL route without a database (`{ __typename }` needs none): the server hands /graphql to it
 * without express, and an embedder that mounts the express app reaches the same route. Both must
 * answer alike, with every step of the route (headers, ids, body limits, coded errors, the redirect).
 */
describe('the GraphQL route', () => {
  let app: App;
  let embedder: http.Server;
  let driver: ReturnType<typeof neo4j.driver>;
  const urls: Record<'server' | 'embedded', string> = { server: '', embedded: '' };

  beforeAll(async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      NEO4J_URI: 'bolt://127.0.0.1:9',
      ARMSGRAPH_BODY_LIMIT_BYTES: '2000',
      LOG_LEVEL: 'silent',
    });
    const logger = silentLogger();
    // Never connected: no query below reaches Neo4j.
    driver = neo4j.driver('bolt://127.0.0.1:9');
    const db = new Database(driver, { database: undefined, logger, debugCypher: false, timeoutMs: 1000 });
    app = await createApp({ config, db, logger });
    urls.server = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    embedder = http.createServer(app.app);
    await new Promise<void>((resolve) => embedder.listen(0, '127.0.0.1', () => resolve()));
    urls.embedded = `http://127.0.0.1:${(embedder.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    await new Promise((r) => embedder.close(r));
    await driver.close();
  });

  const post = (base: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it.each(['server', 'embedded'] as const)(
    'answers a query with every header of the route (%s)',
    async (via) => {
      const res = await post(urls[via], JSON.stringify({ query: '{ __typename }' }), {
        'x-request-id': 'abc-1',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
      expect(res.headers.get('x-request-id')).toBe('abc-1');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  );

  it.each(['server', 'embedded'] as const)(
    'refuses bad JSON and large bodies with their codes (%s)',
    async (via) => {
      const bad = await post(urls[via], '{"query": ');
      expect(bad.status).toBe(400);
      expect(
        ((await bad.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      ).toBe('BAD_USER_INPUT');
      const large = await post(urls[via], JSON.stringify({ query: `{ __typename } # ${'x'.repeat(3000)}` }));
      expect(large.status).toBe(413);
      expect(
        ((await large.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      ).toBe('PAYLOAD_TOO_LARGE');
    },
  );

  it('sends a browser to the IDE and runs a GET query for a client', async () => {
    const browser = await fetch(`${urls.server}/graphql`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect([browser.status, browser.headers.get('location')]).toEqual([302, '/graphiql']);
    const client = await fetch(`${urls.server}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(client.status).toBe(200);
    expect(await client.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('counts the requests it answered in /metrics under the /graphql route', async () => {
    await post(urls.server, JSON.stringify({ query: '{ __typename }' }));
    const text = await (await fetch(`${urls.server}/metrics`)).text();
    expect(text).toMatch(
      /armsgraph_http_requests_total\{method="POST",route="\/graphql",status="200"\} [1-9]/,
    );
    expect(text).toMatch(/armsgraph_graphql_operations_total\{type="query"\} [1-9]/);
  });
});
