import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { Database } from '../../src/db/database';
import { formatImportSummary } from '../../src/cli/import-command';
import { bulkImportSipri, chooseLoadPath } from '../../src/import/sipri/bulk-load';
import { importSipri, type ImportReport } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { silentLogger } from '../../src/logger';
import { openStore, type Store } from '../../src/store';
import { canonical, dumpGraph, exportEveryFormat } from '../helpers/graph-dump';
import { openTestDatabase, resetGraph, testNeo4j } from '../helpers/test-app';
import { freePort, SHORT_LIVED_JVM } from '../helpers/test-neo4j';

/**
 * The bulk first load (Neo4j's offline importer, src/import/sipri/bulk-load.ts) against the
 * transactional batches, each as a user runs it (`armsgraph import sipri`): the same export into an
 * empty graph gives the same graph, node for node and property for property, and every export format
 * the same file; a second release after either behaves alike. The transactional side is the shared
 * test Neo4j, emptied (NEO4J_URI is set, so the CLI takes the batches); the bulk side an embedded
 * Neo4j of its own on a fresh data folder.
 */
const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin', 'armsgraph.js');
const RELEASES = path.join(root, 'tests', 'fixtures', 'sipri', 'releases');
const FIRST = path.join(RELEASES, 'release-2025-01-03.csv');
const SECOND = path.join(RELEASES, 'release-2026-02-12.csv');

beforeAll(() => {
  // This file's copy of the environment (jest gives each file its own): every Neo4j it starts, in this
  // process or in a CLI it spawns, lives for a test or two.
  Object.assign(process.env, SHORT_LIVED_JVM);
});

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a first load at bulk speed', () => {
  let dataDir: string;
  let embeddedEnv: Record<string, string>;
  let shared: Database;
  let bulk: Store | undefined;
  const uriEnv = () => ({ NEO4J_URI: testNeo4j().uri, NEO4J_PASSWORD: testNeo4j().password });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bulk-'));
    embeddedEnv = {
      NEO4J_URI: '',
      NEO4J_LOCAL_DATA_DIR: dataDir,
      NEO4J_LOCAL_BOLT_PORT: String(await freePort()),
      NEO4J_LOCAL_HEAP: '512m',
      NEO4J_LOCAL_PAGECACHE: '128m',
      NEO4J_LOCAL_START_TIMEOUT_MS: '600000',
    };
    shared = await openTestDatabase();
    await resetGraph(shared);
  });
  afterAll(async () => {
    await bulk?.close();
    await shared.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the batches where the graph is not its own to replace (NEO4J_URI)', () => {
    const r = cli(['import', 'sipri', '--no-progress', FIRST], uriEnv());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rows read 276 = imported 276 \+ rejected 0/);
    expect(r.stdout).not.toMatch(/bulk load/);
  });

  it('loads an empty embedded graph in bulk, by default', () => {
    const r = cli(['import', 'sipri', '--no-progress', FIRST], embeddedEnv);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rows read 276 = imported 276 \+ rejected 0/);
    expect(r.stdout).toMatch(/deals 211 .*deliveries/);
    expect(r.stdout).toMatch(/\(bulk load into an empty graph\)/);
    // The importer's files are gone.
    expect(fs.existsSync(path.join(dataDir, 'bulk-import'))).toBe(false);
  });

  it('refuses --bulk into a graph that is not empty, and writes nothing', () => {
    const r = cli(['import', 'sipri', '--no-progress', '--bulk', SECOND], embeddedEnv);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not empty: a bulk load writes only an empty graph/);
  });

  it('refuses --bulk while another process runs the Neo4j of the folder, and with NEO4J_URI', async () => {
    bulk = await openStore(loadConfig({ ...process.env, ...embeddedEnv }), silentLogger());
    const busy = cli(['import', 'sipri', '--no-progress', '--bulk', SECOND], embeddedEnv);
    expect(busy.status).toBe(3);
    expect(busy.stderr).toMatch(
      new RegExp(`in use by another armsgraph process \\(pid ${bulk.embedded?.pid}\\): a bulk load needs`),
    );
    const remote = cli(['import', 'sipri', '--no-progress', '--bulk', SECOND], uriEnv());
    expect(remote.status).toBe(3);
    expect(remote.stderr).toMatch(/with NEO4J_URI set, import without --bulk/);
  });

  it('writes the graph the batches write: every node, relationship and property', async () => {
    const [a, b] = [await dumpGraph(shared), await dumpGraph(bulk!.db)];
    expect(b.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
  });

  it('gives the same file in every export format', async () => {
    const [a, b] = [await exportEveryFormat(shared), await exportEveryFormat(bulk!.db)];
    expect(Object.keys(b).length).toBeGreaterThanOrEqual(7);
    for (const format of Object.keys(a))
      expect([format, canonical(b[format]!)]).toEqual([format, canonical(a[format]!)]);
  });

  it('takes a second release as after a transactional first load', async () => {
    const again = async (db: Database) => importSipri(db, await readRegister(SECOND));
    const [a, b] = [await again(shared), await again(bulk!.db)];
    expect(b.path).toBe('transactional');
    expect(b.reconciled).toEqual(a.reconciled);
    expect(b.reconciled.retiredDeals).toBeGreaterThan(0);
    expect(b.deals).toBe(a.deals);
    expect(await dumpGraph(bulk!.db)).toEqual(await dumpGraph(shared));
    // The TIV tables are the newest release's.
    const totals = (db: Database) =>
      db.read(
        `MATCH (t:TivRollup {level: 'S'}) RETURN t.supplierId AS s, t.year AS y, t.tiv AS tiv, t.n AS n
         ORDER BY s, y`,
      );
    expect(await totals(bulk!.db)).toEqual(await totals(shared));
  });
});

describe.each(['rejected-rows.csv', 'variant-old-layout.csv'])('a bulk first load of %s', (name) => {
  // Repeated delivery years (refused by line, as the batches refuse them) and the older layout (one row
  // per deal and delivery year, with totals of a row spanning several years). In this process, through
  // the calls `armsgraph import sipri` makes (src/cli/import-command.ts; the command itself is tested
  // above): the bulk load hands back its store open, so its Neo4j starts once, not a second time to be
  // read.
  const file = path.join(root, 'tests', 'fixtures', 'sipri', name);
  let dataDir: string;
  let shared: Database;
  let bulk: Store | undefined;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bulk-'));
    shared = await openTestDatabase();
    await resetGraph(shared);
  });
  afterAll(async () => {
    await bulk?.close();
    await shared.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rejects the rows the batches reject and writes the graph they write', async () => {
    const config = loadConfig({
      ...process.env,
      NEO4J_URI: '',
      NEO4J_LOCAL_DATA_DIR: dataDir,
      NEO4J_LOCAL_BOLT_PORT: String(await freePort()),
      NEO4J_LOCAL_HEAP: '512m',
      NEO4J_LOCAL_PAGECACHE: '128m',
      NEO4J_LOCAL_START_TIMEOUT_MS: '600000',
    });
    const batches = await importSipri(shared, await readRegister(file), { reread: () => readRegister(file) });
    expect(await chooseLoadPath(config, silentLogger(), 'bulk')).toEqual({ path: 'bulk' });
    const loaded = await bulkImportSipri(config, silentLogger(), await readRegister(file));
    bulk = loaded.store;
    // The same summary but for the time and rate line.
    const summary = (r: ImportReport) =>
      formatImportSummary(file, r)
        .split('\n')
        .filter((l) => !/ s, \d+ rows\/s/.test(l));
    expect(loaded.report.path).toBe('bulk');
    expect(summary(loaded.report)).toEqual(summary(batches));
    expect(await dumpGraph(bulk.db)).toEqual(await dumpGraph(shared));
    // One import starting a JVM: on a busy two-core machine it may outlast the default limit.
  }, 600_000);
});
