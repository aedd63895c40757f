import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importReference } from '../../src/import/reference/import-reference';
import { ReferenceDataError } from '../../src/import/reference/read-reference';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

// Alliances, embargoes and sanctions from reference/, joined with a real SIPRI register excerpt
// (tests/fixtures/sipri/embargo-excerpt.csv: Source: SIPRI Arms Transfers Database), asked over HTTP.
const FIXTURE = path.resolve(__dirname, '../fixtures/sipri/embargo-excerpt.csv');
const REFERENCE = path.resolve(__dirname, '../../reference');

const EU_STATES = ['DEU', 'FRA', 'GBR'];

describe('reference data over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    await importReference(server.db);
    await importSipri(server.db, await readRegister(FIXTURE));
  });
  afterAll(async () => {
    await server.close();
  });

  const q = <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
    server.data<T>(query, variables);

  type Member = { member: { id: string }; since: string; until: string | null; status: string };

  it('NATO has its 32 members, each with its accession date', async () => {
    const { alliance } = await q<{ alliance: { members: Member[]; defenceClause: string } }>(
      '{ alliance(id: "NATO") { defenceClause members { member { id } since until status } } }',
    );
    expect(alliance.members).toHaveLength(32);
    expect(new Set(alliance.members.map((m) => m.member.id)).size).toBe(32);
    for (const m of alliance.members) expect(m.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const year = (id: string) => alliance.members.find((m) => m.member.id === id)?.since.slice(0, 4);
    expect([year('USA'), year('TUR'), year('DEU'), year('POL'), year('FIN'), year('SWE')]).toEqual([
      '1949',
      '1952',
      '1955',
      '1999',
      '2023',
      '2024',
    ]);
    expect(alliance.defenceClause).toMatch(/Article 5/);
  });

  it('members(at: 1998) excludes Poland and includes Turkey; the EU of 2021 no longer has the United Kingdom', async () => {
    const { nato, eu } = await q<{ nato: { members: Member[] }; eu: { members: Member[] } }>(`{
      nato: alliance(id: "nato") { members(at: 1998) { member { id } since until status } }
      eu: alliance(id: "eu") { members(at: 2021) { member { id } } }
    }`);
    const ids = nato.members.map((m) => m.member.id);
    expect(ids).toContain('TUR');
    expect(ids).not.toContain('POL');
    expect(ids).toHaveLength(16);
    expect(eu.members.map((m) => m.member.id)).not.toContain('GBR');
    expect(eu.members).toHaveLength(27);
  });

  it("allianceConflicts(NATO) lists Turkey's S-400 and never a purchase from a state that was a member in the order year", async () => {
    const { allianceConflicts } = await q<{
      allianceConflicts: Array<{
        member: { id: string };
        supplier: { id: string };
        deal: { id: string; system: { id: string } | null };
        orderYear: number | null;
      }>;
    }>(
      '{ allianceConflicts(alliance: "NATO") { member { id } supplier { id } orderYear deal { id system { id } } } }',
    );
    const s400 = allianceConflicts.find((c) => c.member.id === 'TUR' && c.deal.system?.id === 's-400');
    expect(s400).toMatchObject({ supplier: { id: 'RUS' }, orderYear: 2017 });
    // Poland's Mi-17 order of 2010 counts; its M-28B order of 1992, before it joined, does not.
    const poland = allianceConflicts.filter((c) => c.member.id === 'POL').map((c) => c.deal.id);
    expect(poland).toContain('sipri-52252');
    expect(poland).not.toContain('sipri-21479');
    const { alliance } = await q<{ alliance: { members: Member[] } }>(
      '{ alliance(id: "nato") { members { member { id } since until status } } }',
    );
    for (const c of allianceConflicts) {
      expect(c.orderYear).not.toBeNull();
      const supplierWasMember = alliance.members.some(
        (m) =>
          m.member.id === c.supplier.id &&
          Number(m.since.slice(0, 4)) <= c.orderYear! &&
          (m.until === null || Number(m.until.slice(0, 4)) >= c.orderYear!),
      );
      expect(supplierWasMember).toBe(false);
    }
    // Purchases from fellow members (Italy to Turkey, the United States to Poland) never appear.
    expect(allianceConflicts.map((c) => c.supplier.id)).not.toEqual(expect.arrayContaining(['ITA']));
    expect(allianceConflicts.map((c) => c.supplier.id)).not.toEqual(expect.arrayContaining(['USA']));
    const ranged = await q<{ allianceConflicts: Array<{ orderYear: number }> }>(
      '{ allianceConflicts(alliance: "nato", orderedFrom: 2018, orderedTo: 2020) { orderYear } }',
    );
    expect(ranged.allianceConflicts.length).toBeGreaterThan(0);
    for (const c of ranged.allianceConflicts) expect(c.orderYear).toBeGreaterThanOrEqual(2018);
  });

  it('sanctions(target: "IRN", kind: ARMS_EMBARGO, inForce: 2012) includes the UN embargo with its resolution and source', async () => {
    const { sanctions } = await q<{
      sanctions: Array<{
        id: string;
        kind: string;
        instrument: string;
        imposedBy: { id: string };
        since: string;
        until: string | null;
        sources: Array<{ id: string; citation: string | null }>;
      }>;
    }>(`{ sanctions(target: "IRN", kind: ARMS_EMBARGO, inForce: 2012) {
      id kind instrument since until imposedBy { id } sources { id citation } } }`);
    const un = sanctions.find((s) => s.imposedBy.id === 'unsc');
    expect(un).toMatchObject({ id: 'unsc-irn-2010', instrument: 'UNSCR 1929', kind: 'ARMS_EMBARGO' });
    expect(un!.sources[0]).toMatchObject({
      id: 'unscr-1929',
      citation: expect.stringMatching(/S\/RES\/1929/),
    });
    expect(sanctions.map((s) => s.imposedBy.id)).toContain('eu');
    // Lifted and superseded instruments are not in force in 2012; their history stays.
    expect(sanctions.map((s) => s.instrument)).not.toContain('UNSCR 1747');
    const all = await q<{ sanctions: Array<{ instrument: string }> }>(
      '{ sanctions(target: "Iran", imposedBy: "unsc") { instrument } }',
    );
    expect(all.sanctions.map((s) => s.instrument)).toEqual(
      expect.arrayContaining(['UNSCR 1747', 'UNSCR 1929', 'UNSCR 2231']),
    );
  });

  it("the seed's CAATSA sanction on Turkey's SSB is the reference fact, dated, with its instrument", async () => {
    const { country } = await q<{
      country: {
        region: string;
        subregion: string;
        sanctionsReceived: Array<{
          id: string;
          kind: string;
          instrument: string;
          since: string;
          status: string;
        }>;
      };
    }>('{ country(id: "TUR") { region subregion sanctionsReceived { id kind instrument since status } } }');
    expect(country).toMatchObject({ region: 'Asia', subregion: 'Western Asia' });
    const imposed = country.sanctionsReceived.filter((s) => s.status === 'IMPOSED');
    expect(imposed).toEqual([
      {
        id: 'usa-ssb-2020',
        kind: 'TARGETED',
        instrument: 'CAATSA section 231',
        since: '2020-12-14',
        status: 'IMPOSED',
      },
    ]);
  });

  type Row = {
    deal: { id: string };
    year: number;
    tiv: number | null;
    supplier: { id: string };
    recipient: { id: string };
    supplierBound: boolean | null;
    embargo: { id: string; instrument: string; imposedBy: { id: string } };
    caveats: string[];
    cursor: string;
  };
  const ROW =
    'deal { id } year tiv supplier { id } recipient { id } supplierBound caveats cursor embargo { id instrument imposedBy { id } }';

  it('deliveriesUnderEmbargo(CHN, eu): EU member states bound in the delivery year, Russia not', async () => {
    const { deliveriesUnderEmbargo: rows } = await q<{ deliveriesUnderEmbargo: Row[] }>(
      `{ deliveriesUnderEmbargo(target: "CHN", imposedBy: "eu", first: 500) { ${ROW} } }`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.year).toBeGreaterThan(1989);
      expect(r.embargo).toMatchObject({ id: 'eu-chn-1989', imposedBy: { id: 'eu' } });
    }
    const from = (id: string) => rows.filter((r) => r.supplier.id === id);
    for (const id of EU_STATES) {
      expect(from(id).length).toBeGreaterThan(0);
      for (const r of from(id)) expect(r.supplierBound).toBe(true);
    }
    expect(from('RUS').length).toBeGreaterThan(0);
    for (const r of from('RUS')) expect(r.supplierBound).toBe(false);
    // The United Kingdom's deliveries all predate its leaving the EU (2020): bound in every one.
    expect(Math.max(...from('GBR').map((r) => r.year))).toBeLessThan(2020);
  });

  it('pages deliveriesUnderEmbargo by cursor without gaps or repeats', async () => {
    const all = await q<{ deliveriesUnderEmbargo: Row[] }>(
      `{ deliveriesUnderEmbargo(target: "CHN", first: 500) { ${ROW} } }`,
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { deliveriesUnderEmbargo: Row[] } = await q(
        `query($after: String) { deliveriesUnderEmbargo(target: "CHN", first: 7, after: $after) { ${ROW} } }`,
        { after },
      );
      seen.push(...page.deliveriesUnderEmbargo.map((r) => r.cursor));
      if (page.deliveriesUnderEmbargo.length < 7) break;
      after = page.deliveriesUnderEmbargo.at(-1)!.cursor;
    }
    expect(seen).toEqual(all.deliveriesUnderEmbargo.map((r) => r.cursor));
    const tooMany = await server.gql('{ deliveriesUnderEmbargo(first: 501) { year } }');
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badCursor = await server.gql('{ deliveriesUnderEmbargo(after: "nope") { year } }');
    expect(badCursor.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("an embargo on non-governmental forces covers the Houthis' deliveries, not the government's", async () => {
    const { deliveriesUnderEmbargo: rows } = await q<{ deliveriesUnderEmbargo: Row[] }>(
      `{ deliveriesUnderEmbargo(target: "YEM", imposedBy: "unsc") { ${ROW} } }`,
    );
    expect(rows.map((r) => r.deal.id)).toContain('sipri-61040');
    expect(rows.find((r) => r.deal.id === 'sipri-61040')).toMatchObject({
      supplier: { id: 'IRN' },
      supplierBound: true,
      embargo: { instrument: 'UNSCR 2216' },
    });
    expect(rows.map((r) => r.deal.id)).not.toContain('sipri-62412');
  });

  it('a delivery in the first year of a partial embargo comes with its caveats', async () => {
    const { deliveriesUnderEmbargo: rows } = await q<{ deliveriesUnderEmbargo: Row[] }>(
      `{ deliveriesUnderEmbargo(target: "IRN", imposedBy: "unsc", supplier: "Russia") { ${ROW} } }`,
    );
    const tor2007 = rows.find((r) => r.deal.id === 'sipri-31785' && r.year === 2007);
    expect(tor2007?.caveats).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/began on 2007-03-24/),
        expect.stringMatching(/covers only/),
      ]),
    );
    expect(rows.find((r) => r.deal.id === 'sipri-31785' && r.year === 2006)).toBeUndefined();
  });

  it('every reference fact cites a source that resolves to a Source with a citation', async () => {
    const rows = await server.db.read(
      `MATCH ()-[r]->() WHERE r.referenceFile IS NOT NULL
       RETURN r.key AS key, [id IN r.sourceIds WHERE NOT EXISTS {
         MATCH (s:Source {id: id}) WHERE s.citation IS NOT NULL AND s.citation <> '' }] AS missing,
         size(r.sourceIds) AS n`,
    );
    expect(rows.length).toBe(104 + 127);
    for (const r of rows) {
      expect(r.n).toBeGreaterThan(0);
      expect({ key: r.key, missing: r.missing }).toEqual({ key: r.key, missing: [] });
    }
  });

  it('exports carry the memberships and sanctions with their dates', async () => {
    const res = await fetch(`${server.url}/export/edges.csv`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('unsc-irn-2010');
    expect(text).toContain('1999-03-12');
  });
});

describe('reference import: idempotent, refused whole on a bad row', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-reference-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await server.close();
  });

  const counts = async () =>
    (
      await server.db.read(
        'CALL () { MATCH (n) RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels',
      )
    )[0];
  const copyWith = (file: string, edit: (text: string) => string) => {
    for (const f of fs.readdirSync(REFERENCE)) fs.copyFileSync(path.join(REFERENCE, f), path.join(dir, f));
    const target = path.join(dir, file);
    fs.writeFileSync(target, edit(fs.readFileSync(target, 'utf8')));
  };

  it.each([
    [
      'an embargo without a source',
      'sanctions.csv',
      (t: string) => t.replace(/,unscr-1970,/, ',,'),
      /sanctions\.csv:\d+: no source/,
    ],
    [
      'an unknown country',
      'memberships.csv',
      (t: string) => t.replace('nato,POL,', 'nato,XYZ,'),
      /memberships\.csv:\d+: country: unknown country "XYZ"/,
    ],
    [
      'an unknown alliance',
      'memberships.csv',
      (t: string) => t.replace('nato,POL,', 'natoo,POL,'),
      /memberships\.csv:\d+: alliance: unknown alliance "natoo"/,
    ],
    [
      'a date that does not parse',
      'sanctions.csv',
      (t: string) => t.replace('2011-02-26', '2011-02-30'),
      /sanctions\.csv:\d+: since: "2011-02-30" is not a date/,
    ],
    [
      'an end before its start',
      'memberships.csv',
      (t: string) => t.replace('1955-05-14,1990-09-24', '1955-05-14,1950'),
      /memberships\.csv:\d+: ends \(1950\) before it starts/,
    ],
  ])('refuses %s, naming file and line, and writes nothing', async (_, file, edit, message) => {
    copyWith(file, edit);
    const before = await counts();
    await expect(importReference(server.db, dir)).rejects.toThrow(ReferenceDataError);
    await expect(importReference(server.db, dir)).rejects.toThrow(message);
    expect(await counts()).toEqual(before);
  });

  it('names the exact line of a bad row', async () => {
    copyWith('memberships.csv', (t) => t.replace('nato,POL,', 'nato,XYZ,'));
    const line =
      fs
        .readFileSync(path.join(dir, 'memberships.csv'), 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('nato,XYZ,')) + 1;
    const err = await importReference(server.db, dir).catch((e: unknown) => e);
    expect((err as ReferenceDataError).problems).toEqual([
      { file: 'memberships.csv', line, reason: 'country: unknown country "XYZ" (not in countries.csv)' },
    ]);
  });

  it('runs on an empty graph, and a second run changes nothing', async () => {
    await resetGraph(server.db);
    const first = await importReference(server.db);
    expect(first.nodesCreated).toBeGreaterThan(250);
    const after = await counts();
    const second = await importReference(server.db);
    expect(second).toMatchObject({ nodesCreated: 0, relationsCreated: 0, relationsRetired: 0 });
    expect(await counts()).toEqual(after);
  });

  it('retires a fact a file no longer states, and revives it when stated again', async () => {
    copyWith('sanctions.csv', (t) =>
      t
        .split('\n')
        .filter((l) => !l.startsWith('unsc-lby-2011,'))
        .join('\n'),
    );
    const dropped = await importReference(server.db, dir);
    expect(dropped.relationsRetired).toBe(1);
    const gone = await server.gql<{ sanctions: Array<{ id: string }> }>(
      '{ sanctions(target: "LBY", imposedBy: "unsc") { id } }',
    );
    expect(gone.body.data?.sanctions.map((s) => s.id)).toEqual(['unsc-lby-1992']);
    const [kept] = await server.db.read(
      "MATCH ()-[r:SANCTIONS {id: 'unsc-lby-2011'}]->() RETURN r.retired AS retired, r.retiredReason AS reason",
    );
    expect(kept).toMatchObject({ retired: true, reason: expect.stringMatching(/sanctions\.csv/) });
    await importReference(server.db);
    const back = await server.gql<{ sanctions: Array<{ id: string }> }>(
      '{ sanctions(target: "LBY", imposedBy: "unsc") { id } }',
    );
    expect(back.body.data?.sanctions.map((s) => s.id)).toEqual(['unsc-lby-1992', 'unsc-lby-2011']);
  });
});
