import type { Command } from 'commander';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { DEFAULT_SEED_DIR, seedGraph } from '../seed/seeder';
import { openStore } from '../store';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('validate the curated seed files and write them to the graph (idempotent, one transaction)')
    .option('--dir <folder>', 'seed folder', DEFAULT_SEED_DIR())
    .action(async (opts: { dir: string }) => {
      const config = loadConfig();
      const logger = createLogger(config.cliLogLevel);
      const store = await openStore(config, logger);
      try {
        const report = await seedGraph(store.db, opts.dir);
        process.stdout.write(
          `seeded ${report.nodes} nodes and ${report.relations} relationships from ${report.files.length} files ` +
            `(${report.nodesCreated} nodes and ${report.relationsCreated} relationships new)\n`,
        );
      } finally {
        await store.close();
      }
    });
}
