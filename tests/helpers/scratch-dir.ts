import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

// Removed when the test file ends: a suite run hundreds of times must not fill the machine's /tmp.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temp folder, removed after the test file's last test. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `armsgraph-${prefix}-`));
  made.push(dir);
  return dir;
}

/** A copy of the project's seed with one file edited, to check how a broken seed is refused. */
export function editedSeed(file: string, edit: (text: string) => string): string {
  const seed = path.resolve(__dirname, '../../seed');
  const dir = scratchDir('seed');
  for (const f of fs.readdirSync(seed)) fs.copyFileSync(path.join(seed, f), path.join(dir, f));
  const target = path.join(dir, file);
  fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
  return dir;
}
