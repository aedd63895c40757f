import neo4j from 'neo4j-driver';
import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { applySchema } from '../../src/db/constraints';
import { Database } from '../../src/db/database';
import { emptyGraph } from '../../src/db/graph-writer';
import { silentLogger } from '../../src/logger';
import { TEST_ENV } from './test-neo4j';

/** The config tests run with: the test Neo4j, silent logs, and whatever the test overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const { uri, password } = testNeo4j();
  // Test machines are shared and often loaded: a generous query deadline keeps a slow answer from
  // reading as a failure. Tests of the deadline itself set their own.
  return loadConfig({
    NODE_ENV: 'test',
    NEO4J_URI: uri,
    NEO4J_PASSWORD: password,
    ARMSGRAPH_QUERY_TIMEOUT_MS: '60000',
    ...overrides,
  });
}

export function testNeo4j(): { uri: string; password: string } {
  const uri = process.env[TEST_ENV.uri];
  const password = process.env[TEST_ENV.password];
  if (!uri || !password) {
    throw new Error(
      'No test Neo4j: integration tests (*.int.test.ts) need the Neo4j that jest globalSetup starts. ' +
        'Run them through `npm test` or `npx jest --selectProjects integration`.',
    );
  }
  return { uri, password };
}

export async function openTestDatabase(config: Config = testConfig()): Promise<Database> {
  const driver = neo4j.driver(
    config.neo4j.uri ?? '',
    neo4j.auth.basic(config.neo4j.username, config.neo4j.password ?? ''),
    {
      logging: { level: 'error', logger: () => undefined },
    },
  );
  const db = new Database(driver, {
    database: undefined,
    logger: silentLogger(),
    debugCypher: false,
    timeoutMs: 60_000,
  });
  await applySchema(db);
  return db;
}

/** Empties the test graph (the schema stays): see emptyGraph. */
export async function resetGraph(db: Database): Promise<void> {
  await emptyGraph(db);
}

export interface TestServer {
  url: string;
  db: Database;
  app: App;
  config: Config;
  /** POSTs a GraphQL request and returns the parsed body and status. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  }>;
  /** The data of a GraphQL request that must succeed (a test fails on any error). */
  data<T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/** The real service (createApp) listening on a free loopback port, over the test Neo4j. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const config = testConfig(overrides);
  const db = await openTestDatabase(config);
  const app = await createApp({ config, db, logger: silentLogger() });
  const port = await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const server: TestServer = {
    url,
    db,
    app,
    config,
    async gql(query, variables, headers) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async data<T>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) {
      const { body } = await server.gql<T>(query, variables, headers);
      expect(body.errors).toBeUndefined();
      return body.data as T;
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
  return server;
}
