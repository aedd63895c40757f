/**
 * A bounded loopback load test: `npm run bench:load`. Starts its own embedded Neo4j (temporary data
 * folder, free port) and the service on 127.0.0.1, seeds the curated graph, and sends a fixed number
 * of requests (reads, plus idempotent writes with the write token) at a fixed concurrency. Prints
 * requests, concurrency, errors (non-2xx or GraphQL errors) and latency percentiles, then stops
 * everything it started. Loopback only, bounded in count (LOAD_REQUESTS) and time (LOAD_MAX_SECONDS).
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import { createApp } from '../src/app';
import { silentLogger } from '../src/logger';
import { seedGraph } from '../src/seed/seeder';
import { openStore } from '../src/store';
import { embeddedBenchConfig } from './bench-config';

const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 5000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const MAX_SECONDS = Number(process.env.LOAD_MAX_SECONDS ?? 120);
const TOKEN = 'bench:bench-write-token';

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

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
  let errors = 0;
  const errorSamples: string[] = [];
  try {
    await seedGraph(store.db);
    const app = await createApp({ config, db: store.db, logger });
    const port = await app.listen(0, '127.0.0.1');
    const check = (_status: number, text: string) => {
      if (text.includes('"errors"')) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(text.slice(0, 300));
      }
    };
    const headers = { 'content-type': 'application/json' };
    const writeHeaders = { ...headers, authorization: 'Bearer bench-write-token' };
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/graphql',
        headers,
        body: body(
          '{ country(id: "Türkiye") { id name memberships { alliance { id } since } purchases { id status } } }',
        ),
        onResponse: check,
      },
      {
        method: 'POST',
        path: '/graphql',
        headers,
        body: body(
          '{ deals(filter: {system: "s-400"}, first: 20) { totalCount edges { node { id buyer { id } orderYear } } } }',
        ),
        onResponse: check,
      },
      {
        method: 'POST',
        path: '/graphql',
        headers,
        body: body('{ search(text: "turkiye", first: 5) { id name } }'),
        onResponse: check,
      },
      {
        method: 'POST',
        path: '/graphql',
        headers: writeHeaders,
        body: body(
          'mutation { recordMembership(input: {country: "TUR", alliance: "nato", since: "1952-02-18", sourceIds: ["article-s400-turkey"]}) { change { id } } }',
        ),
        onResponse: check,
      },
    ];
    const started = Date.now();
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      amount: REQUESTS,
      duration: MAX_SECONDS,
      requests,
    });
    const seconds = (Date.now() - started) / 1000;
    await app.close();
    const report = {
      machine: `${os.cpus().length} cores`,
      requests: result.requests.total,
      concurrency: CONNECTIONS,
      seconds: Math.round(seconds * 10) / 10,
      requestsPerSecond: Math.round(result.requests.total / seconds),
      non2xx: result.non2xx,
      transportErrors: result.errors + result.timeouts,
      graphqlErrors: errors,
      errors: result.non2xx + result.errors + result.timeouts + errors,
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      writesShare: '1 in 4 (recordMembership, idempotent)',
      errorSamples,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.errors > 0) process.exitCode = 1;
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:load failed: ${(err as Error).message}\n`);
  process.exit(1);
});
