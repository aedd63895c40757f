import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDeals } from '../../src/db/deal-queries';
import { neighborhood } from '../../src/db/subgraph-queries';
import type { Database } from '../../src/db/database';
import { seedGraph } from '../../src/seed/seeder';
import { readCsv, readGraphologyGexf } from '../helpers/export-readers';
import { openTestDatabase, resetGraph, testNeo4j } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

// `armsgraph export` as a user runs it (bin/armsgraph.js → dist), against the test Neo4j.
const bin = path.resolve(__dirname, '../../bin/armsgraph.js');

function run(args: string[]) {
  const { uri, password } = testNeo4j();
  const result = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: password, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('armsgraph export', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await openTestDatabase();
    await resetGraph(db);
    await seedGraph(db);
    await writeSyntheticDeals(db, 30);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-export-cli-'));
  });
  afterAll(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('explains itself', () => {
    const r = run(['export', '--help']);
    expect(r.status).toBe(0);
    for (const option of [
      '--format',
      '--out',
      '--buyer',
      '--ordered-from',
      '--around',
      '--depth',
      '--no-progress',
    ])
      expect(r.stdout).toContain(option);
    expect(run(['--help']).stdout).toMatch(/export/);
  });

  it('exits 2 on bad options, before touching the database', () => {
    for (const args of [
      ['export'],
      ['export', '--format', 'pdf'],
      ['export', '--format', 'graphml', '--status', 'SOLD'],
      ['export', '--format', 'graphml', '--around', 'TUR', '--buyer', 'TUR'],
      ['export', '--format', 'csv'],
    ]) {
      const r = run(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).not.toBe('');
    }
  });

  it('exits 1 naming the entity it cannot find', () => {
    const r = run(['export', '--format', 'graphml', '--around', 'atlantis']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/NOT_FOUND.*atlantis/);
  });

  it('writes nodes.csv, edges.csv and deals.csv of a filtered set into a folder', async () => {
    const out = path.join(dir, 'csv');
    const r = run(['export', '--format', 'csv', '--out', out, '--buyer', 'ZB1', '--ordered-from', '2003']);
    expect(r.stderr.replace(/^export .*\n/gm, '')).toBe('');
    expect(r.status).toBe(0);
    const page = await findDeals(db, { buyer: 'ZB1', orderedFrom: 2003 }, 'ID_ASC', 500, null);
    const deals = readCsv(fs.readFileSync(path.join(out, 'deals.csv'), 'utf8'));
    expect(deals.map((d) => d.deal_id).sort()).toEqual(page.deals.map((d) => String(d.id)).sort());
    const nodes = readCsv(fs.readFileSync(path.join(out, 'nodes.csv'), 'utf8'));
    const edges = readCsv(fs.readFileSync(path.join(out, 'edges.csv'), 'utf8'));
    expect(nodes.filter((n) => n.Labels === 'Deal')).toHaveLength(page.totalCount);
    expect(edges).toHaveLength(page.totalCount * 3);
    const ids = new Set(nodes.map((n) => n.Id));
    for (const e of edges) expect([ids.has(e.Source), ids.has(e.Target)]).toEqual([true, true]);
    expect(r.stdout).toContain(`${page.totalCount} deals`);
  });

  it('writes a neighbourhood to stdout, the same subgraph as Query.neighborhood', async () => {
    const r = run(['export', '--format', 'node-link', '--around', 'Türkiye', '--depth', '2']);
    expect(r.status).toBe(0);
    const graph = JSON.parse(r.stdout) as { nodes: { id: string }[]; links: { key: string }[] };
    const sub = await neighborhood(db, { id: 'TUR', depth: 2, first: 1000 });
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(sub.nodes.map((n) => n.id).sort());
    expect(graph.links.map((l) => l.key).sort()).toEqual(sub.edges.map((e) => e.id).sort());
    // The summary goes to stderr so that stdout holds the export alone.
    expect(r.stderr).toMatch(/stdout: \d+ nodes, \d+ edges/);
  });

  it('writes GEXF to a file that graphology reads', () => {
    const file = path.join(dir, 'all.gexf');
    const r = run(['export', '--format', 'gexf', '--out', file]);
    expect(r.status).toBe(0);
    const [, nodes, edges] = /(\d+) nodes, (\d+) edges/.exec(r.stdout) ?? [];
    const read = readGraphologyGexf(fs.readFileSync(file, 'utf8'));
    expect([read.nodes, read.edges]).toEqual([Number(nodes), Number(edges)]);
    expect(read.nodes).toBeGreaterThan(30);
  });
});
