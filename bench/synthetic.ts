import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSipriRegister } from './generate-sipri';

/** Writes the deterministic synthetic register of `deals` deals (seed 1) to a temporary file. */
export async function syntheticRegister(deals: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bench-register-'));
  const out = path.join(dir, `synthetic-${deals}.csv`);
  await generateSipriRegister({ deals, seed: 1, out });
  return out;
}
