import type { Command } from 'commander';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { serve } from '../serve';
import { UsageError } from './exit-codes';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the GraphQL service (and the embedded Neo4j when NEO4J_URI is unset)')
    .option('-p, --port <port>', 'HTTP port (default: PORT or 4000)')
    .action(async (opts: { port?: string }) => {
      if (opts.port !== undefined && !/^\d{1,5}$/.test(opts.port))
        throw new UsageError(`--port must be a port number, got "${opts.port}"`);
      const config = loadConfig(opts.port ? { ...process.env, PORT: opts.port } : process.env);
      await serve(config, createLogger(config.logLevel));
    });
}
