import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openTestDatabase, resetGraph, testNeo4j } from '../helpers/test-app';

// `armsgraph import sipri` as a user runs it (bin/armsgraph.js → dist), against the test Neo4j.
const bin = path.resolve(__dirname, '../../bin/armsgraph.js');
const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'sipri', name);

function run(args: string[]) {
  const { uri, password } = testNeo4j();
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: password, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('armsgraph import sipri', () => {
  beforeAll(async () => {
    const db = await openTestDatabase();
    await resetGraph(db);
    await db.close();
  });

  it('explains itself', () => {
    const r = run(['import', 'sipri', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/SIPRI Arms Transfers Database/);
    expect(r.stdout).toMatch(/--batch-size/);
  });

  it('imports an export, prints a summary and exits 0', () => {
    const r = run(['import', 'sipri', fixture('variant-trailing-semicolon.csv')]);
    // Off a terminal, progress is a plain line every 10 s (a loaded machine may take that long).
    expect(r.stderr.replace(/^import: .*\n/gm, '')).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/current layout, utf-8, CRLF, trailing ;/);
    expect(r.stdout).toMatch(/rows read 30 = imported 30 \+ rejected 0/);
    expect(r.stdout).toMatch(/deals 17 .* deliveries 30/);
  });

  it('exits 4 and lists rejected rows with their line numbers', () => {
    const r = run(['import', 'sipri', fixture('rejected-rows.csv')]);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/rows read 8 = imported 2 \+ rejected 6/);
    expect(r.stdout).toMatch(/rejected line 15: supplier "Atlantis"/);
    expect(r.stdout).toMatch(/rejected line 20: deal 37743 already has a row for delivery year 2005/);
  });

  it('fails with a clear message on a file that is not an export', () => {
    const r = run(['import', 'sipri', path.resolve(__dirname, '../../package.json')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Not a SIPRI Arms Transfers Database export/);
  });
});
