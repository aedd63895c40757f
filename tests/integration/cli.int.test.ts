import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testNeo4j } from '../helpers/test-app';

// The CLI as a user runs it (bin/armsgraph.js → dist), against the test Neo4j.
const bin = path.resolve(__dirname, '../../bin/armsgraph.js');

function run(args: string[], env: Record<string, string> = {}) {
  const { uri, password } = testNeo4j();
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: password, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('armsgraph CLI', () => {
  it('prints help for the tool and for each command', () => {
    const top = run(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/serve/);
    expect(top.stdout).toMatch(/seed/);
    const seed = run(['seed', '--help']);
    expect(seed.status).toBe(0);
    expect(seed.stdout).toMatch(/--dir/);
  });

  it('exits 2 on an unknown command', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
  });

  it('seeds, and says what it wrote', () => {
    const r = run(['seed']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^seeded \d+ nodes and \d+ relationships from 9 files/);
  });

  it('exits 1 naming the file, entry and reason of a broken seed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-cli-seed-'));
    fs.writeFileSync(
      path.join(dir, 'countries.yaml'),
      'countries:\n  - id: turkey\n    name: Turkey\n    sources: [x]\n',
    );
    const r = run(['seed', '--dir', dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /nothing was written: countries.yaml: countries\[0\] \(turkey\) field id: must be an ISO 3166-1 alpha-3 code/,
    );
  });

  it('exits 3 with a clear message when the configuration is wrong', () => {
    const r = run(['seed'], { NEO4J_URI: 'http://localhost:7474' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/NEO4J_URI must start with bolt/);
  });
});
