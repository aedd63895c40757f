import { Command, CommanderError } from 'commander';
import 'dotenv/config';
import { registerExport } from './cli/export-command';
import { registerImport } from './cli/import-command';
import { registerSeed } from './cli/seed-command';
import { registerServe } from './cli/serve-command';
import { ConfigError } from './config';
import { ArmsgraphError } from './errors';
import { SeedError } from './seed/seed-plan';

/** Exit codes the CLI promises: scripts rely on them. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, CONFIG: 3, REJECTED_ROWS: 4 } as const;

function fail(err: unknown): never {
  if (err instanceof SeedError) {
    process.stderr.write(`armsgraph: the seed is broken, nothing was written: ${err.message}\n`);
    process.exit(EXIT.FAILED);
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`armsgraph: ${err.message}\n`);
    process.exit(EXIT.CONFIG);
  }
  if (err instanceof ArmsgraphError) {
    process.stderr.write(`armsgraph: ${err.code}: ${err.message}\n`);
    process.exit(EXIT.FAILED);
  }
  process.stderr.write(`armsgraph: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(EXIT.FAILED);
}

export function buildCli(): Command {
  const program = new Command('armsgraph')
    .description('A knowledge graph of international arms transfers: Neo4j + GraphQL')
    .exitOverride()
    .showHelpAfterError();

  // Each command lives in src/cli/<name>-command.ts.
  for (const register of [registerServe, registerSeed, registerImport, registerExport]) register(program);

  return program;
}

async function main(): Promise<void> {
  try {
    await buildCli().parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    fail(err);
  }
}

if (require.main === module || process.argv[1]?.endsWith('armsgraph.js')) void main();
