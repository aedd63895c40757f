import fs from 'node:fs';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { openStore, type Store } from '../../src/store';
import { freePort, SHORT_LIVED_JVM, startTestNeo4j } from '../helpers/test-neo4j';
import { seedThroughApi, WRITER, WRITE_TOKEN } from '../helpers/write-helpers';

/**
 * Faults: this file runs its own Neo4j (own data folder and port), stops and restarts it under
 * traffic, and SIGKILLs it in the middle of writes. The service (createApp) is never rebuilt.
 */

type Neo = Awaited<ReturnType<typeof startTestNeo4j>>;
let neo: Neo;
let dataDir: string;
let boltPort: number;
let store: Store;
let app: App;
let url: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gql(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  return { status: res.status, body, code: body.errors?.[0]?.extensions?.code };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ready = async () => (await fetch(`${url}/readyz`)).status === 200;

beforeAll(async () => {
  // This file's copy of the environment (jest gives each file its own): its three Neo4j starts only.
  Object.assign(process.env, SHORT_LIVED_JVM);
  neo = await startTestNeo4j();
  dataDir = neo.dataDir;
  boltPort = Number(neo.connection.uri.split(':').pop());
  const config = loadConfig({
    NODE_ENV: 'test',
    NEO4J_URI: neo.connection.uri,
    NEO4J_PASSWORD: neo.connection.password,
    ARMSGRAPH_WRITE_TOKEN: WRITE_TOKEN,
    ARMSGRAPH_RATE_LIMIT: '0',
    ARMSGRAPH_RETRY_TIME_MS: '1000',
  });
  store = await openStore(config, silentLogger());
  app = await createApp({ config, db: store.db, logger: silentLogger() });
  url = `http://127.0.0.1:${await app.listen(await freePort(), '127.0.0.1')}`;
  await seedThroughApi({
    gql: async (q, v, h) => {
      const r = await gql(q, v ?? {}, h ?? {});
      return { status: r.status, body: r.body as never };
    },
  });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await neo?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const CREATE_PERSON =
  'mutation($input: CreateEntityInput!) { createEntity(input: $input) { entity { id } } }';

/** Writers and readers in a bounded loop until `stop()`: what was acknowledged, and every error code seen. */
function traffic(prefix: string) {
  const acknowledged: string[] = [];
  const codes: string[] = [];
  const statuses: number[] = [];
  let running = true;
  let n = 0;
  const worker = async (write: boolean) => {
    for (let i = 0; running && i < 5000; i++) {
      try {
        if (write) {
          const id = `${prefix}-${n++}`;
          const res = await gql(
            CREATE_PERSON,
            { input: { kind: 'PERSON', id, name: id, sourceIds: ['src-a'] } },
            WRITER,
          );
          statuses.push(res.status);
          if (res.code) codes.push(res.code);
          else acknowledged.push(id);
        } else {
          const res = await gql('{ country(id: "TUR") { id memberships { since } } }');
          statuses.push(res.status);
          if (res.code) codes.push(res.code);
        }
      } catch {
        codes.push('NETWORK');
      }
      await sleep(20);
    }
  };
  const done = Promise.all([worker(true), worker(true), worker(false), worker(false)]);
  return {
    acknowledged,
    codes,
    statuses,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Every acknowledged person is there, each with exactly one change; no person or change is half there. */
async function assertWhole(acknowledged: string[], prefix: string) {
  const rows = await store.db.read(
    `MATCH (p:Person) WHERE p.id STARTS WITH $prefix
     OPTIONAL MATCH (c:Change {mutation: 'createEntity'})-[:CHANGED]->(p)
     RETURN p.id AS id, count(c) AS changes`,
    { prefix: `${prefix}-` },
  );
  const present = new Map(rows.map((r) => [String(r.id), Number(r.changes)]));
  for (const id of acknowledged) expect([id, present.has(id)]).toEqual([id, true]);
  for (const [id, changes] of present) expect([id, changes]).toEqual([id, 1]);
  const orphans = await store.db.read(
    `MATCH (c:Change {mutation: 'createEntity'}) WHERE c.summary CONTAINS $prefix AND NOT (c)-[:CHANGED]->(:Person) RETURN count(c) AS n`,
    { prefix: `${prefix}-` },
  );
  expect(orphans[0]?.n).toBe(0);
}

// While Neo4j is down or restarting a request is refused at once (DATABASE_UNAVAILABLE) or, when
// it reached a database still starting, after the query timeout (QUERY_TIMEOUT): both coded, both
// retryable, neither ever a 5xx or a lost write.
const RETRYABLE_WHILE_DOWN = new Set(['DATABASE_UNAVAILABLE', 'QUERY_TIMEOUT']);

describe('Neo4j hung (SIGSTOP): the service answers instead of waiting', () => {
  it('/readyz says 503 within 1.5 s, queries answer within the query timeout, all recovers on SIGCONT', async () => {
    const TIMEOUT_MS = 2000;
    const config = loadConfig({
      NODE_ENV: 'test',
      NEO4J_URI: neo.connection.uri,
      NEO4J_PASSWORD: neo.connection.password,
      ARMSGRAPH_RATE_LIMIT: '0',
      ARMSGRAPH_QUERY_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    const hungStore = await openStore(config, silentLogger());
    const hungApp = await createApp({ config, db: hungStore.db, logger: silentLogger() });
    const base = `http://127.0.0.1:${await hungApp.listen(await freePort(), '127.0.0.1')}`;
    const lookup = () =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ country(id: "TUR") { id } }' }),
        // The bound is functional: a request must come back, with a code, not hang.
        signal: AbortSignal.timeout(TIMEOUT_MS + 1500),
      });
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      process.kill(neo.pid, 'SIGSTOP');
      try {
        // Asked until it says 503 or 1.5 s have passed: the claim is the time the service takes to
        // notice, and a probe sent while the signal is still reaching every JVM thread may see one
        // last answer (one CI run on a loaded machine did).
        const stoppedAt = Date.now();
        let probe = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1500) });
        while (probe.status === 200 && Date.now() - stoppedAt < 1500) {
          await sleep(100);
          probe = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(1500) });
        }
        expect([probe.status, probe.headers.get('retry-after')]).toEqual([503, '5']);
        expect(Date.now() - stoppedAt).toBeLessThan(3000);
        const answers = await Promise.all([lookup(), lookup(), lookup()]);
        for (const res of answers) {
          const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
          expect(['QUERY_TIMEOUT', 'DATABASE_UNAVAILABLE']).toContain(body.errors?.[0]?.extensions?.code);
        }
      } finally {
        process.kill(neo.pid, 'SIGCONT');
      }
      await until(
        async () => (await fetch(`${base}/readyz`)).status === 200,
        60_000,
        'readiness after SIGCONT',
      );
      // A resumed JVM may first spend seconds on its own work (GC, timers): lookups come back
      // within a bound, not necessarily on the first try.
      let back: unknown;
      await until(
        async () => {
          back = await (await lookup()).json();
          return JSON.stringify(back) === JSON.stringify({ data: { country: { id: 'TUR' } } });
        },
        60_000,
        'a lookup after SIGCONT',
      );
      expect(back).toEqual({ data: { country: { id: 'TUR' } } });
    } finally {
      await hungApp.close();
      await hungStore.close();
    }
  });
});

describe('Neo4j stopped and restarted under traffic', () => {
  it('fails fast with DATABASE_UNAVAILABLE meanwhile, recovers without a restart of the service, loses nothing', async () => {
    const load = traffic('stop');
    // Writes acknowledged before the stop, which must all survive it.
    await until(async () => load.acknowledged.length >= 5, 60_000, 'writes before the stop');
    await neo.stop();
    await until(async () => !(await ready()), 30_000, '/readyz to say 503');
    const down = await gql('{ country(id: "TUR") { id } }');
    expect([down.status, down.code]).toEqual([200, 'DATABASE_UNAVAILABLE']);
    const downWrite = await gql(
      CREATE_PERSON,
      { input: { kind: 'PERSON', id: 'while-down', name: 'x', sourceIds: ['src-a'] } },
      WRITER,
    );
    expect(downWrite.code).toBe('DATABASE_UNAVAILABLE');
    // The traffic, too, has met the database down before it comes back.
    await until(async () => load.codes.includes('DATABASE_UNAVAILABLE'), 30_000, 'the traffic to be refused');
    neo = await startTestNeo4j(dataDir, boltPort);
    await until(ready, 60_000, '/readyz to return to 200');
    const before = load.acknowledged.length;
    await until(async () => load.acknowledged.length > before + 5, 60_000, 'writes to succeed again');
    await load.stop();

    expect(load.codes).toContain('DATABASE_UNAVAILABLE');
    expect(new Set(load.codes.filter((c) => !RETRYABLE_WHILE_DOWN.has(c)))).toEqual(new Set());
    expect(load.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(load.acknowledged.length).toBeGreaterThan(before);
    await assertWhole(load.acknowledged, 'stop');
    // The write refused while Neo4j was down is not there.
    expect(await store.db.read('MATCH (p:Person {id: "while-down"}) RETURN p')).toEqual([]);
  });
});

describe('Neo4j killed (SIGKILL) in the middle of writes', () => {
  it('leaves a multi-statement transaction out entirely, and every mutation whole or absent', async () => {
    const load = traffic('kill');
    let killed = false;
    // A unit of work of several statements, killed between the second and the third.
    const halfway = store.db.writeTx(async (tx) => {
      await store.db.run(tx, 'CREATE (:Marker {id: "half-1"})');
      await store.db.run(tx, 'CREATE (:Marker {id: "half-2"})');
      if (!killed) {
        killed = true;
        process.kill(neo.pid, 'SIGKILL');
        await until(async () => !(await ready()), 30_000, 'Neo4j to be gone');
      }
      await store.db.run(tx, 'CREATE (:Marker {id: "half-3"})');
    });
    await expect(halfway).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    // The traffic, too, has met the database gone before it comes back.
    await until(
      async () => load.codes.some((c) => RETRYABLE_WHILE_DOWN.has(c)),
      30_000,
      'the traffic to be refused',
    );
    neo = await startTestNeo4j(dataDir, boltPort);
    await until(ready, 60_000, '/readyz to return to 200');
    const before = load.acknowledged.length;
    await until(async () => load.acknowledged.length > before + 5, 60_000, 'writes to succeed again');
    await load.stop();

    expect(await store.db.read('MATCH (m:Marker) RETURN m.id AS id')).toEqual([]);
    expect(load.statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(load.codes.filter((c) => !RETRYABLE_WHILE_DOWN.has(c)))).toEqual(new Set());
    await assertWhole(load.acknowledged, 'kill');
  });
});
