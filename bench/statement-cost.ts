/**
 * `npm run bench:statements`: what each query of the mix (bench/query-mix.ts) costs in Cypher, against
 * the floor's one statement. Starts its own embedded Neo4j (temporary folder, free port), imports the
 * synthetic register of STATEMENTS_DEALS deals (10,000), runs the service in this process over it and
 * sends each query once to warm it, then once more capturing every statement it sends (its round trips
 * to Neo4j). Each captured statement, and the floor's (bench/floor-cypher.ts), is then run
 * STATEMENTS_REPEAT (200) times through neo4j-driver as an auto-commit query, alternating ours and the
 * floor's: the medians of Neo4j's own time (the summary's resultAvailableAfter + resultConsumedAfter)
 * and of the driver's wall time (run to the last record). The difference between a target's p50 in
 * `npm run bench` and these is what the service (HTTP, GraphQL, the mapper) adds around its statements.
 * BENCH_QUERIES (semicolon-separated names) narrows the mix. Prints a Markdown table.
 */
import '../src/node-env';
import neo4j, { type Driver } from 'neo4j-driver';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { Database, type Params, type Runner } from '../src/db/database';
import { importSipri } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import { silentLogger } from '../src/logger';
import { openStore } from '../src/store';
import fs from 'node:fs';
import path from 'node:path';
import { startBenchNeo4j } from './bench-neo4j';
import { FLOOR_CYPHER } from './floor-cypher';
import { uptimeLine } from './machine';
import { pickParams } from './mix-params';
import { QUERY_MIX } from './query-mix';
import { syntheticRegister } from './synthetic';

const env = process.env;
const DEALS = Number(env.STATEMENTS_DEALS ?? 10_000);
const REPEAT = Math.max(1, Number(env.STATEMENTS_REPEAT ?? 200));
const QUERIES = env.BENCH_QUERIES ? env.BENCH_QUERIES.split(';').map((s) => s.trim()) : null;

interface Captured {
  cypher: string;
  params: Params;
}

/** Every statement Database.run sends while `capturing` holds a list (all of the service's go there). */
let capturing: Captured[] | null = null;
const run = Database.prototype.run;
Database.prototype.run = function (this: Database, tx: Runner, cypher: string, params: Params = {}) {
  capturing?.push({ cypher, params });
  return run.call(this, tx, cypher, params);
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (n: number) => Math.round(n * 1000) / 1000;

/** The floor's parameters as bench/target-server.ts sends them: JSON integers as Neo4j integers. */
const floorParams = (params: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      typeof v === 'number' && Number.isInteger(v) ? neo4j.int(v) : v,
    ]),
  );

/** One auto-commit statement: Neo4j's time for it and the driver's wall time, in ms. */
async function timeOnce(driver: Driver, s: Captured): Promise<{ server: number; wall: number }> {
  const session = driver.session({ defaultAccessMode: neo4j.session.READ });
  try {
    const t0 = process.hrtime.bigint();
    const result = await session.run(s.cypher, s.params);
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const server =
      neo4j.integer.toNumber(result.summary.resultAvailableAfter) +
      neo4j.integer.toNumber(result.summary.resultConsumedAfter);
    return { server, wall };
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const loadBefore = uptimeLine();
  const { neo, db, close } = await startBenchNeo4j('statements', {
    heap: '1g',
    pageCache: '1g',
    startTimeoutMs: 900_000,
    queryTimeoutMs: 600_000,
  });
  const lines: string[] = [];
  try {
    const register = await syntheticRegister(DEALS);
    await importSipri(db, await readRegister(register));
    fs.rmSync(path.dirname(register), { recursive: true, force: true });
    const p = await pickParams(db);
    const config = loadConfig({
      ...env,
      NODE_ENV: 'production',
      NEO4J_URI: neo.connection.uri,
      NEO4J_PASSWORD: neo.connection.password,
      ARMSGRAPH_RATE_LIMIT: '0',
      LOG_LEVEL: 'silent',
    });
    const store = await openStore(config, silentLogger());
    const app = await createApp({ config, db: store.db, logger: silentLogger() });
    const port = await app.listen(0, '127.0.0.1');
    const driver = neo4j.driver(neo.connection.uri, neo4j.auth.basic('neo4j', neo.connection.password), {
      logging: { level: 'error', logger: () => undefined },
    });
    try {
      lines.push(
        `${DEALS.toLocaleString('en')} synthetic deals; ${REPEAT} runs of each statement, ours and the floor's in turns; ms are medians.`,
        '',
        '| query | statements (ours / floor) | Neo4j ms, ours (sum) / floor | driver wall ms, ours (sum) / floor |',
        '|---|---|---|---|',
      );
      for (const q of QUERY_MIX.filter((m) => !QUERIES || QUERIES.includes(m.name))) {
        const body = JSON.stringify(q.armsgraph(p));
        const send = async () => {
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const answer = (await res.json()) as { errors?: unknown };
          if (answer.errors) throw new Error(`${q.name}: ${JSON.stringify(answer.errors)}`);
        };
        await send();
        capturing = [];
        await send();
        const ours = capturing;
        capturing = null;
        const f = q.floor(p);
        const floor: Captured = { cypher: FLOOR_CYPHER[f.query], params: floorParams(f.params) };
        const oursTimes = ours.map(() => ({ server: [] as number[], wall: [] as number[] }));
        const floorTimes = { server: [] as number[], wall: [] as number[] };
        for (let i = 0; i < REPEAT; i++) {
          for (const [j, s] of ours.entries()) {
            const t = await timeOnce(driver, s);
            oursTimes[j]!.server.push(t.server);
            oursTimes[j]!.wall.push(t.wall);
          }
          const t = await timeOnce(driver, floor);
          floorTimes.server.push(t.server);
          floorTimes.wall.push(t.wall);
        }
        const sum = (pick: (t: { server: number[]; wall: number[] }) => number[]) =>
          oursTimes.reduce((a, t) => a + median(pick(t)), 0);
        const each = (pick: (t: { server: number[]; wall: number[] }) => number[]) =>
          ours.length > 1 ? ` (${oursTimes.map((t) => ms(median(pick(t)))).join(' + ')})` : '';
        lines.push(
          `| ${q.name} | ${ours.length} / 1 | ${ms(sum((t) => t.server))}${each((t) => t.server)} / ${ms(median(floorTimes.server))} | ` +
            `${ms(sum((t) => t.wall))}${each((t) => t.wall)} / ${ms(median(floorTimes.wall))} |`,
        );
        process.stderr.write(`${lines.at(-1)}\n`);
      }
    } finally {
      await driver.close();
      await app.close();
      await store.close();
    }
  } finally {
    await close();
  }
  lines.push('', `Load: ${loadBefore} (before); ${uptimeLine()} (after).`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:statements failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
