/**
 * Import benchmark: `npm run bench:import` (IMPORT_ROWS=100000 by default, or IMPORT_FILE=<export>).
 * Generates (or reuses, under the OS temp folder) a synthetic SIPRI register of IMPORT_ROWS rows,
 * starts a fresh embedded Neo4j (temporary data folder, free port), seeds the curated graph so SIPRI
 * records merge onto curated deals as in real use, imports the register, and (IMPORT_REIMPORT=1)
 * imports it again. Prints rows/s, time, peak RSS of node and of the JVM, and the load average.
 * IMPORT_ROLLUPS=defer imports without keeping the TIV rollups (ImportOptions.deferRollups), then
 * builds them as the next start would (buildMissingTivRollups), timed apart: a run with and one
 * without give what keeping the rollups costs the import.
 * IMPORT_BEFORE=<older export> imports that release first, untimed, so that the measured import is a
 * graph's next release (scripts/derive-sipri-release.js derives one); with IMPORT_ROLLUPS=defer, what
 * keeping the rollups costs a yearly update rather than a first load.
 * IMPORT_PATH=bulk measures the bulk first load instead (src/import/sipri/bulk-load.ts: an empty graph,
 * so no seeding): from the first line read to the settled release, the offline import and the start
 * of Neo4j that follows it included. With IMPORT_ROLLUPS=defer it writes no TIV contributions or
 * rollups, which are then built apart (buildMissingTivRollups) and timed as for the batches.
 * Node's memory is sampled after every batch (RSS, V8 heap used); run node with --expose-gc and
 * IMPORT_LIVE_HEAP=1 to collect garbage before each sample, so the heap figures are what the importer
 * keeps (what grows with rows shows there first). `benchImport()` is the same, for bench/run.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../src/config';
import { buildMissingTivRollups } from '../src/db/tiv-rollups';
import { bulkImportSipri } from '../src/import/sipri/bulk-load';
import { importSipri, type ImportReport } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import { silentLogger } from '../src/logger';
import { seedGraph } from '../src/seed/seeder';
import { openStore, type Store } from '../src/store';
import { generateSipriRegister } from './generate-sipri';
import { embeddedBenchConfig } from './bench-config';
import { PeakTracker } from './proc-memory';

export interface BenchImportOptions {
  /** Rows of the synthetic register (ignored when `file` is given). */
  rows?: number;
  /** An existing export to import instead of a synthetic one. */
  file?: string;
  seed?: number;
  /** Import the same file a second time (idempotent re-import). */
  reimport?: boolean;
  /** Seed the curated graph first (default true). */
  seedCurated?: boolean;
  batchSize?: number;
  heap?: string;
  pageCache?: string;
  /** Where synthetic registers are kept between runs. */
  cacheDir?: string;
  /** Prints rows and rows/s so far to stderr every this many rows (0: never). */
  progressEvery?: number;
  /** Measure the bulk first load into an empty graph instead of the transactional batches. */
  bulk?: boolean;
  /**
   * An older release of the register imported first, untimed: the measured import is then the next
   * release of a graph that holds one (what a yearly SIPRI update costs), not a first load.
   */
  before?: string;
  /** Import without the TIV rollups, then build them apart (see the module comment). */
  deferRollups?: boolean;
  /** Collects garbage before each memory sample (needs node --expose-gc): the heap the import keeps. */
  liveHeap?: boolean;
}

/** Node's memory over the first import, sampled after each committed batch (MiB). */
export interface MemoryProfile {
  /** Highest resident set of node over the first import (polled, and the kernel's peak counter). */
  peakRssMb: number;
  /** Highest V8 heap used seen after a batch (after a collection when `live`). */
  peakHeapUsedMb: number;
  /** Whether garbage was collected before each sample. */
  live: boolean;
  /** Heap used and RSS after the batches that ended a quarter, half, three quarters and all of the rows. */
  samples: { rows: number; heapUsedMb: number; rssMb: number }[];
}

export interface ImportRun {
  rowsRead: number;
  /** CPU time the JVM and node spent on the import: a measure of cost that a busy machine distorts less than wall time. */
  cpuSecondsJvm: number | undefined;
  cpuSecondsNode: number;
  /**
   * The JVM's CPU time from the end of reconciling to the end of the import: settling the release's
   * deals (statuses, TIV rollups) and closing the release. Its part of both processes' CPU is the
   * settling's share of the import as a busy machine distorts it less than the wall-time split.
   */
  cpuSecondsJvmSettle: number | undefined;
  /** Rows per CPU second of both processes together. */
  rowsPerCpuSecond: number;
  rowsImported: number;
  rejected: number;
  deals: number;
  deliveries: number;
  seconds: number;
  rowsPerSecond: number;
  /** Where the import's time went (ms): batches, reconciling releases, deal statuses, TIV rollups. */
  timings: ImportReport['timings'];
}

export interface BenchImportResult {
  file: string;
  rows: number;
  machine: string;
  first: ImportRun;
  reimport: ImportRun | undefined;
  peakRssNodeMb: number;
  peakRssJvmMb: number | undefined;
  memory: MemoryProfile;
  /** 1-minute load average before and after the run. */
  loadBefore: number;
  loadAfter: number;
  heap: string;
  pageCache: string;
  batchSize: number | undefined;
  /** The bulk load's parts (ms): writing the importer's files, the import and start, the totals. */
  bulk?: ImportReport['bulk'];
  /** With deferRollups: building the rollups after the import, as the next start does. */
  rollupsBuilt?: { seconds: number; cpuSecondsJvm: number | undefined };
}

/** The JVM's peak resident set (VmHWM), from /proc; undefined where there is no /proc. */
function peakRssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds a process has used (utime + stime from /proc/<pid>/stat); undefined without /proc. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The rollups an import deferred, built as the next start builds them: wall time and the JVM's CPU. */
async function buildRollupsTimed(
  db: Store['db'],
  jvmPid: number | undefined,
): Promise<NonNullable<BenchImportResult['rollupsBuilt']>> {
  const jvm0 = jvmPid === undefined ? undefined : cpuSeconds(jvmPid);
  const t = Date.now();
  await buildMissingTivRollups(db);
  const jvm1 = jvmPid === undefined ? undefined : cpuSeconds(jvmPid);
  return {
    seconds: Math.round((Date.now() - t) / 100) / 10,
    cpuSecondsJvm: jvm0 === undefined || jvm1 === undefined ? undefined : Math.round((jvm1 - jvm0) * 10) / 10,
  };
}

/** Runs one import, measuring wall time and the CPU time of node and of the JVM (when local). */
async function measured(
  work: (onReconcile: () => void) => Promise<ImportReport>,
  jvmPid: number | undefined,
): Promise<ImportRun> {
  const jvmNow = () => (jvmPid === undefined ? undefined : cpuSeconds(jvmPid));
  const since = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? undefined : Math.round((to - from) * 10) / 10;
  const jvm0 = jvmNow();
  let jvmReconciled: number | undefined;
  const node0 = process.cpuUsage();
  const r = await work(() => {
    jvmReconciled = jvmNow();
  });
  const jvm1 = jvmNow();
  const node = process.cpuUsage(node0);
  const cpuSecondsNode = Math.round((node.user + node.system) / 1e5) / 10;
  const cpuSecondsJvm = since(jvm0, jvm1);
  return {
    ...run(r),
    cpuSecondsJvm,
    cpuSecondsNode,
    cpuSecondsJvmSettle: since(jvmReconciled, jvm1),
    rowsPerCpuSecond: Math.round(r.rowsRead / Math.max(0.1, cpuSecondsNode + (cpuSecondsJvm ?? 0))),
  };
}

const run = (r: ImportReport) => ({
  rowsRead: r.rowsRead,
  rowsImported: r.rowsImported,
  rejected: r.rejectedRows,
  deals: r.deals,
  deliveries: r.deliveries,
  seconds: Math.round(r.durationMs / 100) / 10,
  rowsPerSecond: Math.round((r.rowsRead * 1000) / Math.max(1, r.durationMs)),
  timings: r.timings,
});

/** A synthetic register of `rows` rows, generated once per size and seed and then reused. */
export async function syntheticRegister(rows: number, seed = 1, cacheDir?: string): Promise<string> {
  const dir = cacheDir ?? path.join(os.tmpdir(), 'armsgraph-bench-registers');
  const file = path.join(dir, `sipri-${rows}-rows-seed-${seed}.csv`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    await generateSipriRegister({ deals: Infinity, rows, seed, out: tmp });
    fs.renameSync(tmp, file);
  }
  return file;
}

export async function benchImport(opts: BenchImportOptions = {}): Promise<BenchImportResult> {
  const file = opts.file ?? (await syntheticRegister(opts.rows ?? 100_000, opts.seed, opts.cacheDir));
  const heap = opts.heap ?? '2g';
  const pageCache = opts.pageCache ?? '2g';
  const { config, dataDir } = await embeddedBenchConfig('import', {
    NEO4J_LOCAL_HEAP: heap,
    NEO4J_LOCAL_PAGECACHE: pageCache,
    // A busy machine must not fail the seeding that precedes the measurement.
    ARMSGRAPH_QUERY_TIMEOUT_MS: '600000',
    NEO4J_LOCAL_START_TIMEOUT_MS: '600000',
  });
  if (opts.bulk)
    return benchBulk(file, config, dataDir, {
      heap,
      pageCache,
      batchSize: opts.batchSize,
      deferRollups: opts.deferRollups === true,
    });
  const store = await openStore(config, silentLogger());
  try {
    if (opts.seedCurated !== false) await seedGraph(store.db);
    if (opts.before) await importSipri(store.db, await readRegister(opts.before));
    const loadBefore = os.loadavg()[0] ?? 0;
    let next = opts.progressEvery ?? 0;
    let started = Date.now();
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    const gc = opts.liveHeap ? (globalThis as { gc?: () => void }).gc : undefined;
    if (opts.liveHeap && !gc) throw new Error('liveHeap needs node --expose-gc');
    const memory: MemoryProfile = { peakRssMb: 0, peakHeapUsedMb: 0, live: Boolean(gc), samples: [] };
    const sampling = { on: true, sampled: [] as { rows: number; heapUsedMb: number; rssMb: number }[] };
    const sample = (rows: number) => {
      if (!sampling.on) return;
      gc?.();
      const m = process.memoryUsage();
      memory.peakHeapUsedMb = Math.max(memory.peakHeapUsedMb, mb(m.heapUsed));
      sampling.sampled.push({ rows, heapUsedMb: mb(m.heapUsed), rssMb: mb(m.rss) });
    };
    const onProgress = (rows: number) => {
      sample(rows);
      if (!next || rows < next) return;
      next += opts.progressEvery ?? 0;
      const s = (Date.now() - started) / 1000;
      process.stderr.write(
        `${rows} rows in ${s.toFixed(0)} s: ${Math.round(rows / s)} rows/s, load ${os.loadavg()[0]?.toFixed(1)}\n`,
      );
    };
    const pid = store.embedded?.pid;
    const importOnce = async (onReconcile: () => void) => {
      started = Date.now();
      next = opts.progressEvery ?? 0;
      return importSipri(store.db, await readRegister(file), {
        onProgress,
        onReconcile,
        ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        ...(opts.deferRollups ? { deferRollups: true } : {}),
      });
    };
    const peaks = new PeakTracker([process.pid]);
    const first = await measured(importOnce, pid);
    memory.peakRssMb = mb(peaks.stop().get(process.pid) ?? 0);
    sampling.on = false;
    // The samples nearest to each quarter of the rows: enough to see a slope, short enough to print.
    memory.samples = [0.25, 0.5, 0.75, 1].flatMap((q) => {
      const at = sampling.sampled.find((s) => s.rows >= q * first.rowsRead) ?? sampling.sampled.at(-1);
      return at ? [at] : [];
    });
    const rollupsBuilt = opts.deferRollups ? await buildRollupsTimed(store.db, pid) : undefined;
    const again = opts.reimport ? await measured(importOnce, pid) : undefined;
    const jvm = store.embedded ? peakRssMb(store.embedded.pid) : undefined;
    return {
      file,
      rows: first.rowsRead,
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      first,
      reimport: again,
      peakRssNodeMb: Math.round(process.resourceUsage().maxRSS / 1024),
      peakRssJvmMb: jvm,
      memory,
      loadBefore: Math.round(loadBefore * 100) / 100,
      loadAfter: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
      heap,
      pageCache,
      batchSize: opts.batchSize,
      ...(rollupsBuilt ? { rollupsBuilt } : {}),
    };
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The bulk first load of `file` into the empty graph of `config` (see the module comment). */
async function benchBulk(
  file: string,
  config: Config,
  dataDir: string,
  o: { heap: string; pageCache: string; batchSize: number | undefined; deferRollups: boolean },
): Promise<BenchImportResult> {
  const loadBefore = os.loadavg()[0] ?? 0;
  const node0 = process.cpuUsage();
  const peaks = new PeakTracker([process.pid]);
  let store: Store | undefined;
  try {
    const loaded = await bulkImportSipri(config, silentLogger(), await readRegister(file), {
      ...(o.batchSize ? { batchSize: o.batchSize } : {}),
      ...(o.deferRollups ? { deferRollups: true } : {}),
    });
    store = loaded.store;
    const r = loaded.report;
    const node = process.cpuUsage(node0);
    const peakRssNode = Math.round((peaks.stop().get(process.pid) ?? 0) / 2 ** 20);
    const pid = store.embedded?.pid;
    // The JVM was started by the load: all its CPU time is the load's.
    const cpuSecondsJvm = pid === undefined ? undefined : cpuSeconds(pid);
    const cpuSecondsNode = Math.round((node.user + node.system) / 1e5) / 10;
    const first: ImportRun = {
      ...run(r),
      cpuSecondsJvm,
      cpuSecondsNode,
      cpuSecondsJvmSettle: undefined,
      rowsPerCpuSecond: Math.round(r.rowsRead / Math.max(0.1, cpuSecondsNode + (cpuSecondsJvm ?? 0))),
    };
    const rollupsBuilt = o.deferRollups ? await buildRollupsTimed(store.db, pid) : undefined;
    return {
      file,
      rows: first.rowsRead,
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      first,
      reimport: undefined,
      peakRssNodeMb: Math.round(process.resourceUsage().maxRSS / 1024),
      peakRssJvmMb: pid === undefined ? undefined : peakRssMb(pid),
      memory: { peakRssMb: peakRssNode, peakHeapUsedMb: 0, live: false, samples: [] },
      loadBefore: Math.round(loadBefore * 100) / 100,
      loadAfter: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
      heap: o.heap,
      pageCache: o.pageCache,
      batchSize: o.batchSize,
      bulk: r.bulk,
      ...(rollupsBuilt ? { rollupsBuilt } : {}),
    };
  } finally {
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const env = process.env;
  benchImport({
    rows: Number(env.IMPORT_ROWS ?? 100_000),
    ...(env.IMPORT_FILE ? { file: env.IMPORT_FILE } : {}),
    ...(env.IMPORT_BEFORE ? { before: env.IMPORT_BEFORE } : {}),
    ...(env.IMPORT_BATCH_SIZE ? { batchSize: Number(env.IMPORT_BATCH_SIZE) } : {}),
    ...(env.IMPORT_HEAP ? { heap: env.IMPORT_HEAP } : {}),
    ...(env.IMPORT_PAGECACHE ? { pageCache: env.IMPORT_PAGECACHE } : {}),
    reimport: env.IMPORT_REIMPORT === '1',
    seedCurated: env.IMPORT_SEED_CURATED !== '0',
    progressEvery: Number(env.IMPORT_PROGRESS_EVERY ?? 0),
    bulk: env.IMPORT_PATH === 'bulk',
    deferRollups: env.IMPORT_ROLLUPS === 'defer',
    liveHeap: env.IMPORT_LIVE_HEAP === '1',
  }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`bench:import failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
