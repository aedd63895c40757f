import path from 'node:path';
import { projectRoot } from '../src/project-root';
import { REQUEST_TIMEOUT_MS } from './load-loop';

/** `npm run bench`'s settings, read once from the environment (see bench/run.ts for each variable). */
const env = process.env;
const num = (name: string, fallback: number) => {
  const v = Number(env[name] ?? fallback);
  return Number.isFinite(v) && v >= 0 ? v : fallback;
};
export const SETTINGS = {
  register:
    env.SIPRI_REGISTER ??
    path.join(projectRoot(), '..', 'shared', 'data', 'sipri-trade-register-2000-2023.csv'),
  sizes: (env.BENCH_SIZES ?? '10000,50000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0),
  /** Graph sizes of the export benchmark (deals): BENCH_EXPORT_SIZES, default the synthetic sizes. */
  exportSizes: (env.BENCH_EXPORT_SIZES ?? env.BENCH_SIZES ?? '10000,50000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0),
  latencyS: num('BENCH_LATENCY_S', 1.5),
  throughputS: num('BENCH_THROUGHPUT_S', 1.5),
  warmupS: num('BENCH_WARMUP_S', 0.5),
  rounds: Math.max(1, Math.round(num('BENCH_ROUNDS', 4))),
  connections: Math.max(1, Math.round(num('BENCH_CONNECTIONS', 4))),
  /** How long the bench's embedded Neo4j may take to start (a loaded machine needs longer). */
  neo4jStartTimeoutS: num('BENCH_NEO4J_START_TIMEOUT_S', 180),
  heap: env.BENCH_NEO4J_HEAP ?? '3g',
  pageCache: env.BENCH_NEO4J_PAGECACHE ?? '3g',
  baseline: env.BENCH_BASELINE ?? null,
  /** Only these queries of the mix (names, comma-separated), to look at one quickly; default all. */
  // Names hold commas ("totals by supplier, 5 years"): the list is separated by semicolons.
  queries: env.BENCH_QUERIES ? env.BENCH_QUERIES.split(';').map((s) => s.trim()) : null,
  /** How long one request may take before it is abandoned and counted as a timeout. */
  requestTimeoutS: REQUEST_TIMEOUT_MS / 1000,
  out: env.BENCH_OUT ?? path.join(projectRoot(), 'bench', 'results'),
};
export type Settings = typeof SETTINGS;
