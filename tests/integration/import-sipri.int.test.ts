import { buildMissingTivRollups } from '../../src/db/tiv-rollups';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database';
import { findDeals } from '../../src/db/deal-queries';
import { ErrorCode } from '../../src/errors';
import { loadCountryTable, PartyResolver } from '../../src/import/resolve-party';
import { importSipri, type ImportReport } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

/** Has Neo4j stop every open transaction but the one asking (TERMINATE TRANSACTIONS). */
async function terminateOtherTransactions(db: Database): Promise<void> {
  const session = db.driver.session();
  try {
    const open = await session.run(
      `SHOW TRANSACTIONS YIELD transactionId, currentQuery
       WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS' RETURN collect(transactionId) AS ids`,
    );
    const ids = open.records[0]?.get('ids') as string[];
    expect(ids.length).toBe(1);
    await session.run('TERMINATE TRANSACTIONS $ids', { ids });
  } finally {
    await session.close();
  }
}

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'sipri', name);
const importFile = async (db: Database, file: string, batchSize = 7): Promise<ImportReport> =>
  importSipri(db, await readRegister(file), { batchSize });

/** Everything in the graph, as text: two equal snapshots mean nothing changed. */
async function snapshot(db: Database): Promise<string> {
  const nodes = await db.read(
    // TIV contributions have no id of their own: their deal's id orders them.
    'MATCH (n) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props ORDER BY coalesce(n.id, n.dealId), labels[0]',
  );
  const rels = await db.read(
    'MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props ORDER BY a, t, b',
  );
  const text = JSON.stringify({ nodes, rels }, null, 1);
  if (process.env.SNAPSHOT_DIR)
    fs.writeFileSync(path.join(process.env.SNAPSHOT_DIR, `${Date.now()}.json`), text);
  return text;
}

describe('SIPRI import', () => {
  let server: TestServer;
  let db: Database;
  let report: ImportReport;

  beforeAll(async () => {
    server = await startTestServer();
    db = server.db;
    await resetGraph(db);
    await seedGraph(db);
    report = await importFile(db, fixture('trade-register-excerpt.csv'));
  });

  afterAll(async () => {
    await server.close();
  });

  it('accounts for every row and reports what it wrote', () => {
    expect(report).toMatchObject({
      rowsRead: 30,
      rowsImported: 30,
      rejected: [],
      deals: 17,
      deliveries: 30,
      dataGenerated: '2025-01-03',
    });
    expect(report.merged).toEqual(
      expect.arrayContaining([
        { sipriId: '59633', dealId: 'tur-s-400-2017' },
        { sipriId: '35232', dealId: 'chn-s-400-2014' },
        { sipriId: '32127', dealId: 'ind-s-400-2018' },
      ]),
    );
    expect(report.nonStateParties.map((p) => `${p.name} → ${p.id} (${p.kind})`)).toEqual([
      'African Union** → african-union (international_organization)',
      'Houthi rebels (Yemen)* → houthi-rebels-yemen (non_state_group)',
      'NATO** → nato-organization (international_organization)',
      'unknown supplier(s) → unknown-supplier (other)',
    ]);
  });

  it('writes one deal per SIPRI id with its deliveries, parties and system', async () => {
    const deals = await db.read(
      `MATCH (d:Deal) WHERE d.sipriId IS NOT NULL
       MATCH (d)-[:BUYER]->(b), (d)-[:SELLER]->(s), (d)-[:COVERS]->(w:WeaponSystem)
       OPTIONAL MATCH (d)-[:HAS_DELIVERY]->(x:Delivery)
       WITH d, b, s, w, x ORDER BY x.year
       RETURN d.id AS id, b.id AS buyer, s.id AS seller, w.id AS system,
         collect(toInteger(x.year) + ':' + toInteger(x.quantity) + ':' + x.tiv) AS deliveries ORDER BY id`,
    );
    expect(deals).toHaveLength(17);
    const byId = new Map(deals.map((d) => [d.id, d]));
    expect(byId.get('sipri-40163')).toEqual({
      id: 'sipri-40163',
      buyer: 'BLR',
      seller: 'RUS',
      system: 's-400',
      deliveries: ['2022:1:65.0', '2023:1:65.0'],
    });
    expect(byId.get('sipri-60445')).toMatchObject({
      buyer: 'AFG',
      seller: 'USA',
      system: 's-70a-black-hawk',
      deliveries: ['2017:4:17.16', '2019:19:81.51', '2020:3:12.87'],
    });
    expect(byId.get('sipri-64289')).toMatchObject({ seller: 'unknown-supplier', buyer: 'BWA' });
    expect(byId.get('sipri-67530')).toMatchObject({ seller: 'IRN', buyer: 'houthi-rebels-yemen' });
    expect(byId.get('sipri-65847')).toMatchObject({ seller: 'GBR', buyer: 'nato-organization' });
    expect(byId.get('sipri-65808')).toMatchObject({ seller: 'ARE', buyer: 'CIV' });
    expect(byId.get('sipri-60320')).toMatchObject({ system: 'emb-314' });

    const [black] = await db.read(`MATCH (d:Deal {id: 'sipri-60445'}) RETURN properties(d) AS p`);
    expect(black?.p).toMatchObject({
      sipriId: '60445',
      orderYear: 2016,
      orderYearEstimated: false,
      delivered: 26,
      deliveredEstimated: true,
      tivUnit: 4.29,
      tivUnitNew: 6.5,
      sipriStatus: 'Second hand but modernized',
      localProduction: false,
      category: 'Aircraft',
      deliveryStartYear: 2017,
      deliveryEndYear: 2020,
      // Deliveries stopped before 2023, the last year the excerpt covers.
      status: 'COMPLETED',
      sipriFirstSeen: '2025-01-03',
      sipriLastSeen: '2025-01-03',
      sourceIds: ['sipri-atdb'],
    });
    expect(Number((black?.p as { tivTotal: number }).tivTotal)).toBeCloseTo(111.54, 6);
    const statuses = await db.read(
      `MATCH (d:Deal) WHERE d.id IN ['sipri-40163', 'sipri-64289', 'sipri-37743'] RETURN d.id AS id, d.status AS s ORDER BY id`,
    );
    expect(statuses).toEqual([
      { id: 'sipri-37743', s: 'COMPLETED' },
      // Delivered in 2023, the last year the excerpt covers: may go on.
      { id: 'sipri-40163', s: 'DELIVERING' },
      { id: 'sipri-64289', s: 'COMPLETED' },
    ]);
  });

  it('creates parties by kind, historical flag and ISO code, with SIPRI as their source', async () => {
    const rows = await db.read(
      `MATCH (n:Entity) WHERE n.id IN ['CIV', 'BWA', 'houthi-rebels-yemen', 'nato-organization', 'unknown-supplier', 'african-union']
       RETURN n.id AS id, labels(n) AS labels, n.kind AS kind, n.iso2 AS iso2, n.name AS name,
         n.countryId AS countryId, 'sipri-atdb' IN n.sourceIds AS sipri ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: 'BWA',
        labels: expect.arrayContaining(['Country', 'Entity']),
        kind: 'state',
        iso2: 'BW',
        name: 'Botswana',
        countryId: null,
        sipri: true,
      },
      {
        id: 'CIV',
        labels: expect.arrayContaining(['Country']),
        kind: 'state',
        iso2: 'CI',
        name: "Cote d'Ivoire",
        countryId: null,
        sipri: true,
      },
      {
        id: 'african-union',
        labels: expect.arrayContaining(['Organization']),
        kind: 'international_organization',
        iso2: null,
        name: 'African Union',
        countryId: null,
        sipri: true,
      },
      {
        id: 'houthi-rebels-yemen',
        labels: expect.arrayContaining(['Organization']),
        kind: 'non_state_group',
        iso2: null,
        name: 'Houthi rebels (Yemen)',
        countryId: 'YEM',
        sipri: true,
      },
      {
        id: 'nato-organization',
        labels: expect.arrayContaining(['Organization']),
        kind: 'international_organization',
        iso2: null,
        name: 'NATO',
        countryId: null,
        sipri: true,
      },
      {
        id: 'unknown-supplier',
        labels: expect.arrayContaining(['Organization']),
        kind: 'other',
        iso2: null,
        name: 'Unknown supplier(s)',
        countryId: null,
        sipri: true,
      },
    ]);
    // The seed's S-400 took SIPRI's deals: no second system was made for "S-400 Triumf".
    const systems = await db.read(
      `MATCH (w:WeaponSystem) WHERE w.name STARTS WITH 'S-400' RETURN w.id AS id`,
    );
    expect(systems).toEqual([{ id: 's-400' }]);
  });

  it('merges SIPRI records onto the curated S-400 deals: one deal, both sources, SIPRI id resolvable', async () => {
    const { body } = await server.gql<{ node: Record<string, unknown> }>(
      `{ node(id: "sipri-59633") { id ... on Deal { orderYear sipriId status sources { id }
          aliases deliveries { year quantity quantityEstimated tiv sources { id } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.node).toMatchObject({
      id: 'tur-s-400-2017',
      orderYear: 2017,
      sipriId: '59633',
      status: 'COMPLETED',
      deliveries: [
        { year: 2019, quantity: 2, quantityEstimated: true, tiv: 130, sources: [{ id: 'sipri-atdb' }] },
      ],
    });
    const sources = (body.data?.node.sources as { id: string }[]).map((s) => s.id).sort();
    expect(sources).toEqual(['article-s400-turkey', 'sipri-atdb']);
    const turkish = await db.read(
      `MATCH (d:Deal)-[:BUYER]->(:Country {id: 'TUR'}) WHERE (d)-[:COVERS]->(:WeaponSystem {id: 's-400'}) AND d.status <> 'OFFERED'
       RETURN d.id AS id`,
    );
    expect(turkish).toEqual([{ id: 'tur-s-400-2017' }]);
    expect(
      await db.read(`MATCH (d:Deal) WHERE d.id IN ['sipri-59633', 'sipri-35232', 'sipri-32127'] RETURN d.id`),
    ).toEqual([]);
  });

  it("shows the disagreement on China's order year, each value with its source", async () => {
    const { body } = await server.gql<{ node: Record<string, unknown> }>(
      `{ node(id: "chn-s-400-2014") { ... on Deal { orderYear tivDelivered
          disagreements { field shown claims { value sources { id } } } } } }`,
    );
    expect(body.errors).toBeUndefined();
    const deal = body.data?.node as {
      orderYear: number;
      tivDelivered: number;
      disagreements: {
        field: string;
        shown: string;
        claims: { value: string; sources: { id: string }[] }[];
      }[];
    };
    expect(deal.orderYear).toBe(2014);
    expect(deal.tivDelivered).toBe(520);
    expect(deal.disagreements).toHaveLength(1);
    const [d] = deal.disagreements;
    expect(d?.field).toBe('orderYear');
    expect(d?.shown).toBe('2014');
    const claims = Object.fromEntries(d?.claims.map((c) => [c.value, c.sources.map((s) => s.id)]) ?? []);
    expect(claims).toEqual({ '2014': ['article-s400-turkey'], '2015': ['sipri-atdb'] });
  });

  it('re-importing the same file changes nothing', async () => {
    const before = await snapshot(db);
    const again = await importFile(db, fixture('trade-register-excerpt.csv'), 1000);
    expect(again.rowsImported).toBe(30);
    expect(await snapshot(db)).toBe(before);
  });

  it.each([
    'variant-crlf.csv',
    'variant-trailing-semicolon.csv',
    'variant-latin1.csv',
    'variant-category-spellings.csv',
  ])('importing %s of the same rows changes nothing either', async (file) => {
    const before = await snapshot(db);
    const r = await importFile(db, fixture(file));
    expect(r.rejected).toEqual([]);
    expect(await snapshot(db)).toBe(before);
  });

  it('a newer export updates what changed and records when SIPRI first and last stated it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-sipri-'));
    const newer = path.join(dir, 'newer.csv');
    const text = fs
      .readFileSync(fixture('trade-register-excerpt.csv'), 'utf8')
      .replace('Data generated: 3 Jan 2025 9:16:02 PM', 'Data generated: 2 Jun 2025 10:00:00 AM')
      .replace(
        '40163,Russia,Belarus,S-400 Triumf,SAM system,Air defence systems,2021,Yes,1,No,2023,No,New,65,65,65,No',
        '40163,Russia,Belarus,S-400 Triumf,SAM system,Air defence systems,2021,Yes,2,No,2023,No,New,65,65,130,No',
      );
    fs.writeFileSync(newer, text);
    const counts = async () => (await db.read('MATCH (n) RETURN count(n) AS n'))[0]?.n;
    const nodesBefore = await counts();
    await importFile(db, newer);
    // The only new nodes are the release and its record of each of the 17 deals (the history).
    expect(await counts()).toBe(Number(nodesBefore) + 1 + 17);
    const [row] = await db.read(
      `MATCH (d:Deal {id: 'sipri-40163'})-[:HAS_DELIVERY]->(x:Delivery {year: 2023})
       RETURN d.delivered AS delivered, d.tivTotal AS tiv, d.sipriFirstSeen AS first, d.sipriLastSeen AS last,
         x.quantity AS q, x.sipriFirstSeen AS xFirst, x.sipriLastSeen AS xLast`,
    );
    expect(row).toEqual({
      delivered: 3,
      tiv: 195,
      first: '2025-01-03',
      last: '2025-06-02',
      q: 2,
      xFirst: '2025-01-03',
      xLast: '2025-06-02',
    });
    const [source] = await db.read(`MATCH (s:Source {id: 'sipri-atdb'}) RETURN s.dataGenerated AS d`);
    expect(source?.d).toBe('2025-06-02');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIPRI-style TIV totals from the API equal the totals computed from the CSV', async () => {
    // A fresh graph holding only the excerpt: totals straight from the file's rows.
    await resetGraph(db);
    await importFile(db, fixture('trade-register-excerpt.csv'));
    const lines = fs.readFileSync(fixture('trade-register-excerpt.csv'), 'utf8').trim().split('\n').slice(12);
    const parties = new PartyResolver(loadCountryTable());
    const expected = (column: number, from: number, to: number) => {
      const totals = new Map<string, number>();
      for (const line of lines) {
        const f = line.split(',');
        const year = Number(f[10]);
        if (year < from || year > to) continue;
        const id = parties.resolve(f[column] ?? '')?.id ?? '?';
        totals.set(id, (totals.get(id) ?? 0) + Number(f[15]));
      }
      return totals;
    };
    for (const [by, column] of [
      ['SUPPLIER', 1],
      ['RECIPIENT', 2],
    ] as const) {
      const { body } = await server.gql<{
        transferTotals: { entity: { id: string }; tivDelivered: number }[];
      }>(
        `query($by: TransferTotalsBy!) { transferTotals(by: $by, deliveredFrom: 2015, deliveredTo: 2022, first: 100) {
          entity { id } tivDelivered } }`,
        { by },
      );
      expect(body.errors).toBeUndefined();
      const want = expected(column, 2015, 2022);
      const got = new Map(body.data?.transferTotals.map((t) => [t.entity.id, t.tivDelivered]));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [id, tiv] of want) expect(got.get(id)).toBeCloseTo(tiv, 6);
    }
  });

  it('reports every rejected row with its line number and reason, and imports the rest', async () => {
    await resetGraph(db);
    const r = await importFile(db, fixture('rejected-rows.csv'));
    expect(r.rowsRead).toBe(r.rowsImported + r.rejected.length);
    expect(r.rowsImported).toBe(2);
    expect(r.rejected).toEqual([
      { line: 14, reason: '"SIPRI AT Database ID" is empty' },
      {
        line: 15,
        reason:
          'supplier "Atlantis" is neither a known state nor marked * (armed group) or ** (organisation)',
      },
      { line: 16, reason: '"Order date" is not a year: "20X7"' },
      { line: 17, reason: '"Order date is estimate" is neither Yes nor No: "Maybe"' },
      { line: 18, reason: 'more fields than the header has' },
      { line: 20, reason: 'deal 37743 already has a row for delivery year 2005' },
    ]);
    expect((await db.read('MATCH (d:Deal) RETURN count(d) AS n'))[0]?.n).toBe(2);
  });

  it('a database failure mid-way leaves no half batch, and a re-run completes without duplicates', async () => {
    await resetGraph(db);
    await importFile(db, fixture('trade-register-excerpt.csv'), 7);
    const complete = await snapshot(db);

    await resetGraph(db);
    let stopped = false;
    const failing = Object.create(db) as Database;
    failing.writeTx = async (work, timeoutMs) =>
      db.writeTx(async (tx) => {
        const result = await work(tx);
        // The third batch (the first transaction that sees more than two batches' deliveries) is
        // stopped by Neo4j once all its statements ran, before it commits (as when the server shuts
        // down or an admin kills it): its writes must all be rolled back. Found by what it wrote, not by
        // counting transactions, which the importer's bookkeeping (source, release, rollups) changes.
        const seen = (await db.run(tx, 'MATCH (x:Delivery) RETURN count(x) AS n'))[0]?.n;
        if (!stopped && Number(seen) > 14) {
          stopped = true;
          await terminateOtherTransactions(db);
        }
        return result;
      }, timeoutMs);
    // What the user sees: the coded error, not a raw driver error or an "internal error".
    await expect(importFile(failing, fixture('trade-register-excerpt.csv'), 7)).rejects.toMatchObject({
      name: 'ArmsgraphError',
      code: ErrorCode.DATABASE_UNAVAILABLE,
      message: expect.stringMatching(/stopped the transaction/) as unknown,
    });
    const deliveries = (await db.read('MATCH (x:Delivery) RETURN count(x) AS n'))[0]?.n;
    expect(deliveries).toBe(14); // two whole batches of 7 rows, nothing of the third

    await importFile(db, fixture('trade-register-excerpt.csv'), 7);
    // The stopped import left the TIV rollups marked unbuilt (the tables sum deliveries meanwhile); the
    // service's next start rebuilds them, as here.
    await buildMissingTivRollups(db);
    expect(await snapshot(db)).toBe(complete);
  });
  it("after a deal's seller changes between two imports, the deal has exactly one live SELLER relationship", async () => {
    await resetGraph(db);
    await importFile(db, fixture('trade-register-excerpt.csv'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-sipri-'));
    const newer = path.join(dir, 'newer.csv');
    const row =
      '60320,Brazil,Afghanistan,EMB-314 -,trainer/combat aircraft,Aircraft,2017,No,6,Yes,2018,No,New,4.5,4.5,27,No';
    const original = fs.readFileSync(fixture('trade-register-excerpt.csv'), 'utf8');
    expect(original).toContain(row);
    fs.writeFileSync(newer, original.replace(row, row.replace('Brazil', 'France')));
    const sellers = async () =>
      db.read(
        `MATCH (:Deal {id: 'sipri-60320'})-[r:SELLER]->(s)
         RETURN s.id AS seller, coalesce(r.retired, false) AS retired, r.key AS key ORDER BY seller`,
      );
    const brazilDeals = async () =>
      (await findDeals(db, { seller: 'BRA' }, 'ORDER_YEAR_ASC', 50, null)).deals;
    expect((await brazilDeals()).map((d) => d.id)).toContain('sipri-60320');
    const brazilCount = (await findDeals(db, { seller: 'BRA' }, 'ID_ASC', 0, null)).totalCount ?? 0;

    await importFile(db, newer);
    expect(await sellers()).toEqual([
      { seller: 'BRA', retired: true, key: 'SELLER:sipri-60320:BRA:' },
      { seller: 'FRA', retired: false, key: 'SELLER:sipri-60320:FRA:' },
    ]);
    // Every read of the deal agrees: its seller, the sellers' pages and counts.
    const [deal] = await findDeals(db, { seller: 'FRA', buyer: 'AFG' }, 'ORDER_YEAR_ASC', 50, null).then(
      (p) => p.deals.filter((d) => d.id === 'sipri-60320'),
    );
    expect(deal).toMatchObject({ sellerId: 'FRA', buyerId: 'AFG' });
    expect((await brazilDeals()).map((d) => d.id)).not.toContain('sipri-60320');
    expect((await findDeals(db, { seller: 'BRA' }, 'ID_ASC', 0, null)).totalCount).toBe(brazilCount - 1);
    expect(
      (await findDeals(db, { seller: 'BRA', buyer: 'AFG' }, 'ID_ASC', 50, null)).deals.map((d) => d.id),
    ).not.toContain('sipri-60320');

    // Importing the same export again changes nothing; the first seller again revives its relationship.
    const settled = await snapshot(db);
    await importFile(db, newer);
    expect(await snapshot(db)).toBe(settled);
    await importFile(db, fixture('trade-register-excerpt.csv'));
    expect((await sellers()).map((s) => [s.seller, s.retired])).toEqual([
      ['BRA', false],
      ['FRA', true],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
