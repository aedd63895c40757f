/**
 * `npm run bench`: armsgraph against the floor (hand-written Cypher through neo4j-driver) and the
 * peer (@neo4j/graphql's generated API), over the real SIPRI register and synthetic registers of
 * BENCH_SIZES deals, each in its own embedded Neo4j (temporary data folder, free port). For every
 * dataset: import rows/s (a user's first load: the bulk path into an empty folder, the offline
 * importer's JVM and Neo4j's start included; `npm run bench:import` without IMPORT_PATH still gives
 * the transactional batches' rate), then the bench's Neo4j on that folder (schema, seed), then the fixed query mix (bench/query-mix.ts) over HTTP on 127.0.0.1 against each target, each target a
 * child process (bench/target-server.ts) whose peak RSS is read from /proc, like Neo4j's JVM. Then
 * export edges/s and the exporting service's peak RSS at the same sizes (bench/export.ts).
 * Writes bench/results/latest.md and latest.json. Loopback only; bounded in time.
 *
 * Environment: SIPRI_REGISTER (default ../shared/data/sipri-trade-register-2000-2023.csv),
 * BENCH_SIZES ("10000,50000"; deals per synthetic register); per query and target BENCH_WARMUP_S
 * (0.5), BENCH_LATENCY_S (1.5, one client: p50/p99), BENCH_THROUGHPUT_S (1.5, BENCH_CONNECTIONS = 4
 * clients: requests per second), both split over BENCH_ROUNDS (4) rounds in which the targets take
 * turns, BENCH_NEO4J_HEAP / BENCH_NEO4J_PAGECACHE,
 * BENCH_BASELINE (a built armsgraph checkout measured as a fourth target, for before/after ratios),
 * BENCH_NEO4J_START_TIMEOUT_S (180: how long Neo4j may take to start, longer on a busy machine),
 * BENCH_EXPORT=0 (skip exports), BENCH_EXPORT_SIZES (deals of the export graphs, default BENCH_SIZES;
 * EXPORT_BENCH_BASELINE and EXPORT_BENCH_ROUNDS as for bench:export), BENCH_OUT (bench/results), BENCH_REQUEST_TIMEOUT_S (30: a request
 * that takes longer is abandoned and counted as a timeout of its target), BENCH_QUERIES (names from
 * the mix, semicolon-separated: only those), BENCH_SERVICE_NODE_ARGS (node options for the armsgraph and
 * baseline processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). Each target's CPU time per request
 * is read from /proc/<pid>/stat around its phases (bench/proc-cpu.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bulkImportSipri } from '../src/import/sipri/bulk-load';
import type { ImportReport } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import type { EmbeddedNeo4j } from '../src/neo4j/embedded';
import { measureInterleaved, post } from './load-loop';
import { describeMachine, loadAverage, uptimeLine } from './machine';
import { PeakTracker, rssBytes } from './proc-memory';
import { QUERY_MIX, type MixParams, type MixQuery } from './query-mix';
import { pickParams } from './mix-params';
import { writeReport } from './report';
import { SETTINGS } from './bench-settings';
import type { BenchReport, DatasetResult, Measured, QueryResult, TargetName } from './bench-results';
import { syntheticRegister } from './synthetic';
import { exportBench } from './export-hook';
import { startBenchNeo4j } from './bench-neo4j';
import { embeddedBenchConfig } from './bench-config';
import { silentLogger } from '../src/logger';
import http from 'node:http';

const env = process.env;

const mib = (bytes: number | null | undefined) => (bytes == null ? null : Math.round(bytes / 1024 / 1024));
const log = (msg: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface RunningTarget {
  name: TargetName;
  child: ChildProcess;
  port: number;
}

function startTarget(name: TargetName, neo: EmbeddedNeo4j): Promise<RunningTarget> {
  const script =
    name === 'baseline'
      ? path.join(SETTINGS.baseline ?? '', 'dist', 'bench', 'target-server.js')
      : path.join(__dirname, 'target-server.js');
  // BENCH_SERVICE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the service targets
  // (armsgraph and the baseline), not to the floor or the peer.
  const service = name === 'armsgraph' || name === 'baseline';
  const child = fork(script, [], {
    execArgv: service ? (env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean) : [],
    env: {
      ...env,
      BENCH_TARGET: name === 'baseline' ? 'armsgraph' : name,
      BENCH_NEO4J_URI: neo.connection.uri,
      BENCH_NEO4J_PASSWORD: neo.connection.password,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ name, child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`target ${name} exited during start-up (code ${code})`)));
  });
}

async function stopTarget(t: RunningTarget): Promise<void> {
  const exited = new Promise((r) => t.child.once('exit', r));
  t.child.disconnect();
  const timer = setTimeout(() => t.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function requestOf(
  q: MixQuery,
  target: TargetName,
  p: MixParams,
  port: number,
): { url: string; body: string } {
  if (target === 'floor') {
    const f = q.floor(p);
    return { url: `http://127.0.0.1:${port}/${f.query}`, body: JSON.stringify(f.params) };
  }
  const g = target === 'peer' ? q.peer(p) : q.armsgraph(p);
  return { url: `http://127.0.0.1:${port}/graphql`, body: JSON.stringify(g) };
}

/** One request per target, reduced to what the three must agree on. */
async function answerOf(q: MixQuery, target: TargetName, p: MixParams, port: number): Promise<unknown> {
  const { url, body } = requestOf(q, target, p, port);
  const agent = new http.Agent();
  try {
    let text: string;
    try {
      ({ text } = await post(agent, new URL(url), body));
    } catch (err) {
      // Recorded as this target's answer (so "same answer" says no) instead of stopping the run.
      return { failed: (err as Error).message };
    }
    const parsed = JSON.parse(text) as {
      data?: Record<string, unknown>;
      rows?: Record<string, unknown>[];
      errors?: unknown;
    };
    if (parsed.errors) return { errors: JSON.stringify(parsed.errors).slice(0, 300) };
    if (target === 'floor') return q.answer.floor(parsed.rows ?? []);
    return target === 'peer' ? q.answer.peer(parsed.data ?? {}) : q.answer.armsgraph(parsed.data ?? {});
  } finally {
    agent.destroy();
  }
}

function sameAnswer(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A user's first load of `register`: `armsgraph import sipri` into an empty embedded folder takes the
 * bulk path (src/import/sipri/bulk-load.ts), whose JVM is stopped after it; the folder is then the
 * bench's. The peaks are node's and that JVM's (bytes).
 */
async function firstLoad(
  name: string,
  register: string,
): Promise<{ report: ImportReport; dataDir: string; peakRssNode: number | null; peakRssJvm: number | null }> {
  const { config, dataDir } = await embeddedBenchConfig('bench', {
    NEO4J_LOCAL_HEAP: SETTINGS.heap,
    NEO4J_LOCAL_PAGECACHE: SETTINGS.pageCache,
    ARMSGRAPH_QUERY_TIMEOUT_MS: '3600000',
    NEO4J_LOCAL_START_TIMEOUT_MS: String(SETTINGS.neo4jStartTimeoutS * 1000),
  });
  try {
    log(`${name}: bulk first load of ${register}`);
    const peaks = new PeakTracker([process.pid]);
    const { report, store } = await bulkImportSipri(config, silentLogger(), await readRegister(register));
    const jvm = store.embedded?.pid;
    // The JVM's own peak counter (VmHWM) over its life, which was the load's.
    const peakRssJvm = jvm === undefined ? null : (rssBytes(jvm)?.peak ?? null);
    const peakRssNode = peaks.stop().get(process.pid) ?? null;
    await store.close();
    log(
      `${name}: ${report.rowsRead} rows, ${report.deals} deals in ${(report.durationMs / 1000).toFixed(1)} s (bulk) ${JSON.stringify(report.bulk)}`,
    );
    return { report, dataDir, peakRssNode, peakRssJvm };
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function benchDataset(
  name: string,
  register: string,
  generateSeconds: number | null,
  targets: TargetName[],
): Promise<DatasetResult> {
  const started = Date.now();
  const loadBefore = loadAverage();
  const loaded = await firstLoad(name, register);
  const { report } = loaded;
  const importSeconds = report.durationMs / 1000;
  log(
    `${name}: starting Neo4j on the loaded folder (heap ${SETTINGS.heap}, page cache ${SETTINGS.pageCache})`,
  );
  const { neo, db, close } = await startBenchNeo4j('bench', {
    heap: SETTINGS.heap,
    pageCache: SETTINGS.pageCache,
    startTimeoutMs: SETTINGS.neo4jStartTimeoutS * 1000,
    queryTimeoutMs: 3_600_000,
    dataDir: loaded.dataDir,
  });
  const running: RunningTarget[] = [];
  try {
    const params = await pickParams(db);
    log(`${name}: params ${JSON.stringify(params)}`);
    for (const t of targets) running.push(await startTarget(t, neo));

    const queries: QueryResult[] = [];
    const peaks = new Map<TargetName | 'neo4j', number | null>();
    for (const q of QUERY_MIX.filter((m) => !SETTINGS.queries || SETTINGS.queries.includes(m.name))) {
      const answers = new Map<TargetName, unknown>();
      for (const t of running) {
        const a = await answerOf(q, t.name, params, t.port);
        if (a && typeof a === 'object' && 'failed' in a)
          log(`${name}: ${q.name} / ${t.name}: answer failed: ${String(a.failed)}`);
        answers.set(t.name, a);
      }
      const ours = answers.get('armsgraph');
      const same: Partial<Record<TargetName, boolean>> = {};
      let mismatch: string | null = null;
      for (const [t, a] of answers) {
        same[t] = sameAnswer(ours, a);
        if (!same[t])
          mismatch ??= `${t}: ${JSON.stringify(a).slice(0, 200)} vs armsgraph: ${JSON.stringify(ours).slice(0, 200)}`;
      }
      const results: Partial<Record<TargetName, Measured>> = {};
      const tracker = new PeakTracker([...running.map((t) => t.child.pid ?? -1), neo.pid]);
      const measured = await measureInterleaved(
        running.map((t) => ({ ...requestOf(q, t.name, params, t.port), pid: t.child.pid })),
        {
          connections: SETTINGS.connections,
          latencyMs: SETTINGS.latencyS * 1000,
          throughputMs: SETTINGS.throughputS * 1000,
          warmupMs: SETTINGS.warmupS * 1000,
          rounds: SETTINGS.rounds,
        },
      );
      const p = tracker.stop();
      peaks.set('neo4j', Math.max(peaks.get('neo4j') ?? 0, p.get(neo.pid) ?? 0));
      for (const [i, t] of running.entries()) {
        const r = measured[i];
        if (!r) continue;
        peaks.set(t.name, Math.max(peaks.get(t.name) ?? 0, p.get(t.child.pid ?? -1) ?? 0));
        results[t.name] = r;
        log(
          `${name}: ${q.name} / ${t.name}: p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.requestsPerSecond}/s, ` +
            `CPU ${r.cpuUsPerRequest ?? 'n/a'} µs/request (${r.oneClientCpuUsPerRequest ?? 'n/a'} with one client)` +
            (r.errors || r.timeouts ? `, ${r.errors} errors, ${r.timeouts} timeouts: ${r.errorSample}` : ''),
        );
      }
      queries.push({ name: q.name, what: q.what, sameAnswer: same, answerMismatch: mismatch, results });
    }
    return {
      name,
      deals: report.deals,
      rows: report.rowsRead,
      generateSeconds,
      import: {
        rows: report.rowsRead,
        seconds: Math.round(importSeconds * 10) / 10,
        rowsPerSecond: Math.round(report.rowsRead / Math.max(importSeconds, 0.001)),
        peakRssMiB: { importer: mib(loaded.peakRssNode), neo4j: mib(loaded.peakRssJvm) },
        timingsMs: report.timings,
        path: 'bulk',
        ...(report.bulk ? { bulkMs: report.bulk } : {}),
      },
      params,
      queries,
      peakRssMiB: Object.fromEntries([...peaks].map(([k, v]) => [k, mib(v)])),
      loadBefore,
      loadAfter: loadAverage(),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    for (const t of running) await stopTarget(t);
    await close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const uptimeAtStart = uptimeLine();
  log(`machine: ${uptimeAtStart}`);
  const targets: TargetName[] = ['armsgraph', 'floor', 'peer'];
  if (SETTINGS.baseline) {
    if (!fs.existsSync(path.join(SETTINGS.baseline, 'dist', 'bench', 'target-server.js')))
      throw new Error(
        `BENCH_BASELINE=${SETTINGS.baseline} has no dist/bench/target-server.js: build it first`,
      );
    targets.push('baseline');
  }
  const datasets: DatasetResult[] = [];
  const skipped: string[] = [];
  if (fs.existsSync(SETTINGS.register)) {
    datasets.push(await benchDataset('SIPRI register 2000-2023', SETTINGS.register, null, targets));
  } else {
    const msg = `the real register was not found at ${SETTINGS.register} (set SIPRI_REGISTER to a SIPRI export); measured synthetic sizes only`;
    log(msg);
    skipped.push(msg);
  }
  for (const size of SETTINGS.sizes) {
    const t0 = Date.now();
    const file = await syntheticRegister(size);
    const generateSeconds = Math.round((Date.now() - t0) / 100) / 10;
    try {
      datasets.push(
        await benchDataset(`synthetic ${size.toLocaleString('en')} deals`, file, generateSeconds, targets),
      );
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  }
  log(`exports: ${SETTINGS.exportSizes.join(', ')} deals (bench/export.ts)`);
  const exports = await exportBench(SETTINGS.exportSizes, (line) => log(`export: ${line}`));
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: describeMachine(),
    uptimeAtStart,
    uptimeAtEnd: uptimeLine(),
    settings: SETTINGS,
    datasets,
    exports,
    skipped,
  };
  const files = writeReport(report, SETTINGS.out);
  process.stdout.write(fs.readFileSync(files.markdown, 'utf8'));
  log(`wrote ${files.markdown} and ${files.json}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
