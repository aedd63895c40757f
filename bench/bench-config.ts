import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config';
import { freePort } from './free-port';

/**
 * The config a benchmark runs the service with: its own embedded Neo4j in a fresh temporary folder on
 * a free port, production mode, silent logs; `overrides` set the sizes and limits each bench needs.
 * The caller removes `dataDir` when done.
 */
export async function embeddedBenchConfig(
  name: string,
  overrides: Record<string, string>,
): Promise<{ config: Config; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `armsgraph-bench-${name}-`));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    NEO4J_URI: '',
    NEO4J_LOCAL_DATA_DIR: dataDir,
    NEO4J_LOCAL_BOLT_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  return { config, dataDir };
}
