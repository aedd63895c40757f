import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { applySchema } from '../src/db/constraints';
import { Database } from '../src/db/database';
import { silentLogger } from '../src/logger';
import { startEmbeddedNeo4j, type EmbeddedNeo4j } from '../src/neo4j/embedded';
import { seedGraph } from '../src/seed/seeder';
import { freePort } from './free-port';

/** A benchmark's own Neo4j: its JVM (whose memory the benchmark reads by pid) and a Database on it. */
export interface BenchNeo4j {
  neo: EmbeddedNeo4j;
  db: Database;
  dataDir: string;
  /** Closes the driver, stops the JVM and removes its data folder. */
  close(): Promise<void>;
}

/**
 * Starts an embedded Neo4j of its own (a fresh temporary folder, or `dataDir`, a folder the bench
 * loaded, which close() removes too; a free port) with the schema and the seed applied, for
 * benchmarks that measure Neo4j itself and the services beside it.
 */
export async function startBenchNeo4j(
  name: string,
  opts: { heap: string; pageCache: string; startTimeoutMs: number; queryTimeoutMs: number; dataDir?: string },
): Promise<BenchNeo4j> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `armsgraph-${name}-neo4j-`));
  const neo = await startEmbeddedNeo4j({
    dataDir,
    boltPort: await freePort(),
    heap: opts.heap,
    pageCache: opts.pageCache,
    java: process.env.NEO4J_LOCAL_JAVA ?? 'java',
    startTimeoutMs: opts.startTimeoutMs,
    logger: silentLogger(),
  });
  const driver = neo4j.driver(neo.connection.uri, neo4j.auth.basic('neo4j', neo.connection.password), {
    logging: { level: 'error', logger: () => undefined },
  });
  const db = new Database(driver, {
    database: undefined,
    logger: silentLogger(),
    debugCypher: false,
    timeoutMs: opts.queryTimeoutMs,
  });
  const close = async () => {
    await db.close();
    await neo.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await applySchema(db);
    await seedGraph(db);
  } catch (err) {
    await close();
    throw err;
  }
  return { neo, db, dataDir, close };
}
