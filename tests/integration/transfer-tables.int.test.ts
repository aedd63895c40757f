import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Database } from '../../src/db/database';
import { entitiesByIds } from '../../src/db/entities';
import { transferNetwork } from '../../src/db/transfer-network';
import { transferTotals, type TotalsQuery, type TransferFilter } from '../../src/db/transfer-totals';
import { ErrorCode } from '../../src/errors';
import { loadCountryTable, PartyResolver } from '../../src/import/resolve-party';
import { importSipri } from '../../src/import/sipri/import-register';
import { cleanDesignation } from '../../src/import/sipri/map-row';
import { readRegister } from '../../src/import/sipri/read-register';
import { nameKey } from '../../src/db/names';
import { readGraphologyGexf, readNetworkx } from '../helpers/export-readers';
import { expectRollupsMatchDeliveries } from '../helpers/rollup-check';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

/**
 * The transfer tables and the network, on a real register excerpt (every Indian import, and deals of
 * 700 systems: tests/fixtures/sipri/analyst-register.csv), against sums the test makes itself from the
 * CSV file: the importer, the rollups and the queries are all under test.
 */

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'sipri', 'analyst-register.csv');

interface Row {
  deal: string;
  supplier: string;
  recipient: string;
  system: string;
  status: string;
  local: boolean;
  year: number;
  /** Thousandths of a TIV million, as the tables add them up (the register has at most 2 decimals). */
  tiv: number;
}

function fixtureRows(): Row[] {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('SIPRI AT Database ID'));
  const records = parse(lines.slice(header).join('\n'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const parties = new PartyResolver(loadCountryTable());
  const id = (name: string) => parties.resolve(name ?? '')?.id ?? `?${name}`;
  return records.map((r) => ({
    deal: r['SIPRI AT Database ID'] ?? '',
    supplier: id(r.Supplier ?? ''),
    recipient: id(r.Recipient ?? ''),
    system: r.Designation ?? '',
    status: r.Status ?? '',
    local: r['Local production'] === 'Yes',
    year: Number(r['Delivery year']),
    tiv: Math.round(Number(r['TIV delivery values'] || 0) * 1000),
  }));
}

/** TIV and distinct deals per key, from the fixture rows. */
function sums(rows: Row[], key: (r: Row) => string): Map<string, { tiv: number; deals: number }> {
  const acc = new Map<string, { tiv: number; deals: Set<string> }>();
  for (const r of rows) {
    const k = key(r);
    const a = acc.get(k) ?? { tiv: 0, deals: new Set<string>() };
    a.tiv += r.tiv;
    a.deals.add(r.deal);
    acc.set(k, a);
  }
  return new Map([...acc].map(([k, a]) => [k, { tiv: a.tiv / 1000, deals: a.deals.size }]));
}

function regions(): Map<string, string> {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'reference', 'countries.csv'), 'utf8');
  const rows = parse(text, { columns: true }) as { country: string; region: string }[];
  return new Map(rows.map((r) => [r.country, r.region]));
}

describe('transfer tables', () => {
  let server: TestServer;
  let db: Database;
  let rows: Row[];

  /** Every row of a table, paging with cursors. */
  async function allRows(q: TotalsQuery, first: number, source: 'rollups' | 'deliveries' = 'rollups') {
    const out = [];
    let after: string | null = null;
    for (;;) {
      const page = await transferTotals(db, q, { first, after, source });
      out.push(...page);
      if (page.length < first) return out;
      after = page.at(-1)?.cursor ?? null;
    }
  }

  beforeAll(async () => {
    server = await startTestServer();
    db = server.db;
    await resetGraph(db);
    await importSipri(db, await readRegister(FIXTURE), { batchSize: 500 });
    rows = fixtureRows();
  });

  afterAll(async () => {
    await server.close();
  });

  it('the rollups equal the sums over live deliveries after the import', async () => {
    await expectRollupsMatchDeliveries(db);
  });

  it("India's imports by supplier, 2010–2023, with each supplier's share", async () => {
    const india = rows.filter((r) => r.recipient === 'IND' && r.year >= 2010 && r.year <= 2023);
    const expected = sums(india, (r) => r.supplier);
    const total = [...expected.values()].reduce((s, v) => s + v.tiv, 0);
    const body = await server.gql<{
      transferTotals: { key: string; label: string; tivDelivered: number; deals: number; share: number }[];
    }>(
      `{ transferTotals(by: SUPPLIER, filter: { recipient: ["India"] }, deliveredFrom: 2010, deliveredTo: 2023, first: 100) {
          key label tivDelivered deals share } }`,
    );
    const got = body.body.data?.transferTotals ?? [];
    expect(got.map((r) => r.key).sort()).toEqual([...expected.keys()].sort());
    for (const r of got) {
      const e = expected.get(r.key);
      expect(r.tivDelivered).toBe(Math.round((e?.tiv ?? NaN) * 1000) / 1000);
      expect(r.deals).toBe(e?.deals);
      expect(r.share).toBeCloseTo((e?.tiv ?? NaN) / total, 12);
      // SIPRI's rounding, never float noise.
      expect(String(r.tivDelivered)).toMatch(/^\d+(\.\d{1,3})?$/);
    }
    expect(got.map((r) => r.tivDelivered)).toEqual([...got.map((r) => r.tivDelivered)].sort((a, b) => b - a));
    expect(got.find((r) => r.key === 'RUS')?.label).toBe('Russia');
    // The same table by ISO code, and the shares of a complete table add up to 1.
    const byCode = await transferTotals(
      db,
      { by: 'SUPPLIER', filter: { recipient: ['IND'] }, deliveredFrom: 2010, deliveredTo: 2023 },
      { first: 100 },
    );
    expect(byCode.map((r) => [r.key, r.tivDelivered])).toEqual(got.map((r) => [r.key, r.tivDelivered]));
    expect(byCode.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 12);
  });

  it('a supplier × year table for one recipient', async () => {
    const india = rows.filter((r) => r.recipient === 'IND' && r.year >= 2015);
    const expected = sums(india, (r) => `${r.supplier} ${r.year}`);
    const got = await allRows(
      { by: 'SUPPLIER', then: 'YEAR', filter: { recipient: ['India'] }, deliveredFrom: 2015 },
      7,
    );
    expect(got.map((r) => `${r.key} ${r.then?.key}`).sort()).toEqual([...expected.keys()].sort());
    for (const r of got) {
      const e = expected.get(`${r.key} ${r.then?.key}`);
      expect([r.tivDelivered, r.deals]).toEqual([Math.round((e?.tiv ?? NaN) * 1000) / 1000, e?.deals]);
      expect(r.then?.year).toBe(Number(r.then?.key));
    }
    // Rows of a supplier stay together, largest supplier first, its years in order.
    const suppliers = got.map((r) => r.key).filter((k, i, all) => all.indexOf(k) === i);
    for (const s of suppliers) {
      const mine = got.filter((r) => r.key === s).map((r) => Number(r.then?.key));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    const totals = sums(india, (r) => r.supplier);
    expect(suppliers.map((s) => totals.get(s)?.tiv)).toEqual(
      suppliers.map((s) => totals.get(s)?.tiv).sort((a, b) => (b ?? 0) - (a ?? 0)),
    );
  });

  it('names the entities of both groupings; a table showing neither has the same rows', async () => {
    interface Group {
      key: string;
      label?: string;
      entity?: { id: string; name: string } | null;
    }
    type Table = { transferTotals: (Group & { then: Group; tivDelivered: number; deals: number })[] };
    const table = `transferTotals(by: SUPPLIER, then: RECIPIENT, filter: { supplier: ["Russia", "FRA"] },
      deliveredFrom: 2010, first: 300)`;
    const named = await server.gql<Table>(
      `{ ${table} { key label entity { id name } then { key label entity { id name } } tivDelivered deals share cursor } }`,
    );
    const bare = await server.gql<Table>(`{ ${table} { key then { key } tivDelivered deals share cursor } }`);
    const rowsNamed = named.body.data?.transferTotals ?? [];
    const suppliers = new Set(rowsNamed.map((r) => r.key));
    expect(suppliers).toEqual(new Set(['RUS', 'FRA']));
    expect(rowsNamed.length).toBeGreaterThan(suppliers.size);
    expect(bare.body.data?.transferTotals).toEqual(
      rowsNamed.map(({ label: _l, entity: _e, then, ...r }) => ({ ...r, then: { key: then.key } })),
    );
    // Every row's entities, repeated suppliers included, are the entities of its keys.
    const ids = [...new Set(rowsNamed.flatMap((r) => [r.key, r.then.key]))];
    const names = new Map((await entitiesByIds(db, ids)).map((e, i) => [ids[i], e?.name]));
    for (const g of rowsNamed.flatMap((r) => [r, r.then])) {
      expect([g.key, g.entity]).toEqual([g.key, { id: g.key, name: names.get(g.key) }]);
      expect(g.label).toBe(names.get(g.key));
    }
    // The data layer without entities: the same rows, no entity looked up.
    const q: TotalsQuery = {
      by: 'SUPPLIER',
      then: 'RECIPIENT',
      filter: { supplier: ['RUS', 'FRA'] },
      deliveredFrom: 2010,
    };
    const without = await transferTotals(db, q, { first: 300, entities: false });
    expect(without.every((r) => r.entity === null && r.then?.entity === null)).toBe(true);
    expect(without.map((r) => [r.key, r.then?.key, r.tivDelivered, r.deals, r.share, r.cursor])).toEqual(
      (await transferTotals(db, q, { first: 300 })).map((r) => [
        r.key,
        r.then?.key,
        r.tivDelivered,
        r.deals,
        r.share,
        r.cursor,
      ]),
    );
  });

  it('recipients by region, and suppliers of one region', async () => {
    const regionOf = regions();
    const expected = sums(rows, (r) => regionOf.get(r.recipient) ?? '');
    const got = await transferTotals(db, { by: 'RECIPIENT_REGION' }, { first: 10 });
    expect(new Map(got.map((r) => [r.key, { tiv: r.tivDelivered, deals: r.deals }]))).toEqual(
      new Map([...expected].map(([k, v]) => [k, { tiv: Math.round(v.tiv * 1000) / 1000, deals: v.deals }])),
    );
    expect(got.find((r) => r.key === '')?.label).toBe('No region (not a state)');
    const european = sums(
      rows.filter((r) => regionOf.get(r.supplier) === 'Europe'),
      (r) => r.supplier,
    );
    const fromEurope = await allRows({ by: 'SUPPLIER', filter: { supplierRegion: ['europe'] } }, 500);
    expect(fromEurope.map((r) => r.key).sort()).toEqual([...european.keys()].sort());
  });

  it('second-hand deliveries only', async () => {
    const second = rows.filter((r) => r.status.startsWith('Second hand'));
    expect(second.length).toBeGreaterThan(20);
    const expected = sums(second, (r) => r.recipient);
    const got = await allRows(
      { by: 'RECIPIENT', filter: { condition: ['SECOND_HAND', 'SECOND_HAND_MODERNISED'] } },
      500,
    );
    expect(new Map(got.map((r) => [r.key, [r.tivDelivered, r.deals]]))).toEqual(
      new Map([...expected].map(([k, v]) => [k, [Math.round(v.tiv * 1000) / 1000, v.deals]])),
    );
  });

  it('every system is reachable: pages beyond 500 rows, or one page as large as the groups', async () => {
    // A system is its designation up to spelling (the importer's rule: "Mi-17" and "Mi 17" are one).
    const expected = sums(rows, (r) => nameKey(cleanDesignation(r.system)));
    expect(expected.size).toBeGreaterThan(600);
    const paged = await allRows({ by: 'SYSTEM' }, 150);
    expect(paged).toHaveLength(expected.size);
    expect(new Set(paged.map((r) => r.key)).size).toBe(expected.size);
    const byName = new Map(paged.map((r) => [nameKey(r.label), r.tivDelivered]));
    for (const [name, v] of expected)
      expect([name, byName.get(name)]).toEqual([name, Math.round(v.tiv * 1000) / 1000]);
    const whole = await transferTotals(db, { by: 'SYSTEM' }, { first: 5000 });
    expect(whole.map((r) => r.key)).toEqual(paged.map((r) => r.key));
  });

  it("India's locally produced imports by system and year, from the contributions", async () => {
    // No rollup level keeps the system or local production: each deal's contribution is read.
    const local = rows.filter((r) => r.recipient === 'IND' && r.local && r.year >= 2005);
    expect(local.length).toBeGreaterThan(20);
    const expected = sums(local, (r) => `${nameKey(cleanDesignation(r.system))} ${r.year}`);
    const got = await allRows(
      {
        by: 'SYSTEM',
        then: 'YEAR',
        filter: { recipient: ['India'], localProduction: true },
        deliveredFrom: 2005,
      },
      20,
    );
    expect(
      new Map(got.map((r) => [`${nameKey(r.label)} ${r.then?.key}`, [r.tivDelivered, r.deals]])),
    ).toEqual(new Map([...expected].map(([k, v]) => [k, [Math.round(v.tiv * 1000) / 1000, v.deals]])));
    const total = [...expected.values()].reduce((t, v) => t + v.tiv, 0);
    for (const r of got) expect(r.share).toBeCloseTo(r.tivDelivered / total, 12);
  });

  it("the network's edge weights are the pairs' TIV and deals", async () => {
    const period = rows.filter((r) => r.year >= 2015 && r.year <= 2023);
    const expected = sums(period, (r) => `${r.supplier}->${r.recipient}`);
    const net = await transferNetwork(db, { deliveredFrom: 2015, deliveredTo: 2023 });
    expect(net.truncated).toBe(false);
    expect(
      new Map(net.edges.map((e) => [`${e.source}->${e.target}`, [e.properties.weight, e.properties.deals]])),
    ).toEqual(new Map([...expected].map(([k, v]) => [k, [Math.round(v.tiv * 1000) / 1000, v.deals]])));
    expect(
      net.edges.every((e) => e.type === 'SUPPLIED' && e.id === `SUPPLIED:${e.source}:${e.target}:`),
    ).toBe(true);
    const ids = new Set(net.nodes.map((n) => n.id));
    expect(net.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    const big = await transferNetwork(db, { deliveredFrom: 2015, deliveredTo: 2023, minTiv: 100 });
    expect(big.edges.map((e) => e.id).sort()).toEqual(
      [...expected]
        .filter(([, v]) => v.tiv >= 100)
        .map(([k]) => `SUPPLIED:${k.replace('->', ':')}:`)
        .sort(),
    );
  });

  it('a GEXF network opens with weighted edges in NetworkX and graphology; GraphML declares weight a double', async () => {
    const res = await fetch(`${server.url}/export/gexf?network=true&recipient=India&deliveredFrom=2015`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const expected = sums(
      rows.filter((r) => r.recipient === 'IND' && r.year >= 2015),
      (r) => r.supplier,
    );
    const rus = Math.round((expected.get('RUS')?.tiv ?? NaN) * 1000) / 1000;
    const nx = readNetworkx('gexf', text, ['RUS', 'IND']);
    expect(nx.edges).toBe(expected.size);
    expect(nx.edgeData['RUS->IND']?.[0]?.weight).toBeCloseTo(rus, 9);
    expect(nx.edgeData['RUS->IND']?.[0]?.deals).toBe(expected.get('RUS')?.deals);
    const g = readGraphologyGexf(text).graph;
    const edge = g.edges('RUS', 'IND')[0] ?? '';
    expect(g.getEdgeAttribute(edge, 'weight')).toBeCloseTo(rus, 9);
    const graphml = await (await fetch(`${server.url}/export/graphml?network=true&recipient=India`)).text();
    expect(graphml).toMatch(/attr.name="weight" attr.type="double"/);
    expect(graphml).toMatch(/attr.name="deals" attr.type="long"/);
  });

  it('deals filter by delivery years, condition and local production', async () => {
    const want = (pick: (r: Row) => boolean) =>
      [...new Set(rows.filter(pick).map((r) => `sipri-${r.deal}`))].sort();
    const ids = async (filter: string) => {
      const res = await server.gql<{ deals: { totalCount: number; edges: { node: { id: string } }[] } }>(
        `{ deals(filter: ${filter}, first: 500) { totalCount edges { node { id } } } }`,
      );
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data?.deals;
      expect(page?.totalCount).toBe(page?.edges.length);
      return (page?.edges ?? []).map((e) => e.node.id).sort();
    };
    expect(await ids('{ buyer: "India", deliveredFrom: 2015, deliveredTo: 2016 }')).toEqual(
      want((r) => r.recipient === 'IND' && r.year >= 2015 && r.year <= 2016),
    );
    expect(await ids('{ buyer: "IND", condition: [SECOND_HAND, SECOND_HAND_MODERNISED] }')).toEqual(
      want((r) => r.recipient === 'IND' && r.status.startsWith('Second hand')),
    );
    expect(await ids('{ buyer: "IND", localProduction: true, deliveredFrom: 2020 }')).toEqual(
      want((r) => r.recipient === 'IND' && r.local && r.year >= 2020),
    );
  });

  describe('summing deliveries gives the answers the rollups and the contributions give', () => {
    // A system, category, condition or local production (grouped or filtered) is read from the
    // contributions; the rest from a rollup level.
    const filters: [string, TransferFilter][] = [
      ['supplier', { supplier: ['Russia', 'FRA'] }],
      ['recipient', { recipient: ['India'] }],
      ['system', { system: ['Su-30MK'] }],
      ['category', { category: ['Air-defence systems', 'Aircraft'] }],
      ['supplierRegion', { supplierRegion: ['Europe'] }],
      ['recipientRegion', { recipientRegion: ['Southern Asia'] }],
      ['condition', { condition: ['SECOND_HAND'] }],
      ['localProduction', { localProduction: true }],
    ];
    it.each(filters)('filtered by %s', async (_, filter) => {
      for (const [by, then] of [
        ['SUPPLIER', 'YEAR'],
        ['CATEGORY', null],
        ['RECIPIENT_REGION', 'SYSTEM'],
        ['SYSTEM', 'YEAR'],
        ['YEAR', 'CATEGORY'],
        ['SYSTEM', null],
      ] as const) {
        const q: TotalsQuery = { by, then, filter, deliveredFrom: 2008, deliveredTo: 2020 };
        const fromRollups = await allRows(q, 1000);
        expect(fromRollups.length).toBeGreaterThan(0);
        expect(await allRows(q, 1000, 'deliveries')).toEqual(fromRollups);
      }
    });
  });

  it('refuses what it cannot answer, with a code', async () => {
    const codes = async (query: string) =>
      ((await server.gql(query)).body.errors ?? []).map((e) => e.extensions?.code);
    expect(
      await codes('{ transferTotals(by: SUPPLIER, filter: { category: ["Spaceships"] }) { key } }'),
    ).toEqual([ErrorCode.BAD_USER_INPUT]);
    expect(
      await codes('{ transferTotals(by: SUPPLIER, filter: { supplier: ["Atlantis"] }) { key } }'),
    ).toEqual([ErrorCode.NOT_FOUND]);
    expect(
      await codes('{ transferTotals(by: SUPPLIER, filter: { recipientRegion: ["Mordor"] }) { key } }'),
    ).toEqual([ErrorCode.BAD_USER_INPUT]);
    expect(await codes('{ transferTotals(by: YEAR, then: YEAR) { key } }')).toEqual([
      ErrorCode.BAD_USER_INPUT,
    ]);
    expect(await codes('{ transferTotals(by: YEAR, after: "nonsense") { key } }')).toEqual([
      ErrorCode.BAD_USER_INPUT,
    ]);
    expect(await codes('{ transferTotals(by: YEAR, first: 5001) { key } }')).toEqual([
      ErrorCode.BAD_USER_INPUT,
    ]);
    expect(await codes('{ transferNetwork(minTiv: -1) { edges { id } } }')).toEqual([
      ErrorCode.BAD_USER_INPUT,
    ]);
  });
});
