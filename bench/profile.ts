/**
 * `npm run bench:profile`: where a request's CPU time goes. Starts its own embedded Neo4j (temporary
 * folder, free port), seeds the curated graph and imports a synthetic register of PROFILE_DEALS deals
 * (2,000), then for each target (this checkout, and PROFILE_BASELINE: a built older checkout, for
 * before/after in one run) starts the service as `npm run bench` does (bench/target-server.ts) under
 * `node --cpu-prof`, sends PROFILE_QUERY (a name from bench/query-mix.ts, default "lookup by id")
 * with PROFILE_CONNECTIONS (4) closed-loop clients for PROFILE_SECONDS (10) after a 2 s warm-up, stops
 * it and reads the profile back. Targets take turns over PROFILE_ROUNDS (2) rounds, one profile each.
 *
 * Only the samples of the measured phase count (start-up and warm-up left out). Each sample goes to the innermost step on its stack (parse, validate, limits, execute, resolvers,
 * data layer, driver, serialisation, ...), so a helper of graphql-js that validation calls counts as
 * validation. Prints each step's share of the busy time (idle excluded), requests per second and the
 * service process's CPU time per request (from /proc: it hardly moves with load elsewhere), and
 * keeps the .cpuprofile files (open them in Chrome DevTools) under PROFILE_OUT ($TMPDIR/armsgraph-profiles).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSipri } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import { emptyPhase, runPhase } from './load-loop';
import { uptimeLine } from './machine';
import { QUERY_MIX, type MixParams } from './query-mix';
import { syntheticRegister } from './synthetic';
import { startBenchNeo4j } from './bench-neo4j';

const env = process.env;
const SECONDS = Number(env.PROFILE_SECONDS ?? 10);
const CONNECTIONS = Math.max(1, Number(env.PROFILE_CONNECTIONS ?? 4));
const ROUNDS = Math.max(1, Number(env.PROFILE_ROUNDS ?? 2));
const DEALS = Number(env.PROFILE_DEALS ?? 2000);
const QUERY = env.PROFILE_QUERY ?? 'lookup by id';
const BASELINE = env.PROFILE_BASELINE ?? null;
const OUT = env.PROFILE_OUT ?? path.join(os.tmpdir(), 'armsgraph-profiles');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, as process.hrtime reads it (both are CLOCK_MONOTONIC). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Steps, innermost first: the first that matches a frame on a sample's stack (leaf to root) takes it. */
const STEPS: Array<[string, (url: string, fn: string) => boolean]> = [
  ['gc', (_u, f) => f === '(garbage collector)'],
  ['serialisation (JSON)', (u, f) => u === '' && /^(stringify|parse|JSON\.\w+)$/.test(f)],
  ['parse', (u) => /graphql\/language\//.test(u)],
  ['validate', (u) => /graphql\/validation\//.test(u)],
  ['limits', (u) => /src\/http\/limits|src\/graphql\/operation-/.test(u)],
  ['driver', (u) => /neo4j-driver/.test(u)],
  ['dataloader', (u) => /node_modules\/dataloader\//.test(u)],
  ['data layer (src/db)', (u) => /\/src\/db\//.test(u)],
  // The compiled operations: graphql-jit's runtime, and the generated code (no file of its own), which
  // counts here through its caller, the executor.
  ['execute (graphql-jit)', (u) => /node_modules\/graphql-jit\/|src\/graphql\/compiled-executor/.test(u)],
  ['resolvers (src/graphql)', (u) => /\/src\/graphql\//.test(u)],
  ['execute (graphql-js)', (u) => /graphql\/(execution|type|utilities|jsutils|error)\//.test(u)],
  ['apollo server', (u) => /@apollo\/|@as-integrations\//.test(u)],
  [
    'express and middleware',
    (u) =>
      /node_modules\/(express|router|path-to-regexp|parseurl|body-parser|raw-body|compression|express-rate-limit|on-finished|on-headers|vary|finalhandler|send|qs|type-is|content-type|negotiator|accepts|iconv-lite|depd)\//.test(
        u,
      ) || /\/src\/(http|auth)\//.test(u),
  ],
  ['metrics and logs', (u) => /prom-client|pino/.test(u)],
  ['node core (http, net, streams)', (u) => u.startsWith('node:')],
];

/** Each step's share of the busy samples between `fromUs` and `toUs` (start-up and warm-up left out). */
export function stepShares(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
): { busyMs: number; sampledMs: number; shares: Record<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stepOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stepOf.get(id);
    if (known) return known;
    const n = byId.get(id);
    const f = n?.callFrame.functionName ?? '';
    if (f === '(idle)' || f === '(program)') return 'idle';
    let step: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !step; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame) step = STEPS.find(([, match]) => match(frame.url, frame.functionName))?.[0];
    }
    const result = step ?? 'other';
    stepOf.set(id, result);
    return result;
  };
  const micros = new Map<string, number>();
  let at = profile.startTime;
  let sampled = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromUs || at > toUs) return;
    sampled += delta;
    const step = classify(id);
    micros.set(step, (micros.get(step) ?? 0) + delta);
  });
  micros.delete('idle');
  const busy = [...micros.values()].reduce((a, b) => a + b, 0);
  const shares = Object.fromEntries(
    [...micros].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round((v / busy) * 1000) / 10]),
  );
  return { busyMs: Math.round(busy / 1000), sampledMs: Math.round(sampled / 1000), shares };
}

interface Run {
  target: string;
  requestsPerSecond: number;
  busyMsPerRequest: number;
  /** The process's CPU time (user + system, all threads, /proc) per request: steadier than busyMs on a loaded machine. */
  cpuUsPerRequest: number | null;
  shares: Record<string, number>;
  file: string;
}

async function profileTarget(
  name: string,
  checkout: string,
  uri: string,
  password: string,
  body: string,
  round: number,
): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-profile-'));
  const child = fork(path.join(checkout, 'dist', 'bench', 'target-server.js'), [], {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: { ...env, BENCH_TARGET: 'armsgraph', BENCH_NEO4J_URI: uri, BENCH_NEO4J_PASSWORD: password },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${name} exited during start-up (code ${code})`)));
  });
  const target = { url: `http://127.0.0.1:${port}/graphql`, body };
  await runPhase(target, CONNECTIONS, 2000, emptyPhase());
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const phase = await runPhase({ ...target, pid: child.pid }, CONNECTIONS, SECONDS * 1000, emptyPhase());
  const toUs = Number(process.hrtime.bigint() / 1000n);
  if (phase.errors || phase.timeouts) throw new Error(`${name}: ${phase.errorSample}`);
  const exited = new Promise((r) => child.once('exit', r));
  child.disconnect();
  await exited;
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${name} wrote no profile`);
  fs.mkdirSync(OUT, { recursive: true });
  const kept = path.join(OUT, `${name}-${QUERY.replace(/\W+/g, '-')}-${round + 1}.cpuprofile`);
  fs.copyFileSync(path.join(dir, file), kept);
  fs.rmSync(dir, { recursive: true, force: true });
  const profile = JSON.parse(fs.readFileSync(kept, 'utf8')) as CpuProfile;
  const { busyMs, sampledMs, shares } = stepShares(profile, fromUs, toUs);
  // Samples of the measured phase only: if the clocks did not line up, nothing would be counted.
  if (sampledMs < ((toUs - fromUs) / 1000) * 0.5)
    throw new Error(`${name}: the profile covers ${sampledMs} ms of the ${SECONDS} s measured`);
  const requests = phase.latencies.length;
  return {
    target: name,
    requestsPerSecond: Math.round(requests / phase.seconds),
    busyMsPerRequest: Math.round((busyMs / Math.max(1, requests)) * 1000) / 1000,
    cpuUsPerRequest: phase.cpuUs === null ? null : Math.round(phase.cpuUs / Math.max(1, requests)),
    shares,
    file: kept,
  };
}

async function main(): Promise<void> {
  const query = QUERY_MIX.find((q) => q.name === QUERY);
  if (!query) throw new Error(`PROFILE_QUERY: no query named "${QUERY}" in bench/query-mix.ts`);
  if (BASELINE && !fs.existsSync(path.join(BASELINE, 'dist', 'bench', 'target-server.js')))
    throw new Error(`PROFILE_BASELINE=${BASELINE} has no dist/bench/target-server.js: build it first`);
  const loadBefore = uptimeLine();
  const { neo, db, close } = await startBenchNeo4j('profile', {
    heap: '1g',
    pageCache: '512m',
    // A busy shared machine may take minutes to start a JVM.
    startTimeoutMs: 900_000,
    queryTimeoutMs: 600_000,
  });
  const runs: Run[] = [];
  try {
    const register = await syntheticRegister(DEALS);
    await importSipri(db, await readRegister(register));
    fs.rmSync(path.dirname(register), { recursive: true, force: true });
    const dealId = String(
      (await db.read("MATCH (d:Deal) WHERE d.id STARTS WITH 'sipri-' RETURN d.id AS id LIMIT 1"))[0]?.id,
    );
    const params: MixParams = {
      buyer: 'IND',
      system: 's-400',
      periodFrom: 2014,
      periodTo: 2016,
      totalsFrom: 2019,
      totalsTo: 2023,
      dealId,
      searchText: 's-400',
      neighborhoodId: 'TUR',
    };
    const body = JSON.stringify(query.armsgraph(params));
    const targets: Array<[string, string]> = [['armsgraph', path.join(__dirname, '..', '..')]];
    if (BASELINE) targets.push(['baseline', BASELINE]);
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, checkout] of targets)
        runs.push(
          await profileTarget(name, checkout, neo.connection.uri, neo.connection.password, body, round),
        );
  } finally {
    await close();
  }
  const report = {
    query: QUERY,
    connections: CONNECTIONS,
    seconds: SECONDS,
    uptimeBefore: loadBefore,
    uptimeAfter: uptimeLine(),
    runs,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (require.main === module)
  main().catch((err: unknown) => {
    process.stderr.write(`bench:profile failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
