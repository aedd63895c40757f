import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/logger';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../../src/neo4j/embedded';

/** Environment variables through which globalSetup tells the test files where the test Neo4j is. */
export const TEST_ENV = {
  uri: 'ARMSGRAPH_TEST_NEO4J_URI',
  password: 'ARMSGRAPH_TEST_NEO4J_PASSWORD',
  dataDir: 'ARMSGRAPH_TEST_NEO4J_DATA_DIR',
  port: 'ARMSGRAPH_TEST_NEO4J_PORT',
} as const;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throw-away embedded Neo4j sized for tests on this 2-core machine. */
export async function startTestNeo4j(
  dataDir?: string,
  boltPort?: number,
): Promise<EmbeddedNeo4j & { dataDir: string }> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-test-neo4j-'));
  const neo = await startEmbeddedNeo4j({
    dataDir: dir,
    boltPort: boltPort ?? (await freePort()),
    heap: '1g',
    pageCache: '256m',
    java: process.env.NEO4J_LOCAL_JAVA ?? 'java',
    // The same variable as the service's (src/config.ts): a busy shared machine may need longer.
    startTimeoutMs: Number(process.env.NEO4J_LOCAL_START_TIMEOUT_MS) || 180_000,
    logger: silentLogger(),
  });
  return { ...neo, dataDir: dir };
}
