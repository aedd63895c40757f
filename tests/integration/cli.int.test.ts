import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { scratchDir } from '../helpers/scratch-dir';
import { testNeo4j } from '../helpers/test-app';

// The CLI as a user runs it (bin/armsgraph.js → dist), against the test Neo4j.
const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin', 'armsgraph.js');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

function run(args: string[], env: Record<string, string> = {}, command = bin) {
  const { uri, password } = testNeo4j();
  const result = spawnSync(process.execPath, [command, ...args], {
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
    const dir = scratchDir('cli-seed');
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

  it('prints its version', () => {
    const r = run(['--version']);
    expect([r.status, r.stdout.trim()]).toEqual([0, version]);
  });

  it('runs through a link named armsgraph, as npm link, npx and a global install start it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-link-'));
    const link = path.join(dir, 'armsgraph');
    fs.symlinkSync(bin, link);
    try {
      const help = run(['--help'], {}, link);
      expect([help.status, /Commands:[\s\S]*export/.test(help.stdout)]).toEqual([0, true]);
      expect(run(['--version'], {}, link).stdout.trim()).toBe(version);
      const out = path.join(dir, 'deals.csv');
      const r = run(['export', '--format', 'deals.csv', '--out', out], {}, link);
      expect(r.status).toBe(0);
      expect(fs.readFileSync(out, 'utf8')).toMatch(/^\uFEFFdeal_id,/);
      expect(run(['export', '--format', 'pdf'], {}, link).status).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a value out of range, with one line and no stack trace', () => {
    for (const args of [
      ['export', '--format', 'graphml', '--around', 'TUR', '--depth', '7'],
      ['export', '--format', 'graphml', '--around', 'TUR', '--depth', 'x'],
      ['import', 'sipri', 'x.csv', '--batch-size', '0'],
      ['serve', '--port', 'eighty'],
    ]) {
      const r = run(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('exits 3 when Neo4j is unreachable, and shows the stack only with --verbose', () => {
    const env = { NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_PASSWORD: 'x' };
    const r = run(['seed'], env);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^armsgraph: Could not reach Neo4j at bolt:\/\/127.0.0.1:1/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const verbose = run(['seed', '--verbose'], env);
    expect(verbose.status).toBe(3);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('exits 3 naming the port when the HTTP port is in use', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const r = run(['serve', '--port', String(port)], { HOST: '127.0.0.1' });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`^armsgraph: port ${port} is already in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
