import { Command, CommanderError } from 'commander';
import 'dotenv/config';
// After .env is read, before graphql-js and express load (see node-env.ts).
import './node-env';
import { EXIT, exitCodeOf, failureMessage } from './cli/exit-codes';
import { registerExport } from './cli/export-command';
import { registerImport } from './cli/import-command';
import { registerSeed } from './cli/seed-command';
import { registerServe } from './cli/serve-command';
import { packageVersion } from './config';

export function buildCli(): Command {
  const program = new Command('armsgraph')
    .description('A knowledge graph of international arms transfers: Neo4j + GraphQL')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--verbose', 'print the stack trace of a failure')
    .exitOverride()
    .showHelpAfterError("(run 'armsgraph --help' or 'armsgraph <command> --help' for usage)")
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} done, ${EXIT.FAILED} failed, ${EXIT.USAGE} bad options or arguments, ` +
        `${EXIT.ENVIRONMENT} configuration, Neo4j unreachable or busy, port in use, ` +
        `${EXIT.PARTIAL} import with rejected rows.\n`,
    );

  // Each command lives in src/cli/<name>-command.ts.
  for (const register of [registerServe, registerSeed, registerImport, registerExport]) register(program);

  return program;
}

/**
 * Runs the command line and exits with the code the README promises. Called by bin/armsgraph.js,
 * however npm starts it (npx, npm exec, a link named `armsgraph`, a global install).
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Commander has printed its own message (or the help, or the version) already.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || argv.includes('--verbose');
    process.stderr.write(`armsgraph: ${failureMessage(err)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exit(exitCodeOf(err));
  }
}

// `node dist/src/cli.js ...` (what older scripts and the export benchmark's baseline run) works too.
if (require.main === module) void main();
