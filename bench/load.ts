/**
 * A bounded loopback load test: `npm run bench:load`. Starts its own embedded Neo4j (temporary data
 * folder, free port) and the service on 127.0.0.1, seeds the curated graph (and imports a SIPRI export
 * when LOAD_SIPRI_FILE names one, for realistic table sizes), then `LOAD_CONNECTIONS` closed-loop
 * clients send `LOAD_REQUESTS` requests in all, taking the query types in turn: lookups, deal pages,
 * search, transfer tables, neighbourhoods, paths and an idempotent write. Prints, per query type and
 * in all: requests, errors (non-2xx, GraphQL errors, timeouts), p50 and p99 latency; then stops
 * everything it started. The rate limit is off (one client sends everything). Loopback only.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { createApp } from '../src/app';
import { importSipri } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import { silentLogger } from '../src/logger';
import { seedGraph } from '../src/seed/seeder';
import { openStore } from '../src/store';
import { embeddedBenchConfig } from './bench-config';
import { post, RequestTimeout } from './load-loop';

const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 5000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const MAX_SECONDS = Number(process.env.LOAD_MAX_SECONDS ?? 900);
const SIPRI_FILE = process.env.LOAD_SIPRI_FILE;
const TOKEN = 'bench:bench-write-token';
const WRITE_HEADERS = { authorization: 'Bearer bench-write-token' };

interface QueryType {
  name: string;
  body: string;
  headers?: Record<string, string>;
}

const body = (query: string) => JSON.stringify({ query });

const TYPES: QueryType[] = [
  {
    name: 'country',
    body: body(
      '{ country(id: "Türkiye") { id name memberships { alliance { id } since } purchases { id status } } }',
    ),
  },
  {
    name: 'deals',
    body: body(
      '{ deals(filter: {system: "s-400"}, first: 20) { totalCount edges { node { id buyer { id } orderYear } } } }',
    ),
  },
  { name: 'search', body: body('{ search(text: "turkiye", first: 5) { id name } }') },
  {
    name: 'transferTotals',
    body: body(
      '{ transferTotals(by: SUPPLIER, deliveredFrom: 2000, deliveredTo: 2023, first: 10) { entity { id } tivDelivered deals } }',
    ),
  },
  {
    name: 'neighborhood',
    body: body('{ neighborhood(id: "TUR", depth: 1, first: 50) { nodes { id } edges { id type } } }'),
  },
  {
    name: 'paths',
    body: body('{ paths(from: "TUR", to: "RUS", maxHops: 2) { nodes { id } edges { id } } }'),
  },
  {
    name: 'write',
    headers: WRITE_HEADERS,
    body: body(
      'mutation { recordMembership(input: {country: "TUR", alliance: "nato", since: "1952-02-18", sourceIds: ["article-s400-turkey"]}) { change { id } } }',
    ),
  },
];

interface Tally {
  latencies: number[];
  errors: number;
  samples: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

function summary(t: Tally, seconds: number) {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return {
    requests: t.latencies.length,
    perSecond: Math.round(t.latencies.length / seconds),
    errors: t.errors,
    p50ms: round(percentile(sorted, 50)),
    p99ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

async function main(): Promise<void> {
  const { config, dataDir } = await embeddedBenchConfig('load', {
    NEO4J_LOCAL_HEAP: '1g',
    NEO4J_LOCAL_PAGECACHE: '256m',
    ARMSGRAPH_WRITE_TOKEN: TOKEN,
    // One client sends everything here; the per-client limit would (rightly) stop it.
    ARMSGRAPH_RATE_LIMIT: '0',
  });
  const logger = silentLogger();
  const store = await openStore(config, logger);
  try {
    await seedGraph(store.db);
    if (SIPRI_FILE) await importSipri(store.db, await readRegister(SIPRI_FILE));
    const app = await createApp({ config, db: store.db, logger });
    const port = await app.listen(0, '127.0.0.1');
    const url = new URL(`http://127.0.0.1:${port}/graphql`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const tallies = new Map(TYPES.map((t) => [t.name, { latencies: [], errors: 0, samples: [] } as Tally]));
    const load1 = os.loadavg()[0] ?? 0;
    const started = Date.now();
    const deadline = started + MAX_SECONDS * 1000;
    let sent = 0;
    const client = async () => {
      while (sent < REQUESTS && Date.now() < deadline) {
        const type = TYPES[sent++ % TYPES.length] as QueryType;
        const tally = tallies.get(type.name) as Tally;
        const t0 = process.hrtime.bigint();
        let failure: string | undefined;
        try {
          const res = await post(agent, url, type.body, undefined, type.headers);
          if (res.status !== 200 || res.text.includes('"errors"')) failure = res.text.slice(0, 300);
        } catch (err) {
          failure = err instanceof RequestTimeout ? err.message : String(err);
        }
        tally.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (failure !== undefined) {
          tally.errors++;
          if (tally.samples.length < 3) tally.samples.push(failure);
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, client));
    const seconds = (Date.now() - started) / 1000;
    agent.destroy();
    await app.close();
    const all: Tally = { latencies: [], errors: 0, samples: [] };
    for (const t of tallies.values()) {
      all.latencies.push(...t.latencies);
      all.errors += t.errors;
      all.samples.push(...t.samples);
    }
    const report = {
      machine: `${os.cpus().length} cores`,
      loadAverage: { start: round(load1), end: round(os.loadavg()[0] ?? 0) },
      graph: SIPRI_FILE ? `curated seed + ${SIPRI_FILE}` : 'curated seed',
      concurrency: CONNECTIONS,
      seconds: round(seconds),
      total: summary(all, seconds),
      byType: Object.fromEntries([...tallies].map(([name, t]) => [name, summary(t, seconds)])),
      errorSamples: all.samples.slice(0, 5),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (all.errors > 0) process.exitCode = 1;
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:load failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
