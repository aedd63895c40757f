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

/**
 * For a Neo4j a test file starts, kills and restarts within minutes (faults.int, lifecycle.int): the
 * JIT's first tier only. On two loaded cores the C2 compiler threads compete with start-up: a start
 * took 69-71 s with the default and 25-26 s with this (load 10-12). The run's shared Neo4j, which
 * answers every file for many minutes, keeps the default. JDK_JAVA_OPTIONS is read by the java
 * launcher itself, so it also reaches the JVM a spawned `armsgraph serve` starts.
 */
export const SHORT_LIVED_JVM = { JDK_JAVA_OPTIONS: '-XX:TieredStopAtLevel=1' } as const;

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
