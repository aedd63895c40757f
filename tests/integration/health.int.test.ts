import http from 'node:http';
import { ENTITY_LABELS } from '../../src/db/constraints';
import { startTestServer, type TestServer } from '../helpers/test-app';

describe('the service over HTTP, on the real Neo4j', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers { __typename } through POST /graphql', async () => {
    const { status, body } = await server.gql('{ __typename }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ __typename: 'Query' });
  });

  it('answers GET /graphql with a query string', async () => {
    const res = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('reaches Neo4j and back through a resolver', async () => {
    await server.db.write("MERGE (c:Country:Entity {id: 'ZZH'}) SET c.name = 'Healthland', c.aliases = []");
    const { body } = await server.gql(
      '{ node(id: "ZZH") { __typename id name } missing: node(id: "ZZQ") { id } }',
    );
    expect(body.data).toEqual({
      node: { __typename: 'Country', id: 'ZZH', name: 'Healthland' },
      missing: null,
    });
    await server.db.write("MATCH (c:Country {id: 'ZZH'}) DETACH DELETE c");
  });

  it('says alive on /healthz and ready on /readyz while Neo4j answers', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', neo4j: 'up' });
  });

  it('keeps an idle keep-alive connection open longer than clients and proxies do (60 s)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ socket: unknown; keepAlive: string }>((resolve, reject) => {
        const req = http.get(`${server.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ socket: req.socket, keepAlive: String(res.headers['keep-alive']) }));
        });
        req.on('error', reject);
      });
    const first = await get();
    await new Promise((r) => setTimeout(r, 6_000)); // past Node's default of 5 s
    const second = await get();
    expect(first.keepAlive).toMatch(/timeout=65/);
    expect(second.socket).toBe(first.socket);
    agent.destroy();
  });

  it('answers malformed JSON with a coded error and no stack trace', async () => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toMatch(/at .*\.js:\d+/);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers an invalid query with GraphQL validation codes', async () => {
    const { status, body } = await server.gql('{ noSuchField }');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('has applied the uniqueness constraints on id for every entity label', async () => {
    const rows = await server.db.read(
      "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties",
    );
    const labels = rows.filter((r) => JSON.stringify(r.properties) === '["id"]').map((r) => r.label);
    expect(labels).toEqual(expect.arrayContaining([...ENTITY_LABELS]));
    expect(ENTITY_LABELS).toHaveLength(8);
  });
});
