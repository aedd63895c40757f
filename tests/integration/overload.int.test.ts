import { mergeRelationsCypher, relationRows } from '../../src/db/graph-writer';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { RECORD_DEAL, seedThroughApi, WRITE_TOKEN, WRITER } from '../helpers/write-helpers';

/**
 * Overload: one request cannot take the service from other clients, concurrent writers on the same
 * parties do not fail, each client has its own rate-limit buckets. Correctness only: how fast is
 * `npm run bench:load`'s business.
 */

type Body = { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body | Body[] };
};

const codesOf = (body: Body | Body[]): string[] =>
  (Array.isArray(body) ? body : [body]).flatMap((b) =>
    (b.errors ?? []).map((e) => String(e.extensions?.code)),
  );

const HEAVY_ALIASES = (n: number) =>
  `{ ${Array.from(
    { length: n },
    (_, i) =>
      `t${i}: transferTotals(by: SUPPLIER, deliveredFrom: ${1950 + i}, deliveredTo: 2030) { entity { id } tivDelivered deals }`,
  ).join(' ')} }`;

/** A service that takes writes without a rate limit, on a graph seeded through its own API. */
async function seededWriteServer(): Promise<TestServer> {
  const server = await startTestServer({ ARMSGRAPH_WRITE_TOKEN: WRITE_TOKEN, ARMSGRAPH_RATE_LIMIT: '0' });
  await resetGraph(server.db);
  await seedThroughApi(server);
  return server;
}

describe('one heavy request among other clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_RATE_LIMIT: '0' });
    await resetGraph(server.db);
    await seedGraph(server.db);
  });
  afterAll(async () => {
    await server?.close();
  });

  const LOOKUP = '{ country(id: "Türkiye") { id name } }';

  it('refuses a batch of 10 × 30 heavy aliases as a whole (QUERY_TOO_COMPLEX), never INTERNAL_SERVER_ERROR', async () => {
    const before = server.db.statements;
    const batch = Array.from({ length: 10 }, () => ({ query: HEAVY_ALIASES(30) }));
    const [heavy, lookup] = await Promise.all([post(server.url, batch), post(server.url, { query: LOOKUP })]);
    expect(heavy.status).toBe(400);
    expect(codesOf(heavy.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect((heavy.body as Body).errors?.[0]?.message).toMatch(/counted over the whole batch/);
    expect(lookup.body).toEqual({ data: { country: { id: 'TUR', name: 'Turkey' } } });
    // Only the lookup reached the database.
    expect(server.db.statements - before).toBeLessThanOrEqual(2);
  });

  it('answers the heaviest batch the budget allows, and other clients meanwhile, without a single error', async () => {
    // 10 operations × 3 aliases = 30 aliases in all: the budget's edge, every one a database call.
    const batch = Array.from({ length: 10 }, () => ({ query: HEAVY_ALIASES(3) }));
    const lookups: Array<Promise<Awaited<ReturnType<typeof post>>>> = [];
    const heavy = post(server.url, batch);
    for (let i = 0; i < 20; i++) lookups.push(post(server.url, { query: LOOKUP }));
    const heavyRes = await heavy;
    expect(heavyRes.status).toBe(200);
    expect(codesOf(heavyRes.body)).toEqual([]);
    const answers = heavyRes.body as Body[];
    expect(answers).toHaveLength(10);
    for (const a of answers) expect(Object.keys(a.data as object)).toEqual(['t0', 't1', 't2']);
    for (const l of await Promise.all(lookups))
      expect(l.body).toEqual({ data: { country: { id: 'TUR', name: 'Turkey' } } });
  });

  it('keeps a request to its concurrency bound: 30 aliases run, at most 4 at a time', async () => {
    const db = server.db.forRequest(4);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        db.readTx(async (tx) => {
          running++;
          most = Math.max(most, running);
          await tx.run('RETURN 1');
          await new Promise((r) => setTimeout(r, 20));
          running--;
        }),
      ),
    );
    expect(most).toBe(4);
  });
});

describe('concurrent writers on the same parties', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await seededWriteServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  // 10 s rather than the 30 s: the machine is shared; deadlocks showed within seconds.
  it('8 writers recording deals between the same countries and system for 10 s: 0 failures', async () => {
    const failures: string[] = [];
    let written = 0;
    let until = 0;
    const writer = async (w: number, once = false) => {
      for (let i = 0; once ? i < 1 : Date.now() < until; i++) {
        // Half the writers have the parties the other way round: the lock order a deadlock needs.
        const [buyer, seller] = w % 2 === 0 ? ['TUR', 'RUS'] : ['RUS', 'TUR'];
        const res = await post(
          server.url,
          {
            query: RECORD_DEAL,
            variables: {
              input: {
                id: `load-${w}-${i}`,
                name: `Deal ${w}-${i}`,
                buyer,
                seller,
                system: 's-400',
                status: 'DELIVERING',
                orderYear: 2017,
                deliveries: [{ year: 2019, quantity: 1, tiv: 100 }],
                sourceIds: ['src-a'],
              },
            },
          },
          WRITER,
        );
        const codes = codesOf(res.body);
        if (codes.length > 0) failures.push(...codes);
        else written++;
      }
    };
    // One deal first, so the statements are planned before the clock starts.
    await writer(99, true);
    until = Date.now() + 10_000;
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    expect(failures).toEqual([]);
    expect(written).toBeGreaterThan(8);
    const rows = await server.db.read("MATCH (d:Deal) WHERE d.id STARTS WITH 'load-' RETURN count(d) AS n");
    expect(rows[0]?.n).toBe(written);
  });
});

describe('stating the same fact at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await seededWriteServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const MEMBERSHIP =
    'mutation($input: RecordMembershipInput!) { recordMembership(input: $input) { changed change { id summary sources { id } } } }';
  type Answer = { changed: boolean; change: { id: string; summary: string; sources: Array<{ id: string }> } };
  const record = async (input: Record<string, unknown>): Promise<Answer> => {
    const res = await post(server.url, { query: MEMBERSHIP, variables: { input } }, WRITER);
    const body = res.body as Body;
    expect(codesOf(body)).toEqual([]);
    return (body.data as { recordMembership: Answer }).recordMembership;
  };
  const changesOf = async (country: string) =>
    (
      await server.db.read(
        `MATCH (c:Change {mutation: 'recordMembership'})-[:CHANGED]->(:Country {id: $country})
         RETURN c.id AS id, c.summary AS summary ORDER BY c.at`,
        { country },
      )
    ).map((r) => ({ id: r.id, summary: r.summary }));
  const membershipsOf = (country: string) =>
    server.db.read(
      'MATCH (:Country {id: $country})-[r:MEMBER_OF]->(:Alliance {id: "nato"}) RETURN r.since AS since, r.until AS until, r.sourceIds AS sources',
      { country },
    );

  it('8 identical recordMembership calls at once: 0 errors, one fact, one change between them', async () => {
    const input = { country: 'IND', alliance: 'nato', since: '2001-01-01', sourceIds: ['src-a'] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => record(input)));
    expect(answers.filter((a) => a.changed)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.change.id)).size).toBe(1);
    expect(await membershipsOf('IND')).toEqual([{ since: '2001-01-01', until: null, sources: ['src-a'] }]);
    const log = await changesOf('IND');
    expect(log).toEqual([{ id: answers[0]?.change.id, summary: 'IND member of nato since 2001-01-01' }]);

    // Stated again: nothing is written, and the answer names the change that recorded it.
    const writes = server.db.writes;
    const again = await record(input);
    expect(again).toEqual({ ...answers[0], changed: false });
    expect(server.db.writes).toBe(writes);
    expect(await changesOf('IND')).toEqual(log);
  });

  it('still records a real change: a new source, then a new end date, each once', async () => {
    const base = { country: 'IND', alliance: 'nato', since: '2001-01-01' };
    const first = await record({ ...base, sourceIds: ['src-a'] });
    const sourced = await record({ ...base, sourceIds: ['src-b'] });
    expect(sourced.changed).toBe(true);
    expect(sourced.change.id).not.toBe(first.change.id);
    expect(sourced.change.sources).toEqual([{ id: 'src-b' }]);
    const ended = await Promise.all(
      Array.from({ length: 4 }, () => record({ ...base, until: '2002-02-02', sourceIds: ['src-b'] })),
    );
    expect(ended.filter((a) => a.changed)).toHaveLength(1);
    expect(ended[0]?.change.summary).toBe('IND member of nato since 2001-01-01 until 2002-02-02');
    expect(await membershipsOf('IND')).toEqual([
      { since: '2001-01-01', until: '2002-02-02', sources: ['src-a', 'src-b'] },
    ]);
    expect((await changesOf('IND')).map((c) => c.id)).toEqual([
      first.change.id,
      sourced.change.id,
      ended[0]?.change.id,
    ]);
    // The earlier statement (no end date) no longer stands, so it is a change again.
    expect((await record({ ...base, sourceIds: ['src-b'] })).changed).toBe(true);
    expect(await membershipsOf('IND')).toEqual([
      { since: '2001-01-01', until: null, sources: ['src-a', 'src-b'] },
    ]);
  });

  it('a fact the log never recorded (the seed wrote it) gets one change that says nothing changed', async () => {
    const fact = { from: 'USA', to: 'nato', props: { since: '1949-08-24' }, sourceIds: ['src-a'] };
    await server.db.write(mergeRelationsCypher('MEMBER_OF'), { rows: relationRows('MEMBER_OF', [fact]) });
    const input = { country: 'USA', alliance: 'nato', since: '1949-08-24', sourceIds: ['src-a'] };
    const answers = await Promise.all(Array.from({ length: 4 }, () => record(input)));
    expect(answers.map((a) => a.changed)).toEqual([false, false, false, false]);
    expect(new Set(answers.map((a) => a.change.id)).size).toBe(1);
    expect(answers[0]?.change.summary).toBe(
      'USA member of nato since 1949-08-24 (already recorded so: nothing changed)',
    );
    expect(await changesOf('USA')).toHaveLength(1);
    expect(await membershipsOf('USA')).toEqual([{ since: '1949-08-24', until: null, sources: ['src-a'] }]);
  });

  it('a retired fact stated again is revived, as a change', async () => {
    const input = { country: 'USA', alliance: 'nato', since: '1949-08-24', sourceIds: ['src-a'] };
    const res = await post(
      server.url,
      {
        query: `mutation { retireFact(input: {relationship: {type: "MEMBER_OF", from: "USA", to: "nato"}, reason: "test", sourceIds: ["src-a"]}) { changed } }`,
      },
      WRITER,
    );
    expect((res.body as Body).data).toEqual({ retireFact: { changed: true } });
    const revived = await record(input);
    expect(revived.changed).toBe(true);
    expect(revived.change.summary).toBe('USA member of nato since 1949-08-24');
    const live = await server.db.read(
      'MATCH (:Country {id: "USA"})-[r:MEMBER_OF]->() RETURN coalesce(r.retired, false) AS retired',
    );
    expect(live).toEqual([{ retired: false }]);
  });
});

describe('rate-limit buckets', () => {
  let server: TestServer;
  // Bare secrets (no name): before, both were "default" and shared one bucket.
  const READ = 'bare-read-secret';
  const WRITE = 'bare-write-secret';
  beforeAll(async () => {
    server = await startTestServer({
      ARMSGRAPH_READ_TOKEN: READ,
      ARMSGRAPH_WRITE_TOKEN: WRITE,
      ARMSGRAPH_RATE_LIMIT: '6',
      ARMSGRAPH_RATE_WINDOW_MS: '60000',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const version = { query: '{ version }' };
  const as = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('gives each token its own buckets, reads apart from writes, and counts every operation of a batch', async () => {
    // The read token spends its 6 operations in one batch of 3 and three single requests.
    const batch = await post(server.url, [version, version, version], as(READ));
    expect(batch.status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await post(server.url, version, as(READ))).status).toBe(200);
    const over = await post(server.url, version, as(READ));
    expect([over.status, codesOf(over.body)]).toEqual([429, ['RATE_LIMITED']]);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);

    // The write token is a client of its own: reads and a write still pass.
    for (let i = 0; i < 3; i++) expect((await post(server.url, version, as(WRITE))).status).toBe(200);
    const write = await post(
      server.url,
      {
        query: 'mutation($input: CreateEntityInput!) { createEntity(input: $input) { entity { id } } }',
        variables: {
          input: { kind: 'SOURCE', id: 'src-rate', name: 'Rate', subtype: 'article', citation: 'R' },
        },
      },
      as(WRITE),
    );
    expect(codesOf(write.body)).toEqual([]);
    // Anonymous callers from the same address are their own client too: refused for the token, not the limit.
    const anonymous = await post(server.url, version);
    expect([anonymous.status, codesOf(anonymous.body)]).toEqual([401, ['UNAUTHENTICATED']]);
  });

  it('keeps the write bucket apart from the read bucket of the same token', async () => {
    // The write token's reads: 3 spent above; 3 more reach the limit, the 7th is refused.
    for (let i = 0; i < 3; i++) expect((await post(server.url, version, as(WRITE))).status).toBe(200);
    expect((await post(server.url, version, as(WRITE))).status).toBe(429);
    // Its writes: one spent above, so the next one still passes.
    const write = await post(
      server.url,
      {
        query: 'mutation($input: CreateEntityInput!) { createEntity(input: $input) { entity { id } } }',
        variables: {
          input: { kind: 'SOURCE', id: 'src-rate-2', name: 'Rate 2', subtype: 'article', citation: 'R' },
        },
      },
      as(WRITE),
    );
    expect([write.status, codesOf(write.body)]).toEqual([200, []]);
  });
});

describe('production posture', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_INTROSPECTION: 'false' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses introspection and suggestions when off, and still serves the IDE its schema', async () => {
    const intro = await post(server.url, { query: '{ __schema { queryType { name } } }' });
    expect(codesOf(intro.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const typo = await post(server.url, { query: '{ countri(id: "TUR") { id } }' });
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean/);
    const schema = (await (await fetch(`${server.url}/graphiql/schema.json`)).json()) as {
      data: { __schema: { queryType: { name: string }; types: Array<{ name: string }> } };
    };
    expect(schema.data.__schema.queryType.name).toBe('Query');
    expect(schema.data.__schema.types.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Deal', 'Country']),
    );
  });
});
