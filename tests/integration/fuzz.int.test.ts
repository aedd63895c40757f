import fc from 'fast-check';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { fingerprint, seedThroughApi, WRITER, WRITE_TOKEN, RECORD_DEAL } from '../helpers/write-helpers';

/**
 * Property-based abuse: thousands of generated bad inputs at the mutations and the queries. Every one
 * must get a coded error (never a 500, never a stack trace), and no rejected input may change the graph.
 */

const CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
]);

const INJECTIONS = [
  `x'}) MATCH (n) DETACH DELETE n //`,
  `"}) DETACH DELETE n RETURN 1 //`,
  '`) CALL db.clearQueryCaches() //',
  "' OR 1=1 --",
  '$id} ) MERGE (x:Pwned) //',
  'CALL apoc.cypher.runWrite("MATCH (n) DETACH DELETE n", {})',
  '\\u0027; DROP CONSTRAINT country_id_unique',
  'nameKeysText:* OR *',
  '*:*',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '\u0000\u0007',
  'T\u0301u\u0308rkiye',
  '🚀'.repeat(50),
  'a'.repeat(10_000),
];

const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A valid input with any of its fields replaced by garbage, and maybe an unknown field added. */
function mutated(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    Object.entries(base).map(([k, v]) => [
      k,
      fc.oneof({ weight: 2, arbitrary: fc.constant(v) }, { weight: 1, arbitrary: garbage }),
    ]),
  );
  return fc
    .tuple(fc.record(fields), fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), garbage)))
    .map(([rec, extra]) => (extra ? { ...rec, [extra[0]]: extra[1] } : rec));
}

/** Sources that always include one that does not exist: even an input that is otherwise valid is refused. */
const badSources = fc.oneof(
  fc.constant(['src-a', 'no-such-source']),
  fc.constant([]),
  fc.array(fc.oneof(fc.constantFrom(...INJECTIONS), fc.string()), { minLength: 1, maxLength: 3 }),
);

const withSources = (key: string, base: Record<string, unknown>) =>
  fc.tuple(mutated(base), badSources).map(([input, sources]) => ({ ...input, [key]: sources }));

const MUTATIONS: Array<{ query: string; args: fc.Arbitrary<Record<string, unknown>> }> = [
  {
    query: 'mutation($input: CreateEntityInput!) { createEntity(input: $input) { entity { id } } }',
    args: withSources('sourceIds', {
      kind: 'PERSON',
      id: 'p-1',
      name: 'P',
      description: 'd',
      founded: 1990,
    }).map((input) => ({ input })),
  },
  {
    query: 'mutation($input: UpdateEntityInput!) { updateEntity(input: $input) { entity { id } } }',
    args: withSources('sourceIds', { id: 'TUR', name: 'Turkey', iso2: 'TR', status: 'PENDING' }).map(
      (input) => ({ input }),
    ),
  },
  {
    query:
      'mutation($id: ID!, $aliases: [String!]!, $s: [ID!]!) { addAliases(id: $id, aliases: $aliases, sourceIds: $s) { entity { id } } }',
    args: fc
      .tuple(fc.oneof(fc.constant('TUR'), garbage), fc.oneof(fc.constant(['X']), garbage), badSources)
      .map(([id, aliases, s]) => ({ id, aliases, s })),
  },
  {
    query: RECORD_DEAL,
    args: withSources('sourceIds', {
      id: 'new-deal',
      name: 'New',
      buyer: 'IND',
      seller: 'RUS',
      system: 's-400',
      status: 'PENDING',
      orderYear: 2018,
      value: { amount: 5.4e9, currency: 'USD' },
      deliveries: [{ year: 2021, quantity: 1, tiv: 200 }],
      notes: ['n'],
    }).map((input) => ({ input })),
  },
  {
    query:
      'mutation($d: ID!, $x: [DeliveryInput!]!, $s: [ID!]!) { recordDeliveries(deal: $d, deliveries: $x, sourceIds: $s) { deal { id } } }',
    args: fc
      .tuple(
        fc.oneof(fc.constant('tur-s-400-2017'), garbage),
        fc.oneof(
          fc.constant([{ year: 2022, quantity: 1 }]),
          fc.array(mutated({ year: 2022, quantity: 1, tiv: 1.5 }), { maxLength: 3 }),
          garbage,
        ),
        badSources,
      )
      .map(([d, x, s]) => ({ d, x, s })),
  },
  {
    query: 'mutation($input: RecordMembershipInput!) { recordMembership(input: $input) { change { id } } }',
    args: withSources('sourceIds', {
      country: 'IND',
      alliance: 'nato',
      since: '2000',
      until: '2001-02-03',
    }).map((input) => ({ input })),
  },
  {
    query: 'mutation($input: RecordExclusionInput!) { recordExclusion(input: $input) { change { id } } }',
    args: withSources('sourceIds', {
      country: 'IND',
      program: 'f-35-program',
      date: '2019',
      cause: 'tur-s-400-2017',
    }).map((input) => ({ input })),
  },
  {
    query: 'mutation($input: RecordSanctionInput!) { recordSanction(input: $input) { change { id } } }',
    args: withSources('sourceIds', {
      by: 'USA',
      target: 'IND',
      status: 'CONSIDERED',
      instrument: 'CAATSA',
      cause: 'tur-s-400-2017',
    }).map((input) => ({ input })),
  },
  {
    query:
      'mutation($k: ID!, $m: ID!, $r: String!, $s: [ID!]!) { mergeEntities(keep: $k, merge: $m, reason: $r, sourceIds: $s) { entity { id } } }',
    args: fc
      .tuple(
        fc.oneof(fc.constant('USA'), garbage),
        fc.oneof(fc.constant('IND'), garbage),
        fc.oneof(fc.constant('dup'), garbage),
        badSources,
      )
      .map(([k, m, r, s]) => ({ k, m, r, s })),
  },
  {
    query: 'mutation($input: RetireFactInput!) { retireFact(input: $input) { change { id } } }',
    args: withSources('sourceIds', {
      node: 'IND',
      relationship: { type: 'MEMBER_OF', from: 'TUR', to: 'nato', key: 'k' },
      reason: 'why',
    }).map((input) => ({ input })),
  },
];

const QUERIES: Array<{ query: string; args: fc.Arbitrary<Record<string, unknown>> }> = [
  { query: 'query($id: ID!) { node(id: $id) { id name } }', args: fc.record({ id: garbage }) },
  {
    query: 'query($id: ID!) { country(id: $id) { id memberships { since } purchases { id } } }',
    args: fc.record({ id: garbage }),
  },
  { query: 'query($id: ID!) { deal(id: $id) { id deliveries { year } } }', args: fc.record({ id: garbage }) },
  {
    query: 'query($t: String!, $n: Int) { search(text: $t, first: $n) { id } }',
    args: fc.record({ t: garbage, n: fc.oneof(fc.integer(), garbage) }),
  },
  {
    query:
      'query($f: DealFilter, $n: Int, $a: String) { deals(filter: $f, first: $n, after: $a) { totalCount edges { cursor } } }',
    args: fc.record({
      f: fc.oneof(
        garbage,
        mutated({
          buyer: 'TUR',
          seller: 'RUS',
          system: 's-400',
          status: ['PENDING'],
          category: 'Aircraft',
          orderedFrom: 2000,
          orderedTo: 1990,
        }),
      ),
      n: fc.oneof(fc.integer(), garbage),
      a: garbage,
    }),
  },
  {
    query:
      'query($by: TransferTotalsBy!, $a: Int, $b: Int, $n: Int) { transferTotals(by: $by, deliveredFrom: $a, deliveredTo: $b, first: $n) { tivDelivered } }',
    args: fc.record({
      by: fc.oneof(fc.constantFrom('SUPPLIER', 'YEAR'), garbage),
      a: fc.oneof(fc.integer(), garbage),
      b: fc.oneof(fc.integer(), garbage),
      n: fc.oneof(fc.integer(), garbage),
    }),
  },
  {
    query:
      'query($id: ID!, $a: Int, $b: Int) { allianceConflicts(alliance: $id, orderedFrom: $a, orderedTo: $b) { member { id } } }',
    args: fc.record({
      id: fc.oneof(fc.constant('nato'), garbage),
      a: fc.oneof(fc.integer(), garbage),
      b: fc.oneof(fc.integer(), garbage),
    }),
  },
  {
    query:
      'query($t: ID, $by: ID, $k: SanctionKind, $y: Int) { sanctions(target: $t, imposedBy: $by, kind: $k, inForce: $y) { id } }',
    args: fc.record({
      t: fc.oneof(fc.constant('TUR'), garbage),
      by: fc.oneof(fc.constant('USA'), garbage),
      k: fc.oneof(fc.constant('ARMS_EMBARGO'), garbage),
      y: fc.oneof(fc.integer(), garbage),
    }),
  },
  {
    query:
      'query($t: ID, $s: ID, $a: Int, $b: Int, $n: Int, $c: String) { deliveriesUnderEmbargo(target: $t, supplier: $s, deliveredFrom: $a, deliveredTo: $b, first: $n, after: $c) { year } }',
    args: fc.record({
      t: fc.oneof(fc.constant('TUR'), garbage),
      s: fc.oneof(fc.constant('RUS'), garbage),
      a: fc.oneof(fc.integer(), garbage),
      b: fc.oneof(fc.integer(), garbage),
      n: fc.oneof(fc.integer(), garbage),
      c: garbage,
    }),
  },
];

/** The characters the API refuses in text (C0 controls but tab, newline and carriage return; DEL). */
const isControl = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return (code < 32 && c !== '\t' && c !== '\n' && c !== '\r') || code === 127;
};

let server: TestServer;
let baseline: string;
beforeAll(async () => {
  server = await startTestServer({ ARMSGRAPH_WRITE_TOKEN: WRITE_TOKEN, ARMSGRAPH_RATE_LIMIT: '0' });
  await resetGraph(server.db);
  await seedThroughApi(server);
  const deal = await server.gql(
    RECORD_DEAL,
    {
      input: {
        id: 'tur-s-400-2017',
        name: 'Turkey S-400',
        buyer: 'TUR',
        seller: 'RUS',
        system: 's-400',
        status: 'DELIVERING',
        deliveries: [{ year: 2019, quantity: 2, tiv: 400 }],
        sourceIds: ['src-a'],
      },
    },
    WRITER,
  );
  expect(deal.body.errors).toBeUndefined();
  const member = await server.gql(
    'mutation { recordMembership(input: {country: "TUR", alliance: "nato", since: "1952", sourceIds: ["src-a"]}) { change { id } } }',
    {},
    WRITER,
  );
  expect(member.body.errors).toBeUndefined();
  baseline = await fingerprint(server.db);
});
afterAll(async () => {
  await server?.close();
});

/** Sends one request and checks the answer is a coded refusal, never a 500 or a stack trace. */
async function refused(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = WRITER,
) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  expect(res.status).not.toBeGreaterThanOrEqual(500);
  expect(text).not.toMatch(/stacktrace|\n\s+at |\.ts:\d+/);
  const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
  const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'none');
  return codes;
}

describe('generated bad input', () => {
  it.each(MUTATIONS.map((m) => [m.query.slice(0, 60), m] as const))(
    'mutation %s: every bad input gets a coded refusal and leaves the graph as it was',
    async (_name, m) => {
      await fc.assert(
        fc.asyncProperty(m.args, async (variables) => {
          const codes = await refused(m.query, variables);
          expect(codes.length).toBeGreaterThan(0);
          for (const code of codes) expect(CODES).toContain(code);
          expect(await fingerprint(server.db)).toBe(baseline);
        }),
        { numRuns: 200 },
      );
    },
  );

  it.each(QUERIES.map((q) => [q.query.slice(0, 60), q] as const))(
    'query %s: answers or refuses with a code, never a 500, and writes nothing',
    async (_name, q) => {
      await fc.assert(
        fc.asyncProperty(q.args, async (variables) => {
          const codes = await refused(q.query, variables);
          for (const code of codes) expect(CODES).toContain(code);
        }),
        { numRuns: 200 },
      );
      expect(await fingerprint(server.db)).toBe(baseline);
    },
  );

  it('answers arbitrary documents with parse or validation errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom(...INJECTIONS), fc.string({ unit: 'binary' })),
        async (doc) => {
          const codes = await refused(doc, {});
          for (const code of codes) expect(CODES).toContain(code);
        },
      ),
      { numRuns: 300 },
    );
    expect(await fingerprint(server.db)).toBe(baseline);
  });
});

describe('generated names', () => {
  it('stores any printable name verbatim (trimmed), injection text included, and runs none of it', async () => {
    let n = 0;
    const printable = fc
      .oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 120 }), fc.constantFrom(...INJECTIONS))
      .filter((s) => ![...s].some(isControl) && s.trim() !== '' && s.length <= 300);
    await fc.assert(
      fc.asyncProperty(printable, async (name) => {
        const id = `fuzz-${n++}`;
        const res = await server.gql(
          'mutation($input: CreateEntityInput!) { createEntity(input: $input) { entity { id name } } }',
          { input: { kind: 'PERSON', id, name, sourceIds: ['src-a'] } },
          WRITER,
        );
        expect(res.body.errors).toBeUndefined();
        const rows = await server.db.read('MATCH (p:Person {id: $id}) RETURN p.name AS name', { id });
        expect(rows).toEqual([{ name: name.trim() }]);
      }),
      { numRuns: 150 },
    );
    // Every entity written before is still there: no injected statement deleted anything.
    const rows = await server.db.read('MATCH (n:Entity) WHERE NOT n:Person RETURN count(n) AS c');
    expect(rows[0]?.c).toBe(10);
  });
});
