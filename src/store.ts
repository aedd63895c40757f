import neo4j from 'neo4j-driver';
import type { Config } from './config';
import { ConfigError } from './config';
import { installBoltWriteCoalescing } from './db/bolt-writes';
import { applySchema } from './db/constraints';
import { Database } from './db/database';
import type { Logger } from './logger';
import {
  embeddedInUse,
  ensureEmbeddedNeo4j,
  startEmbeddedNeo4j,
  type EmbeddedNeo4j,
  type EmbeddedOptions,
} from './neo4j/embedded';

export interface Store {
  db: Database;
  embedded: EmbeddedNeo4j | undefined;
  close(): Promise<void>;
}

/**
 * Opens the graph store the configuration names: the Neo4j at NEO4J_URI, or the embedded one
 * (started here, or joined when another armsgraph process already runs it). Applies the schema.
 */
export async function openStore(
  config: Config,
  logger: Logger,
  /**
   * `bulkImport`: start the embedded Neo4j with Neo4j's offline import of these files first
   * (src/neo4j/embedded.ts); `buildRollups: false`: leave missing TIV rollups unbuilt (applySchema);
   * `shortLived`: a JVM started here stops with this command (EmbeddedOptions.shortLived).
   */
  opts: { bulkImport?: string; buildRollups?: boolean; shortLived?: boolean } = {},
): Promise<Store> {
  let embedded: EmbeddedNeo4j | undefined;
  let uri: string;
  let username: string;
  let password: string;
  if (config.neo4j.uri) {
    if (config.neo4j.password === undefined)
      throw new ConfigError('NEO4J_PASSWORD is required when NEO4J_URI is set');
    ({ uri } = config.neo4j);
    username = config.neo4j.username;
    password = config.neo4j.password;
  } else {
    const shortLived = opts.shortLived === true;
    embedded = opts.bulkImport
      ? await startBulkLoaded(config, logger, opts.bulkImport, shortLived)
      : await ensureEmbeddedNeo4j({ ...config.embedded, logger, shortLived });
    ({ uri, username, password } = embedded.connection);
  }
  // Each statement's Bolt chunks reach the socket in one write (src/db/bolt-writes.ts).
  if (!installBoltWriteCoalescing())
    logger.warn(
      'neo4j-driver has no Node channel where expected: statements are written in 1,400-byte writes',
    );
  const driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
    maxConnectionPoolSize: 100,
    connectionAcquisitionTimeout: 10_000,
    connectionTimeout: 5_000,
    // Fail fast while the database is away (requests answer DATABASE_UNAVAILABLE) instead of retrying for 30 s.
    maxTransactionRetryTime: config.neo4j.retryTimeMs,
    disableLosslessIntegers: false,
    logging: {
      level: 'warn',
      logger: (level, message) =>
        logger[level === 'error' ? 'error' : 'warn']({ source: 'neo4j-driver' }, message),
    },
  });
  const db = new Database(driver, {
    database: config.neo4j.database,
    logger,
    debugCypher: config.debugCypher,
    timeoutMs: config.neo4j.queryTimeoutMs,
  });
  try {
    await driver.verifyConnectivity({ database: config.neo4j.database });
    await applySchema(db, [], { buildRollups: opts.buildRollups });
  } catch (err) {
    await db.close();
    await embedded?.stop();
    const message = (err as Error).message;
    throw new ConfigError(`Could not reach Neo4j at ${uri}: ${message}`);
  }
  logger.info(
    { uri, database: config.neo4j.database ?? '(default)', embedded: Boolean(embedded) },
    'connected to Neo4j',
  );
  let closed = false;
  let current = embedded;
  if (embedded?.owned) {
    void supervise(
      embedded,
      { ...config.embedded, logger },
      () => closed,
      (next) => (current = next),
    );
  }
  return {
    db,
    get embedded() {
      return current;
    },
    async close() {
      closed = true;
      await db.close();
      await current?.stop();
    },
  };
}

/**
 * Starts the embedded Neo4j on a bulk import: only this process may own the data folder meanwhile, so a
 * folder another armsgraph process runs Neo4j on is refused (Neo4j's own file lock refuses any other).
 */
async function startBulkLoaded(
  config: Config,
  logger: Logger,
  argsFile: string,
  shortLived: boolean,
): Promise<EmbeddedNeo4j> {
  if (config.neo4j.uri)
    throw new ConfigError("A bulk load writes the embedded Neo4j's own folder: it cannot load NEO4J_URI");
  const busy = embeddedInUse(config.embedded.dataDir);
  if (busy)
    throw new ConfigError(
      `The Neo4j data folder ${config.embedded.dataDir} is in use by another armsgraph process (pid ${busy.pid}): ` +
        'a bulk load needs the folder to itself. Stop that process (the service or another import), or import without --bulk.',
    );
  return startEmbeddedNeo4j({ ...config.embedded, logger, bulkImport: argsFile, shortLived });
}

/**
 * Restarts the embedded Neo4j if it dies under a running service. The driver keeps the same URI and
 * reconnects by itself; meanwhile requests fail with DATABASE_UNAVAILABLE and /readyz answers 503.
 */
async function supervise(
  neo: EmbeddedNeo4j,
  opts: EmbeddedOptions,
  isClosed: () => boolean,
  replace: (next: EmbeddedNeo4j) => void,
): Promise<void> {
  const code = await neo.crashed;
  if (isClosed()) return;
  opts.logger.error({ pid: neo.pid, code }, 'the embedded Neo4j exited unexpectedly; restarting it');
  for (let attempt = 1; !isClosed(); attempt++) {
    try {
      const next = await startEmbeddedNeo4j(opts);
      if (isClosed()) {
        await next.stop();
        return;
      }
      replace(next);
      return supervise(next, opts, isClosed, replace);
    } catch (err) {
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      opts.logger.error(
        { err: (err as Error).message, attempt, delay },
        'restarting the embedded Neo4j failed',
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
