import { createApp } from './app';
import type { Config } from './config';
import type { Logger } from './logger';
import { referenceImported } from './db/reference-writes';
import { importReference } from './import/reference/import-reference';
import { graphIsEmpty, seedGraph } from './seed/seeder';
import { openStore } from './store';

/**
 * `npm start` / `armsgraph serve`: opens the store (starting the embedded Neo4j when NEO4J_URI is unset),
 * seeds an empty database, listens, and shuts everything down on SIGINT/SIGTERM.
 */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const started = Date.now();
  const store = await openStore(config, logger);
  if (await graphIsEmpty(store.db)) {
    const report = await seedGraph(store.db);
    logger.info(report, 'seeded the empty graph from seed/');
  }
  // Checked apart from the seed: a graph seeded (or imported) before reference data existed gets it too.
  if (!(await referenceImported(store.db))) {
    const reference = await importReference(store.db);
    logger.info(reference, 'imported the reference data from reference/');
  }
  const app = await createApp({ config, db: store.db, logger });
  let port: number;
  try {
    port = await app.listen(config.port, config.host);
  } catch (err) {
    // A port in use: stop what was started (the embedded Neo4j among it) before the CLI reports it.
    await app.close();
    await store.close();
    throw err;
  }
  logger.info(
    { port, ms: Date.now() - started },
    `armsgraph ready at http://localhost:${port}/graphql (explorer at /, GraphQL IDE at /graphiql)`,
  );

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.close();
      await store.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // If the embedded JVM dies under us, the driver keeps retrying and /readyz reports it; the JVM
  // itself exits when we do, because it watches its stdin (see neo4j/src/main/java/armsgraph/Launcher.java).
}
