import { startTestServer, resetGraph, type TestServer } from '../helpers/test-app';
import {
  codeOf,
  CREATE_ENTITY,
  fingerprint,
  READER,
  READ_TOKEN,
  RECORD_DEAL,
  seedThroughApi,
  WRITE_TOKEN,
  WRITER,
} from '../helpers/write-helpers';

const S400_DEAL = {
  id: 'tur-s-400-2017',
  name: 'Turkey S-400 (2017)',
  aliases: ['sipri-59633'],
  buyer: 'Türkiye',
  seller: 'RUS',
  system: 'SA-21 Growler',
  status: 'COMPLETED',
  orderYear: 2017,
  value: { amount: 2.5e9, currency: 'USD' },
  quantity: 4,
  deliveries: [
    { year: 2019, quantity: 2, tiv: 400 },
    { year: 2020, quantity: 2, tiv: 400 },
  ],
  sourceIds: ['src-a'],
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ARMSGRAPH_WRITE_TOKEN: WRITE_TOKEN, ARMSGRAPH_READ_TOKEN: READ_TOKEN });
  await resetGraph(server.db);
  await seedThroughApi(server);
});
afterAll(async () => {
  await server?.close();
});

describe('creating entities and deals', () => {
  it('records a deal with its parties, system and deliveries in one change, by the token name', async () => {
    const res = await server.gql(RECORD_DEAL, { input: S400_DEAL }, WRITER);
    expect(res.body.errors).toBeUndefined();
    const payload = (res.body.data as { recordDeal: Record<string, Record<string, unknown>> }).recordDeal;
    expect(payload.deal).toMatchObject({
      id: 'tur-s-400-2017',
      status: 'COMPLETED',
      buyer: { id: 'TUR' },
      seller: { id: 'RUS' },
      system: { id: 's-400' },
      delivered: 4,
      tivDelivered: 800,
    });
    expect(payload.change?.tokenName).toBe('analyst');
    const changes = await server.db.read(
      `MATCH (c:Change {mutation: 'recordDeal'})-[:CHANGED]->(n) RETURN c.tokenName AS by, c.sourceIds AS src, collect(coalesce(n.id, '')) AS ids`,
    );
    expect(changes[0]?.by).toBe('analyst');
    expect(changes[0]?.src).toEqual(['src-a']);
    expect(changes[0]?.ids).toEqual(
      expect.arrayContaining(['tur-s-400-2017', 'TUR', 'RUS', 's-400', 'tur-s-400-2017:2019']),
    );
    // The category came from the system, in SIPRI's spelling; the deal resolves by its alias.
    const byAlias = await server.gql('{ deal(id: "sipri-59633") { id category } }', {}, READER);
    expect(byAlias.body.data).toEqual({ deal: { id: 'tur-s-400-2017', category: 'Air defence systems' } });
  });

  it('refuses a write citing a source that does not exist, and writes nothing', async () => {
    const before = await fingerprint(server.db);
    const res = await server.gql(
      RECORD_DEAL,
      { input: { ...S400_DEAL, id: 'other-deal', sourceIds: ['nope'] } },
      WRITER,
    );
    expect(codeOf(res.body)).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/no source has the id "nope"/);
    expect(await fingerprint(server.db)).toBe(before);
  });

  it('refuses a taken id with CONFLICT and an unknown party with NOT_FOUND', async () => {
    expect(codeOf((await server.gql(RECORD_DEAL, { input: S400_DEAL }, WRITER)).body)).toBe('CONFLICT');
    const unknown = await server.gql(
      RECORD_DEAL,
      { input: { ...S400_DEAL, id: 'x-1', buyer: 'Atlantis' } },
      WRITER,
    );
    expect(codeOf(unknown.body)).toBe('NOT_FOUND');
    expect(unknown.body.errors?.[0]?.message).toMatch(/buyer/);
  });

  it('stores Cypher-injection text verbatim and never runs it', async () => {
    const evil = `x'}) MATCH (n) DETACH DELETE n // "; DROP CONSTRAINT country_id_unique; \`{$id}\``;
    const nodesBefore = (await server.db.read('MATCH (n) RETURN count(n) AS c'))[0]?.c as number;
    const res = await server.gql(
      CREATE_ENTITY,
      {
        input: {
          kind: 'PERSON',
          id: 'mallory',
          name: evil,
          aliases: ['}) RETURN 1 //'],
          description: evil,
          sourceIds: ['src-a'],
        },
      },
      WRITER,
    );
    expect(res.body.errors).toBeUndefined();
    const stored = await server.db.read(
      'MATCH (p:Person {id: "mallory"}) RETURN p.name AS name, p.description AS d, p.aliases AS a',
    );
    expect(stored[0]).toEqual({ name: evil, d: evil, a: ['}) RETURN 1 //'] });
    // One person and one change more, nothing deleted.
    expect((await server.db.read('MATCH (n) RETURN count(n) AS c'))[0]?.c).toBe(nodesBefore + 2);
  });
});

describe('memberships, exclusions, sanctions, aliases', () => {
  it('records them and shows them on the country', async () => {
    const ok = async (query: string, input: Record<string, unknown>) => {
      const res = await server.gql(query, { input }, WRITER);
      expect(res.body.errors).toBeUndefined();
    };
    await ok(
      'mutation($input: RecordMembershipInput!) { recordMembership(input: $input) { change { id } } }',
      {
        country: 'Turkey',
        alliance: 'NATO',
        since: '1952-02-18',
        sourceIds: ['src-a'],
      },
    );
    await ok('mutation($input: RecordExclusionInput!) { recordExclusion(input: $input) { change { id } } }', {
      country: 'TUR',
      program: 'f-35-program',
      date: '2019-07-17',
      cause: 'sipri-59633',
      sourceIds: ['src-a', 'src-b'],
    });
    await ok(
      'mutation($input: RecordSanctionInput!) { recordSanction(input: $input) { change { summary } } }',
      {
        by: 'USA',
        target: 'TUR',
        status: 'IMPOSED',
        since: '2020-12-14',
        instrument: 'CAATSA section 231',
        cause: 'tur-s-400-2017',
        sourceIds: ['src-b'],
      },
    );
    const res = await server.gql(
      `{ country(id: "TUR") { memberships { alliance { id } since sources { id } }
         exclusions { program { id } date cause { id } }
         sanctionsReceived { imposedBy { id } status since instrument } } }`,
      {},
      READER,
    );
    expect(res.body.data).toEqual({
      country: {
        memberships: [{ alliance: { id: 'nato' }, since: '1952-02-18', sources: [{ id: 'src-a' }] }],
        exclusions: [
          { program: { id: 'f-35-program' }, date: '2019-07-17', cause: { id: 'tur-s-400-2017' } },
        ],
        sanctionsReceived: [
          {
            imposedBy: { id: 'USA' },
            status: 'IMPOSED',
            since: '2020-12-14',
            instrument: 'CAATSA section 231',
          },
        ],
      },
    });
  });

  it('recording the same membership again updates it instead of adding a second one', async () => {
    const res = await server.gql(
      'mutation($input: RecordMembershipInput!) { recordMembership(input: $input) { change { id } } }',
      { input: { country: 'TUR', alliance: 'nato', since: '1952-02-18', sourceIds: ['src-b'] } },
      WRITER,
    );
    expect(res.body.errors).toBeUndefined();
    const rows = await server.db.read(
      'MATCH (:Country {id: "TUR"})-[r:MEMBER_OF]->() RETURN r.sourceIds AS s',
    );
    expect(rows).toEqual([{ s: ['src-a', 'src-b'] }]);
  });

  it('adds aliases that resolve at once', async () => {
    const res = await server.gql(
      'mutation { addAliases(id: "TUR", aliases: ["Republic of Türkiye"], sourceIds: ["src-a"]) { entity { aliases } } }',
      {},
      WRITER,
    );
    expect(res.body.errors).toBeUndefined();
    const found = await server.gql('{ country(id: "republic of turkiye") { id } }', {}, READER);
    expect(found.body.data).toEqual({ country: { id: 'TUR' } });
  });

  it('updates fields, keeping the old name as an alias', async () => {
    const res = await server.gql(
      'mutation { updateEntity(input: {id: "s-400", name: "S-400 Triumf", description: "long-range SAM", sourceIds: ["src-b"]}) { entity { name aliases ... on WeaponSystem { description } } } }',
      {},
      WRITER,
    );
    expect(res.body.data).toEqual({
      updateEntity: {
        entity: { name: 'S-400 Triumf', aliases: ['SA-21 Growler', 'S-400'], description: 'long-range SAM' },
      },
    });
    const wrongField = await server.gql(
      'mutation { updateEntity(input: {id: "s-400", founded: 1990, sourceIds: ["src-b"]}) { entity { id } } }',
      {},
      WRITER,
    );
    expect(codeOf(wrongField.body)).toBe('BAD_USER_INPUT');
    expect(wrongField.body.errors?.[0]?.message).toMatch(/founded does not apply to a WeaponSystem/);
  });
});

describe('merging and retiring', () => {
  it('merges a duplicate: relationships move, both ids resolve, the duplicate stays as a tombstone', async () => {
    const dup = await server.gql(
      CREATE_ENTITY,
      { input: { kind: 'COUNTRY', id: 'TRK', name: 'Turkiye (duplicate)', sourceIds: ['src-b'] } },
      WRITER,
    );
    expect(dup.body.errors).toBeUndefined();
    const deal = await server.gql(
      RECORD_DEAL,
      {
        input: {
          ...S400_DEAL,
          id: 'trk-s-400-dup',
          aliases: [],
          buyer: 'TRK',
          deliveries: [],
          sourceIds: ['src-b'],
        },
      },
      WRITER,
    );
    expect(deal.body.errors).toBeUndefined();
    const merged = await server.gql(
      'mutation { mergeEntities(keep: "TUR", merge: "TRK", reason: "same state", sourceIds: ["src-a"]) { entity { id aliases } change { mutation } } }',
      {},
      WRITER,
    );
    expect(merged.body.errors).toBeUndefined();
    const after = await server.gql(
      '{ old: country(id: "TRK") { id } tur: country(id: "TUR") { purchases { id } } deal(id: "trk-s-400-dup") { buyer { id } } }',
      {},
      READER,
    );
    expect(after.body.data).toEqual({
      old: { id: 'TUR' },
      tur: { purchases: expect.arrayContaining([{ id: 'trk-s-400-dup' }, { id: 'tur-s-400-2017' }]) },
      deal: { buyer: { id: 'TUR' } },
    });
    const tomb = await server.db.read(
      'MATCH (m:Merged {id: "TRK"})-[:MERGED_INTO]->(k) RETURN k.id AS k, labels(m) AS l',
    );
    expect(tomb).toEqual([{ k: 'TUR', l: ['Merged'] }]);
  });

  it('retires a relationship and a node: kept with who, why and when, gone from queries', async () => {
    const rel = await server.gql(
      `mutation { retireFact(input: {relationship: {type: "MEMBER_OF", from: "TUR", to: "nato"}, reason: "test", sourceIds: ["src-b"]}) { change { summary } } }`,
      {},
      WRITER,
    );
    expect(rel.body.errors).toBeUndefined();
    const node = await server.gql(
      `mutation { retireFact(input: {node: "tur-s-400-2017:2020", reason: "double counted", sourceIds: ["src-b"]}) { change { id } } }`,
      {},
      WRITER,
    );
    expect(node.body.errors).toBeUndefined();
    const seen = await server.gql(
      '{ country(id: "TUR") { memberships { since } } deal(id: "tur-s-400-2017") { deliveries { year } } }',
      {},
      READER,
    );
    expect(seen.body.data).toEqual({ country: { memberships: [] }, deal: { deliveries: [{ year: 2019 }] } });
    const kept = await server.db.read(
      'MATCH (:Country {id: "TUR"})-[r:MEMBER_OF]->() RETURN r.retired AS r, r.retiredBy AS by, r.retiredReason AS why, r.retiredAt IS NOT NULL AS at',
    );
    expect(kept).toEqual([{ r: true, by: 'analyst', why: 'test', at: true }]);
    const again = await server.gql(
      `mutation { retireFact(input: {node: "tur-s-400-2017:2020", reason: "again", sourceIds: ["src-b"]}) { change { id } } }`,
      {},
      WRITER,
    );
    expect(codeOf(again.body)).toBe('CONFLICT');
  });
});

describe('who may write', () => {
  const MUTATIONS = [
    'mutation { createEntity(input: {kind: PERSON, id: "eve", name: "Eve", sourceIds: ["src-a"]}) { entity { id } } }',
    'mutation { updateEntity(input: {id: "TUR", description: "x", sourceIds: ["src-a"]}) { entity { id } } }',
    'mutation { addAliases(id: "TUR", aliases: ["T"], sourceIds: ["src-a"]) { entity { id } } }',
    'mutation { recordDeal(input: {id: "d-1", name: "D", buyer: "IND", seller: "RUS", system: "s-400", status: PENDING, sourceIds: ["src-a"]}) { deal { id } } }',
    'mutation { recordDeliveries(deal: "tur-s-400-2017", deliveries: [{year: 2021, quantity: 1}], sourceIds: ["src-a"]) { deal { id } } }',
    'mutation { recordMembership(input: {country: "USA", alliance: "nato", sourceIds: ["src-a"]}) { change { id } } }',
    'mutation { recordExclusion(input: {country: "IND", program: "f-35-program", sourceIds: ["src-a"]}) { change { id } } }',
    'mutation { recordSanction(input: {by: "USA", target: "RUS", status: CONSIDERED, sourceIds: ["src-a"]}) { change { id } } }',
    'mutation { mergeEntities(keep: "USA", merge: "IND", reason: "x", sourceIds: ["src-a"]) { entity { id } } }',
    'mutation { retireFact(input: {node: "IND", reason: "x", sourceIds: ["src-a"]}) { change { id } } }',
  ];

  it.each([
    ['no token', {}, 'UNAUTHENTICATED'],
    ['the read token', READER, 'FORBIDDEN'],
  ])('refuses every mutation with %s (%s) and changes nothing', async (_what, headers, code) => {
    const before = await fingerprint(server.db);
    for (const query of MUTATIONS) {
      const res = await server.gql(query, {}, headers);
      expect([query, codeOf(res.body)]).toEqual([query, code]);
      expect(res.body.data ?? null).toBeNull();
    }
    expect(await fingerprint(server.db)).toBe(before);
  });

  it('refuses reads without a token when a read token is set, and a wrong token always', async () => {
    expect(codeOf((await server.gql('{ version }')).body)).toBe('UNAUTHENTICATED');
    const wrong = await server.gql('{ version }', {}, { authorization: 'Bearer guess' });
    expect(wrong.status).toBe(401);
    expect(codeOf(wrong.body)).toBe('UNAUTHENTICATED');
  });

  it('turns writes off (FORBIDDEN) on a server without a write token', async () => {
    const readOnly = await startTestServer({ ARMSGRAPH_WRITE_TOKEN: '' });
    try {
      const before = await fingerprint(readOnly.db);
      for (const query of MUTATIONS)
        expect(codeOf((await readOnly.gql(query, {}, WRITER)).body)).toBe('UNAUTHENTICATED');
      for (const query of MUTATIONS) expect(codeOf((await readOnly.gql(query)).body)).toBe('FORBIDDEN');
      expect(await fingerprint(readOnly.db)).toBe(before);
    } finally {
      await readOnly.close();
    }
  });
});
