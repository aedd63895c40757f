/**
 * Export benchmark: `npm run bench:export`. Starts its own embedded Neo4j (temporary data folder, free
 * port), writes a synthetic graph of EXPORT_BENCH_DEALS deals (default 50 000) in two steps (a fifth
 * first, then the rest), and after each step starts the service as its own process (`armsgraph
 * serve`), streams every export format of the whole graph over HTTP into nothing (after one unmeasured
 * warm-up export), and prints per format
 * the bytes, seconds and edges per second, and the service process's peak resident memory (VmHWM).
 * Two sizes, one service process each: if exports held the graph, the peak would grow with the graph.
 *
 * EXPORT_BENCH_ROUNDS (default 3) exports each format that many times and keeps the median; the first
 * round is also reported on its own: the first export of a format after the graph was written, which
 * pays what later ones find cached (the key passes of GraphML, GEXF and the CSVs: src/export/key-cache.ts;
 * Neo4j's plans of the statements), as a user's first export after an import does. With
 * EXPORT_BENCH_BASELINE=<a built armsgraph checkout> a second service runs from that checkout on the
 * same Neo4j and graph, and the two take turns format by format, round by round, so that other load
 * on a shared machine falls on both: before/after in one run. EXPORT_BENCH_SAVE=<dir> also keeps one
 * unmeasured export of each format by each service in <dir>, to compare them byte for byte.
 *
 * `benchExport()` is the same run as a function, for bench/run.ts to call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../src/db/database';
import { mergeNodes, writeDealParties, type DealPartiesRow, type NodeRow } from '../src/db/graph-writer';
import { nameFields } from '../src/db/names';
import { EXPORT_FORMAT_NAMES } from '../src/export/registry';
import { silentLogger } from '../src/logger';
import { openStore } from '../src/store';
import { embeddedBenchConfig } from './bench-config';
import { freePort } from './free-port';
import { cpuMicros } from './proc-cpu';

export interface ExportBenchRow {
  deals: number;
  nodes: number;
  edges: number;
  format: string;
  bytes: number;
  seconds: number;
  edgesPerSecond: number;
  /** The first round alone: the first export of the format after the graph was written. */
  firstSeconds: number;
  /**
   * CPU seconds of the service process, of Neo4j and of the reader (this process, which fetches the
   * export over HTTP) over the export (median of the rounds).
   */
  serviceCpu: number;
  neo4jCpu: number;
  readerCpu: number;
  /** The same export by the baseline service (EXPORT_BENCH_BASELINE), when one was given. */
  baseline?: {
    seconds: number;
    edgesPerSecond: number;
    serviceCpu: number;
    neo4jCpu: number;
    readerCpu: number;
  };
}

export interface ExportBenchSize {
  deals: number;
  nodes: number;
  edges: number;
  rows: ExportBenchRow[];
  /** Peak resident set of the service process over all its exports at this size (MiB). */
  servicePeakRssMiB: number;
  /** Resident set of the service process after start, before any export (MiB). */
  serviceIdleRssMiB: number;
  /** The baseline service's peak resident set (EXPORT_BENCH_BASELINE), when one was given. */
  baselinePeakRssMiB?: number;
  /** Exports of a selection (GraphML): deals by filter, a neighbourhood; median seconds of the rounds. */
  selections: {
    query: string;
    bytes: number;
    seconds: number;
    /** The first export of the selection (its statements' plans cold). */
    firstSeconds: number;
    baselineSeconds?: number;
  }[];
}

export interface ExportBenchOptions {
  /** Graph sizes in deals, ascending; the graph grows from one to the next. */
  sizes?: number[];
  formats?: readonly string[];
  /** Progress and result lines (default: stdout). */
  log?: (line: string) => void;
}

const COUNTRIES = 200;
const SYSTEMS = 500;
const BATCH = 5000;
const countryId = (i: number) => `C${String(i).padStart(3, '0')}`;

const SOURCE_IDS = ['bench-source'];

/** Countries, systems and a source, once, through the graph writer. */
export async function writeFixedNodes(db: Database): Promise<void> {
  const countries = Array.from({ length: COUNTRIES }, (_, i) => {
    const id = countryId(i);
    return { id, props: { ...nameFields(id, `Benchland ${i} & "Co" — Бенч ${i}`) }, sourceIds: SOURCE_IDS };
  });
  const systems = Array.from({ length: SYSTEMS }, (_, i) => ({
    id: `bsys-${i}`,
    props: { ...nameFields(`bsys-${i}`, `Bench system ${i}`), category: 'Aircraft' },
    sourceIds: SOURCE_IDS,
  }));
  await db.writeTx(async (tx) => {
    await mergeNodes(db, tx, 'Source', [
      { id: 'bench-source', props: { name: 'Bench source', aliases: [], kind: 'reference' }, sourceIds: [] },
    ]);
    await mergeNodes(db, tx, 'Country', countries);
    await mergeNodes(db, tx, 'WeaponSystem', systems);
  });
}

/**
 * Deals from..to-1, each with buyer, seller and system, in batches of BATCH, through the graph writer
 * (parties on their keys, with the deals' page slots), as the importer writes them.
 */
export async function writeDeals(db: Database, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += BATCH) {
    const deals: NodeRow[] = [];
    const parties: DealPartiesRow[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      const buyer = countryId(i % COUNTRIES);
      const seller = countryId((i * 7 + 3) % COUNTRIES);
      const id = `bdeal-${i}`;
      deals.push({
        id,
        props: {
          name: `Bench deal ${i}`,
          aliases: [],
          status: 'COMPLETED',
          orderYear: 1990 + (i % 35),
          deliveryEndYear: 1991 + (i % 35),
          quantity: 1 + (i % 50),
          tivTotal: (i % 1000) / 10,
          category: 'Aircraft',
        },
        sourceIds: SOURCE_IDS,
      });
      parties.push({
        dealId: id,
        parties: {
          BUYER: { id: buyer },
          SELLER: { id: seller === buyer ? countryId((i + 1) % COUNTRIES) : seller },
          COVERS: { id: `bsys-${(i * 13) % SYSTEMS}` },
        },
        sourceIds: SOURCE_IDS,
      });
    }
    await db.writeTx(async (tx) => {
      await mergeNodes(db, tx, 'Deal', deals);
      await writeDealParties(db, tx, parties, {
        by: 'bench',
        reason: 'the bench names another party',
        sourceIds: SOURCE_IDS,
      });
    }, 600_000);
  }
}

/** The peak and current resident set of a process, from /proc (Linux); NaN once it has exited. */
function rssMiB(pid: number): { peak: number; now: number } {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // A service that died mid-run: the error that stopped the run is the one to report.
    return { peak: NaN, now: NaN };
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

/** The measured service's V8 old-space cap (MiB): EXPORT_BENCH_SERVICE_HEAP_MIB, default 128. */
export const SERVICE_HEAP_MIB = Number(process.env.EXPORT_BENCH_SERVICE_HEAP_MIB ?? 128);

async function startService(
  connection: { uri: string; username: string; password: string },
  port: number,
  /** The built checkout whose service runs (default: this one). */
  checkout = path.join(__dirname, '..', '..'),
): Promise<ChildProcess> {
  const cli = path.join(checkout, 'dist', 'src', 'cli.js');
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Reads stay open to the benchmark whatever the caller's environment says.
  delete env.ARMSGRAPH_READ_TOKEN;
  // EXPORT_BENCH_SERVICE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the service process.
  // The service's JavaScript heap is capped (SERVICE_HEAP_MIB) at every size: an export that held the
  // graph would fail at the larger size instead of merely using more of an ample default heap, and
  // the peak RSS of two sizes compares like with like.
  const nodeArgs = [
    `--max-old-space-size=${SERVICE_HEAP_MIB}`,
    ...(process.env.EXPORT_BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const child = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--port', String(port)], {
    env: {
      ...env,
      NODE_ENV: 'production',
      NEO4J_URI: connection.uri,
      NEO4J_USERNAME: connection.username,
      NEO4J_PASSWORD: connection.password,
      ARMSGRAPH_RATE_LIMIT: '0',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Said as it happens: a service that dies mid-run otherwise shows only as a failed fetch.
  child.once('exit', (code, signal) => {
    if (signal !== 'SIGTERM') process.stderr.write(`service ${cli} exited: code ${code}, signal ${signal}\n`);
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the service did not become ready in 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Streams one export into nothing; returns bytes, seconds, and the CPU seconds the service process
 * (`servicePid`) and Neo4j (`neo4jPid`) spent meanwhile (NaN off Linux): on a shared machine the wall
 * time moves with the load, the CPU an export costs much less.
 */
async function measured(
  url: string,
  servicePid: number | undefined,
  neo4jPid: number | undefined,
): Promise<{ bytes: number; seconds: number; serviceCpu: number; neo4jCpu: number; readerCpu: number }> {
  const before = [cpuMicros(servicePid), cpuMicros(neo4jPid)];
  const reader = process.cpuUsage();
  const r = await drain(url);
  const read = process.cpuUsage(reader);
  const after = [cpuMicros(servicePid), cpuMicros(neo4jPid)];
  const used = (i: number) => {
    const [b, e] = [before[i], after[i]];
    return b === null || b === undefined || e === null || e === undefined ? NaN : (e - b) / 1e6;
  };
  return { ...r, serviceCpu: used(0), neo4jCpu: used(1), readerCpu: (read.user + read.system) / 1e6 };
}

/** Streams one export into nothing (or into the file `saveTo`); returns bytes and seconds. */
async function drain(url: string, saveTo?: string): Promise<{ bytes: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  let bytes = 0;
  const file = saveTo === undefined ? undefined : fs.openSync(saveTo, 'w');
  try {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (file !== undefined) fs.writeSync(file, value);
    }
  } finally {
    if (file !== undefined) fs.closeSync(file);
  }
  return { bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export async function benchExport(options: ExportBenchOptions = {}): Promise<ExportBenchSize[]> {
  const total = Number(process.env.EXPORT_BENCH_DEALS ?? 50_000);
  const sizes = options.sizes ?? [Math.max(1, Math.round(total / 5)), total];
  const formats = options.formats ?? EXPORT_FORMAT_NAMES;
  const log = options.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const rounds = Math.max(1, Number(process.env.EXPORT_BENCH_ROUNDS ?? 3));
  const baselineDir = process.env.EXPORT_BENCH_BASELINE;
  const saveDir = process.env.EXPORT_BENCH_SAVE;
  if (baselineDir && !fs.existsSync(path.join(baselineDir, 'dist', 'src', 'cli.js')))
    throw new Error(`EXPORT_BENCH_BASELINE=${baselineDir} has no dist/src/cli.js: build it first`);
  const { config, dataDir } = await embeddedBenchConfig('export', {
    NEO4J_LOCAL_HEAP: process.env.NEO4J_LOCAL_HEAP ?? '1g',
    NEO4J_LOCAL_PAGECACHE: process.env.NEO4J_LOCAL_PAGECACHE ?? '512m',
  });
  const store = await openStore(config, silentLogger());
  const results: ExportBenchSize[] = [];
  try {
    const connection = store.embedded?.connection;
    if (!connection) throw new Error('the export benchmark runs on its own embedded Neo4j');
    await writeFixedNodes(store.db);
    let written = 0;
    for (const deals of sizes) {
      const t0 = Date.now();
      await writeDeals(store.db, written, deals);
      written = deals;
      const [counts] = await store.db.read(
        `MATCH (n:Entity) WITH count(n) AS nodes MATCH (:Entity)-[r]->(:Entity) RETURN nodes, count(r) AS edges`,
      );
      const nodes = Number(counts?.nodes ?? 0);
      const edges = Number(counts?.edges ?? 0);
      log(
        `${deals} deals written (${nodes} nodes, ${edges} edges) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      const port = await freePort();
      const service = await startService(connection, port);
      const pid = service.pid ?? 0;
      const idle = rssMiB(pid);
      const basePort = baselineDir ? await freePort() : 0;
      const base = baselineDir ? await startService(connection, basePort, baselineDir) : undefined;
      const rows: ExportBenchRow[] = [];
      const selections: ExportBenchSize['selections'] = [];
      try {
        // One unmeasured export first: Neo4j's page cache and the service's JIT start cold.
        await drain(`http://127.0.0.1:${port}/export/node-link`);
        if (base) await drain(`http://127.0.0.1:${basePort}/export/node-link`);
        const neo4jPid = store.embedded?.pid;
        for (const format of formats) {
          // EXPORT_BENCH_SAVE=<dir>: one more, unmeasured, export of each format by each service, kept
          // as <dir>/<deals>-{branch,baseline}.<format> to compare the two outputs byte for byte.
          if (saveDir) {
            fs.mkdirSync(saveDir, { recursive: true });
            const file = (who: string) => path.join(saveDir, `${deals}-${who}.${format}`);
            await drain(`http://127.0.0.1:${port}/export/${format}`, file('branch'));
            if (base) await drain(`http://127.0.0.1:${basePort}/export/${format}`, file('baseline'));
          }
          const runs: Awaited<ReturnType<typeof measured>>[] = [];
          const baseRuns: Awaited<ReturnType<typeof measured>>[] = [];
          for (let round = 0; round < rounds; round++) {
            if (base)
              baseRuns.push(
                await measured(`http://127.0.0.1:${basePort}/export/${format}`, base.pid, neo4jPid),
              );
            runs.push(await measured(`http://127.0.0.1:${port}/export/${format}`, pid, neo4jPid));
          }
          const bytes = runs.at(-1)?.bytes ?? 0;
          const of = (rs: typeof runs, field: 'seconds' | 'serviceCpu' | 'neo4jCpu' | 'readerCpu') =>
            median(rs.map((r) => r[field]));
          const seconds = of(runs, 'seconds');
          const edgeRate = format === 'nodes.csv' || format === 'deals.csv' ? 0 : edges;
          const row: ExportBenchRow = {
            deals,
            nodes,
            edges,
            format,
            bytes,
            seconds,
            edgesPerSecond: edgeRate / seconds,
            firstSeconds: runs[0]?.seconds ?? seconds,
            serviceCpu: of(runs, 'serviceCpu'),
            neo4jCpu: of(runs, 'neo4jCpu'),
            readerCpu: of(runs, 'readerCpu'),
          };
          if (base)
            row.baseline = {
              seconds: of(baseRuns, 'seconds'),
              edgesPerSecond: edgeRate / of(baseRuns, 'seconds'),
              serviceCpu: of(baseRuns, 'serviceCpu'),
              neo4jCpu: of(baseRuns, 'neo4jCpu'),
              readerCpu: of(baseRuns, 'readerCpu'),
            };
          rows.push(row);
          const rate = (secs: number) =>
            format === 'nodes.csv'
              ? `${Math.round(nodes / secs)} nodes/s`
              : format === 'deals.csv'
                ? `${Math.round(deals / secs)} deals/s`
                : `${Math.round(edges / secs)} edges/s`;
          const cpu = (r: { serviceCpu: number; neo4jCpu: number; readerCpu: number }) =>
            `CPU service ${r.serviceCpu.toFixed(2)} s, Neo4j ${r.neo4jCpu.toFixed(2)} s, reader ${r.readerCpu.toFixed(2)} s`;
          log(
            `  ${format.padEnd(10)} ${(bytes / 1048576).toFixed(1).padStart(7)} MiB ${seconds.toFixed(2).padStart(7)} s  ${rate(seconds)} (first ${rate(row.firstSeconds)})  ${cpu(row)}` +
              (row.baseline
                ? `  (baseline ${row.baseline.seconds.toFixed(2)} s, ${rate(row.baseline.seconds)}, ${cpu(row.baseline)})`
                : '') +
              `  service RSS now ${rssMiB(pid).now.toFixed(0)} MiB, load ${(os.loadavg()[0] ?? 0).toFixed(2)}`,
          );
        }
        // Selections: deals by filter (a seller: about 1/200 of them; a buyer in a period; a period
        // alone: 2 of 35 years; a period and a status) and a neighbourhood, each against the baseline
        // too, taking turns, so that an export by filter is compared with the same export before.
        for (const query of [
          `seller=${countryId(3)}`,
          `buyer=${countryId(5)}&orderedFrom=2000&orderedTo=2010`,
          'orderedFrom=2015&orderedTo=2016',
          'status=COMPLETED&orderedFrom=2020&orderedTo=2020',
          `around=${countryId(0)}&depth=2`,
        ]) {
          const times: number[] = [];
          const baseTimes: number[] = [];
          let bytes = 0;
          for (let round = 0; round < rounds; round++) {
            if (base)
              baseTimes.push((await drain(`http://127.0.0.1:${basePort}/export/graphml?${query}`)).seconds);
            const r = await drain(`http://127.0.0.1:${port}/export/graphml?${query}`);
            bytes = r.bytes;
            times.push(r.seconds);
          }
          const seconds = median(times);
          const baselineSeconds = base ? median(baseTimes) : undefined;
          selections.push({
            query,
            bytes,
            seconds,
            firstSeconds: times[0] ?? seconds,
            ...(baselineSeconds === undefined ? {} : { baselineSeconds }),
          });
          log(
            `  graphml?${query}: ${(bytes / 1048576).toFixed(2)} MiB in ${seconds.toFixed(3)} s (first ${(times[0] ?? seconds).toFixed(3)} s)` +
              (baselineSeconds === undefined
                ? ''
                : ` (baseline ${baselineSeconds.toFixed(3)} s: ${(baselineSeconds / seconds).toFixed(2)}x as fast)`),
          );
        }
      } finally {
        const peak = rssMiB(pid).peak;
        const basePeak = base?.pid ? rssMiB(base.pid).peak : undefined;
        for (const child of [service, base]) {
          if (!child || child.exitCode !== null || child.signalCode !== null) continue;
          child.kill('SIGTERM');
          await new Promise((r) => child.once('exit', r));
        }
        results.push({
          deals,
          nodes,
          edges,
          rows,
          selections,
          servicePeakRssMiB: peak,
          serviceIdleRssMiB: idle.now,
          ...(basePeak === undefined ? {} : { baselinePeakRssMiB: basePeak }),
        });
        log(
          `  service process: ${idle.now.toFixed(0)} MiB after start, peak ${peak.toFixed(0)} MiB over all exports` +
            (basePeak === undefined ? '' : ` (baseline service: peak ${basePeak.toFixed(0)} MiB)`),
        );
      }
    }
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

if (require.main === module) {
  benchExport()
    .then((sizes) => {
      const first = sizes[0];
      const last = sizes.at(-1);
      if (first && last && first !== last) {
        process.stdout.write(
          `peak service RSS: ${first.servicePeakRssMiB.toFixed(0)} MiB at ${first.edges} edges, ` +
            `${last.servicePeakRssMiB.toFixed(0)} MiB at ${last.edges} edges ` +
            `(graph ×${(last.edges / Math.max(1, first.edges)).toFixed(1)})\n`,
        );
      }
    })
    .catch((err: unknown) => {
      process.stderr.write(`bench:export failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    });
}
