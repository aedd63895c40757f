import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The checkout's top folder. Sources run both from src/ (ts-jest) and from dist/src/ (compiled),
 * so files such as schema.graphql and seed/ are found by walking up to our package.json.
 */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'armsgraph') {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`armsgraph's package.json was not found above ${__dirname}`);
    dir = parent;
  }
}
