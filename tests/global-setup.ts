import { startTestNeo4j, TEST_ENV } from './helpers/test-neo4j';
import type { EmbeddedNeo4j } from '../src/neo4j/embedded';

declare global {
  var __ARMSGRAPH_TEST_NEO4J__: (EmbeddedNeo4j & { dataDir: string }) | undefined;
}

export default async function globalSetup(): Promise<void> {
  const neo = await startTestNeo4j();
  globalThis.__ARMSGRAPH_TEST_NEO4J__ = neo;
  // Test workers are started after this and inherit the environment.
  process.env[TEST_ENV.uri] = neo.connection.uri;
  process.env[TEST_ENV.password] = neo.connection.password;
  process.env[TEST_ENV.dataDir] = neo.dataDir;
  process.env[TEST_ENV.port] = neo.connection.uri.split(':').pop();
}
