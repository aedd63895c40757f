import path from 'node:path';
import type { Database } from '../../src/db/database';
import * as sipriWrites from '../../src/db/sipri-writes';
import {
  buildMissingTivRollups,
  DEAL_KEY_CYPHER,
  KEY_FIELDS,
  LIVE_DELIVERY,
  MILLI_TIV,
  ROLLUP_LAYOUT,
  suspendTivRollups,
} from '../../src/db/tiv-rollups';
import { transferTotals, type TotalsQuery } from '../../src/db/transfer-totals';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { expectRollupsMatchDeliveries } from '../helpers/rollup-check';
import { openTestDatabase, resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import {
  READ_TOKEN,
  READER,
  RECORD_DEAL,
  seedThroughApi,
  WRITE_TOKEN,
  WRITER,
} from '../helpers/write-helpers';

/**
 * The TIV rollups follow every kind of write, in the write's own transaction: after each one the
 * rollups equal the sums over the live deliveries (tests/helpers/rollup-check.ts), and the tables
 * read from them equal the tables summed from the deliveries.
 */

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'sipri', 'trade-register-excerpt.csv');

/** Tables read from a rollup level (the first) and from the contributions (the others). */
const TABLES: TotalsQuery[] = [
  { by: 'SUPPLIER', then: 'YEAR' },
  { by: 'RECIPIENT', then: 'CATEGORY', deliveredFrom: 2015 },
  { by: 'SYSTEM', then: 'RECIPIENT_REGION', deliveredTo: 2021 },
  { by: 'CATEGORY', then: 'YEAR', filter: { supplier: ['RUS', 'USA'] } },
  { by: 'RECIPIENT', filter: { condition: ['NEW'], localProduction: false }, deliveredFrom: 2016 },
];

/**
 * Each contribution the import's batches wrote and no refresh has added to the rows yet (unfolded),
 * beside the deal's part as every other refresh reads it back (DEAL_KEY_CYPHER, LIVE_DELIVERY), and
 * how many SIPRI deals have live deliveries.
 */
async function batchedBesideReadBack(db: Database): Promise<{
  pairs: { id: string; batched: Record<string, unknown>; readBack: Record<string, unknown> }[];
  dealsWithDeliveries: number;
}> {
  const rows = await db.read(
    `MATCH (c:TivContribution) WHERE c.unfolded = true
     MATCH (d:Deal {id: c.dealId})
     OPTIONAL MATCH ${LIVE_DELIVERY('d', 'x')}
     WITH c, d, x ORDER BY x.year
     WITH c, d, collect(toInteger(x.year)) AS years, collect(${MILLI_TIV('x')}) AS tivs
     WITH c, years, tivs, ${DEAL_KEY_CYPHER('d')} AS key
     RETURN c.dealId AS id, c {${KEY_FIELDS.map((f) => `.${f}`).join(', ')}, .years, .tivs} AS batched,
       key {.*, years: years, tivs: tivs} AS readBack
     ORDER BY id`,
  );
  const [count] = await db.read(
    `MATCH (d:Deal) WHERE d.id STARTS WITH 'sipri-' AND EXISTS { ${LIVE_DELIVERY('d', 'x')} }
     RETURN count(d) AS n`,
  );
  const plain = (m: unknown): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(m as Record<string, unknown>).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map(Number) : (v ?? null),
      ]),
    );
  return {
    pairs: rows.map((r) => ({ id: String(r.id), batched: plain(r.batched), readBack: plain(r.readBack) })),
    dealsWithDeliveries: Number(count?.n),
  };
}

describe('TIV rollups follow every write', () => {
  let server: TestServer;
  let batched: Awaited<ReturnType<typeof batchedBesideReadBack>> | undefined;

  async function expectConsistent(): Promise<void> {
    await expectRollupsMatchDeliveries(server.db);
    for (const q of TABLES) {
      const rollups = await transferTotals(server.db, q, { first: 5000, source: 'rollups' });
      expect(await transferTotals(server.db, q, { first: 5000, source: 'deliveries' })).toEqual(rollups);
    }
  }

  async function mutate(query: string, variables: Record<string, unknown> = {}): Promise<void> {
    const res = await server.gql(query, variables, WRITER);
    expect(res.body.errors).toBeUndefined();
  }

  const tivOf = async (supplier: string) =>
    (await transferTotals(server.db, { by: 'SUPPLIER' }, { first: 5000, source: 'rollups' })).find(
      (r) => r.key === supplier,
    )?.tivDelivered ?? 0;

  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_WRITE_TOKEN: WRITE_TOKEN, ARMSGRAPH_READ_TOKEN: READ_TOKEN });
    await resetGraph(server.db);
    await seedThroughApi(server);
    // Batches of 2 rows: the import settles its deals in pages of four batches (8 deals), so rollup
    // rows are created by one page and added to by the next, and a deal's rows span batches.
    // The batches' contributions are read just before the import settles them; then a write lands on
    // a deal whose contribution is not in the rows yet (its refresh must add it, and settling must not
    // add it again).
    const settle = sipriWrites.settleReleaseDeals;
    const spy = jest.spyOn(sipriWrites, 'settleReleaseDeals').mockImplementationOnce(async (db, opts) => {
      batched = await batchedBesideReadBack(db);
      await mutate(
        'mutation { recordDeliveries(deal: "sipri-32127", deliveries: [{year: 2012, tiv: 2.5}], sourceIds: ["src-a"]) { deal { id } } }',
      );
      return settle(db, opts);
    });
    try {
      await importSipri(server.db, await readRegister(FIXTURE), { batchSize: 2 });
    } finally {
      spy.mockRestore();
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  it('after an import', async () => {
    expect(await tivOf('RUS')).toBeGreaterThan(0);
    await expectConsistent();
  });

  it("the contributions the import's batches wrote equal the deals read back (DEAL_KEY_CYPHER)", async () => {
    // Every SIPRI deal with deliveries is new to this database, so the batches wrote its contribution
    // from the parties they gave it: settling then only adds it to the rows.
    expect(batched?.pairs.length).toBeGreaterThan(10);
    expect(batched?.pairs.length).toBe(batched?.dealsWithDeliveries);
    for (const p of batched?.pairs ?? [])
      expect({ id: p.id, ...p.batched }).toEqual({ id: p.id, ...p.readBack });
    // Settling added every one of them to the rows.
    const [left] = await server.db.read('MATCH (c:TivContribution) WHERE c.unfolded RETURN count(c) AS n');
    expect(Number(left?.n)).toBe(0);
  });

  it('after recording a deal with deliveries', async () => {
    const before = await tivOf('USA');
    await mutate(RECORD_DEAL, {
      input: {
        id: 'ind-s-400-test',
        name: 'A test deal',
        buyer: 'IND',
        seller: 'USA',
        system: 's-400',
        status: 'DELIVERING',
        orderYear: 2018,
        deliveries: [
          { year: 2019, tiv: 10.25 },
          { year: 2021, tiv: 5.5 },
        ],
        sourceIds: ['src-a'],
      },
    });
    expect(await tivOf('USA')).toBe(Math.round((before + 15.75) * 1000) / 1000);
    await expectConsistent();
  });

  it('after recording deliveries (a correction and a new year)', async () => {
    const before = await tivOf('USA');
    await mutate(
      'mutation { recordDeliveries(deal: "ind-s-400-test", deliveries: [{year: 2021, tiv: 7.5}, {year: 2020, tiv: 1}], sourceIds: ["src-a"]) { deal { id } } }',
    );
    expect(await tivOf('USA')).toBe(Math.round((before + 3) * 1000) / 1000);
    await expectConsistent();
  });

  it("after changing a deal's category", async () => {
    await mutate(
      'mutation { updateEntity(input: {id: "ind-s-400-test", category: "Aircraft", sourceIds: ["src-a"]}) { entity { id } } }',
    );
    await expectConsistent();
  });

  it('after retiring a delivery, a party relationship and a deal', async () => {
    await mutate(
      'mutation { retireFact(input: {node: "ind-s-400-test:2020", reason: "test", sourceIds: ["src-b"]}) { change { id } } }',
    );
    await expectConsistent();
    await mutate(
      'mutation { retireFact(input: {relationship: {type: "SELLER", from: "ind-s-400-test", to: "USA"}, reason: "test", sourceIds: ["src-b"]}) { change { id } } }',
    );
    await expectConsistent();
    const deal = (
      await server.db.read("MATCH (d:Deal) WHERE d.id STARTS WITH 'sipri-' RETURN d.id AS id LIMIT 1")
    )[0];
    await mutate(
      `mutation { retireFact(input: {node: "${String(deal?.id)}", reason: "test", sourceIds: ["src-b"]}) { change { id } } }`,
    );
    await expectConsistent();
  });

  it('after merging two parties', async () => {
    const before = (await tivOf('IND')) + (await tivOf('RUS'));
    await mutate(
      'mutation { mergeEntities(keep: "RUS", merge: "IND", reason: "test", sourceIds: ["src-a"]) { entity { id } } }',
    );
    expect(await tivOf('RUS')).toBeCloseTo(before, 9);
    await expectConsistent();
  });

  it('after importing the same export again', async () => {
    await importSipri(server.db, await readRegister(FIXTURE), { batchSize: 5 });
    await expectConsistent();
  });

  it('a table asked while an import in another process holds the rollups back sums the deliveries', async () => {
    const russia = async () =>
      (
        await server.data<{ transferTotals: Array<{ key: string; tivDelivered: number }> }>(
          '{ transferTotals(by: SUPPLIER, first: 500) { key tivDelivered } }',
          {},
          READER,
        )
      ).transferTotals.find((r) => r.key === 'RUS')?.tivDelivered;
    const before = await russia();
    expect(before).toBeGreaterThan(0);
    // The other process (a CLI import) takes the marker away, and its deals' rollups lag behind them
    // until it settles them: here they are gone altogether.
    const other = await openTestDatabase();
    try {
      expect(await suspendTivRollups(other)).toBe(true);
      await other.write('MATCH (n) WHERE n:TivRollup OR n:TivContribution DETACH DELETE n');
      expect(await russia()).toBe(before);
      await buildMissingTivRollups(other, 50);
    } finally {
      await other.close();
    }
    expect(await russia()).toBe(before);
    await expectConsistent();
  });

  it('rows an import left unsummed (contributions written, rows not) are summed again at the next start', async () => {
    // A first load writes each deal's contribution per page and sums the rows once at its end: an
    // import stopped in between leaves contributions that are current and rows that are not.
    await server.db.write('MATCH (n) WHERE n:TivRollup OR n:TivRollupsBuilt DETACH DELETE n');
    // Rows are summed per page of suppliers (3 contributions a page here) and once for the deals
    // without a live supplier (the deal whose seller was retired above).
    const [kinds] = await server.db.read(
      `MATCH (c:TivContribution)
       RETURN count(DISTINCT c.supplierId) AS suppliers, count(CASE WHEN c.supplierId IS NULL THEN 1 END) AS unsupplied`,
    );
    expect(Number(kinds?.suppliers)).toBeGreaterThan(3);
    expect(Number(kinds?.unsupplied)).toBeGreaterThan(0);
    await buildMissingTivRollups(server.db, 3);
    await expectConsistent();
  });

  it('rows of the older layout (a level F per deal key, ids with every key field) are replaced once at start', async () => {
    // The older layout as its writers left it: the same contributions, an F row, other rows' ids
    // with every key field, and a marker without a layout.
    await server.db.write(
      `MATCH (m:TivRollupsBuilt) REMOVE m.layout
       WITH count(*) AS _
       MATCH (t:TivRollup) SET t.id = t.level + '|' + coalesce(t.supplierId, '') + '|' + coalesce(t.recipientId, '') + '||||' + toString(t.year)
       WITH count(*) AS _
       MATCH (c:TivContribution) WITH c LIMIT 1
       CREATE (:TivRollup {id: 'F|old', level: 'F', supplierId: c.supplierId, recipientId: c.recipientId,
         systemId: c.systemId, year: c.years[0], tiv: c.tivs[0], n: 1, gaps: []})`,
    );
    const rowsBy = async () =>
      (await server.db.read('MATCH (t:TivRollup) RETURN t.level AS level, count(*) AS n ORDER BY level')).map(
        (r) => [r.level, Number(r.n)],
      );
    expect((await rowsBy()).map(([level]) => level)).toEqual(['F', 'R', 'S', 'SR']);
    await buildMissingTivRollups(server.db, 3);
    expect((await rowsBy()).map(([level]) => level)).toEqual(['R', 'S', 'SR']);
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN m.layout AS layout'))[0]?.layout).toBe(
      ROLLUP_LAYOUT,
    );
    await expectConsistent();
    // Once: a later start finds the layout and leaves the rows as they are.
    const ids = async () =>
      (await server.db.read('MATCH (t:TivRollup) RETURN elementId(t) AS e ORDER BY e')).map((r) => r.e);
    const before = await ids();
    await buildMissingTivRollups(server.db, 3);
    expect(await ids()).toEqual(before);
  });

  it('contributions of layout 2 (with gaps and a signature) lose them once at start, the rows untouched', async () => {
    // Layout 2 kept on each contribution its deliveries' gaps and a signature string of its key,
    // years and TIVs, both derived from the fields every layout keeps.
    await server.db.write(
      `MATCH (m:TivRollupsBuilt) SET m.layout = 2
       WITH count(*) AS _
       MATCH (c:TivContribution)
       SET c.gaps = [i IN range(0, size(c.years) - 1) | CASE WHEN i = 0 THEN 0 ELSE c.years[i] - c.years[i - 1] END],
         c.signature = coalesce(c.supplierId, '') + '|' + toString(c.years[0])`,
    );
    const stale = async () =>
      Number(
        (
          await server.db.read(
            'MATCH (c:TivContribution) WHERE c.gaps IS NOT NULL OR c.signature IS NOT NULL RETURN count(c) AS n',
          )
        )[0]?.n,
      );
    expect(await stale()).toBeGreaterThan(3);
    const rows = async () =>
      (await server.db.read('MATCH (t:TivRollup) RETURN elementId(t) AS e ORDER BY e')).map((r) => r.e);
    const before = await rows();
    // Pages of 3 contributions: several transactions.
    await buildMissingTivRollups(server.db, 3);
    expect(await stale()).toBe(0);
    expect(await rows()).toEqual(before);
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN m.layout AS layout'))[0]?.layout).toBe(
      ROLLUP_LAYOUT,
    );
    await expectConsistent();
  });

  it('an import that defers the rollups writes none, the tables sum deliveries, and the next start builds them', async () => {
    await resetGraph(server.db);
    await seedThroughApi(server);
    // The seed's writes keep the rollups: the marker is there before the import.
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN count(m) AS n'))[0]?.n).toBe(1);
    const before = await server.db.read('MATCH (c:TivContribution) RETURN count(c) AS n');
    await importSipri(server.db, await readRegister(FIXTURE), { batchSize: 2, deferRollups: true });
    // No contribution for any SIPRI deal, none left unfolded, and the marker stays away.
    const [after] = await server.db.read(
      `MATCH (c:TivContribution) RETURN count(c) AS n,
         count(CASE WHEN c.dealId STARTS WITH 'sipri-' THEN 1 END) AS sipri,
         count(CASE WHEN c.unfolded THEN 1 END) AS unfolded`,
    );
    expect(after).toEqual({ n: before[0]?.n, sipri: 0, unfolded: 0 });
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN count(m) AS n'))[0]?.n).toBe(0);
    // Meanwhile the tables the API answers sum deliveries, and count the imported deals.
    const res = await server.gql(
      '{ transferTotals(by: SUPPLIER, first: 500) { key tivDelivered } }',
      {},
      READER,
    );
    expect(res.body.errors).toBeUndefined();
    const rus = (
      res.body.data as { transferTotals: { key: string; tivDelivered: number }[] }
    ).transferTotals.find((r) => r.key === 'RUS');
    const summed = await transferTotals(server.db, { by: 'SUPPLIER' }, { first: 5000, source: 'deliveries' });
    expect(rus?.tivDelivered).toBe(summed.find((r) => r.key === 'RUS')?.tivDelivered);
    expect(rus?.tivDelivered).toBeGreaterThan(0);
    await buildMissingTivRollups(server.db, 3);
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN count(m) AS n'))[0]?.n).toBe(1);
    await expectConsistent();
  });

  it('a database written before rollups existed gets them once at start', async () => {
    await server.db.write(
      'MATCH (n) WHERE n:TivRollup OR n:TivContribution OR n:TivRollupsBuilt DETACH DELETE n',
    );
    await buildMissingTivRollups(server.db, 3);
    expect((await server.db.read('MATCH (m:TivRollupsBuilt) RETURN count(m) AS n'))[0]?.n).toBe(1);
    await expectConsistent();
  });
});
