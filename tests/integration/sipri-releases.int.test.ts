import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tivRollups from '../../src/db/tiv-rollups';
import { transferTotals } from '../../src/db/transfer-totals';
import type { Database } from '../../src/db/database';
import { ErrorCode } from '../../src/errors';
import { importSipri, type ImportReport } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { releaseOf, type ReleaseOverrides } from '../../src/import/sipri/release-preamble';
import { expectRollupsMatchDeliveries } from '../helpers/rollup-check';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

/**
 * Two releases of the SIPRI register: an excerpt of the real export of 3 Jan 2025 and a "newer
 * release" derived from it by scripts/derive-sipri-release.js (later date, wider scope, and the
 * changes its manifest lists: a changed seller, a changed system, a dropped delivery, a dropped deal,
 * a moved delivery year, a revised TIV, new deals, a new delivery year).
 */
const dir = path.join(__dirname, '..', 'fixtures', 'sipri', 'releases');
const OLDER = path.join(dir, 'release-2025-01-03.csv');
const NEWER = path.join(dir, 'release-2026-02-12.csv');
interface Change {
  id: string;
  old?: string | number;
  new?: string | number;
  year?: number;
  newId?: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'release-2026-02-12.changes.json'), 'utf8')) as {
  changes: Record<string, Change[]>;
};
const changes = (kind: string): Change[] => manifest.changes[kind] ?? [];

async function importRelease(
  db: Database,
  file: string,
  overrides?: ReleaseOverrides,
): Promise<ImportReport> {
  const register = await readRegister(file);
  return importSipri(db, register, {
    // Batches (and reconciliation pages) smaller than a release, so both run several times per import.
    batchSize: 40,
    reread: () => readRegister(file),
    ...(overrides ? { release: releaseOf(register.variant, overrides) } : {}),
  });
}

/** What an analyst sees: every live deal's current values and deliveries, and the TIV tables. */
async function currentState(db: Database) {
  const deals = await db.read(
    `MATCH (d:Deal) WHERE d.retired IS NULL
     RETURN d.id AS id, d.name AS name, d.orderYear AS orderYear, d.tivUnit AS tivUnit, d.tivTotal AS tiv,
       d.delivered AS delivered, d.status AS status, d.description AS description,
       [(d)-[r:BUYER WHERE r.retired IS NULL]->(b) | b.id] AS buyers,
       [(d)-[r:SELLER WHERE r.retired IS NULL]->(s) | s.id] AS sellers,
       [(d)-[r:COVERS WHERE r.retired IS NULL]->(w) | w.id] AS systems,
       [(d)-[:HAS_DELIVERY]->(x) WHERE x.retired IS NULL | [x.year, x.quantity, x.tiv]] AS deliveries
     ORDER BY id`,
  );
  for (const d of deals) (d.deliveries as number[][]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  const totals = async (by: 'SUPPLIER' | 'RECIPIENT' | 'YEAR') =>
    (await transferTotals(db, { by }, { first: 5000 })).map((t) => [
      t.key,
      t.tivDelivered.toFixed(6),
      t.deals,
    ]);
  return {
    deals,
    supplier: await totals('SUPPLIER'),
    recipient: await totals('RECIPIENT'),
    year: await totals('YEAR'),
  };
}

/** Deals with more than one live buyer, seller or system. */
const doubled = (db: Database) =>
  db.read(
    `MATCH (d:Deal)-[r:BUYER|SELLER|COVERS]->() WHERE r.retired IS NULL
     WITH d, type(r) AS t, count(r) AS n WHERE n > 1 RETURN d.id AS id, t, n`,
  );

describe('SIPRI releases', () => {
  let server: TestServer;
  let db: Database;
  let newestAlone: Awaited<ReturnType<typeof currentState>>;

  beforeAll(async () => {
    server = await startTestServer();
    db = server.db;
    await resetGraph(db);
    const report = await importRelease(db, NEWER);
    expect(report.rejected).toEqual([]);
    newestAlone = await currentState(db);
  });

  afterAll(async () => {
    await server.close();
  });

  it('reads the release from the preamble: date and scope', async () => {
    const register = await readRegister(NEWER);
    expect(releaseOf(register.variant)).toEqual({
      generated: '2026-02-12',
      scope: { from: 1995, to: 2030, ordersIncluded: true, allParties: true },
    });
  });

  it.each([
    ['older then newer', [OLDER, NEWER]],
    ['newer then older', [NEWER, OLDER]],
    ['older, newer, older again', [OLDER, NEWER, OLDER]],
    ['newer, older, newer again', [NEWER, OLDER, NEWER]],
  ])('%s: every value, delivery and TIV table equals the newest release alone', async (_, files) => {
    await resetGraph(db);
    for (const file of files) expect((await importRelease(db, file)).rejected).toEqual([]);
    expect(await doubled(db)).toEqual([]);
    const state = await currentState(db);
    expect(state.supplier).toEqual(newestAlone.supplier);
    expect(state.recipient).toEqual(newestAlone.recipient);
    expect(state.year).toEqual(newestAlone.year);
    expect(state.deals).toEqual(newestAlone.deals);
    await expectRollupsMatchDeliveries(db);
  });

  it("a newer release's settling reads back only the deals whose TIV part it may have moved", async () => {
    await resetGraph(db);
    await importRelease(db, OLDER);
    const spy = jest.spyOn(tivRollups, 'staleTivContributions');
    let readBack: string[] = [];
    let releaseDeals = 0;
    try {
      releaseDeals = (await importRelease(db, NEWER)).deals;
      for (const r of spy.mock.results) readBack.push(...((await r.value) as string[]));
    } finally {
      spy.mockRestore();
    }
    readBack = [...new Set(readBack)].sort();
    // The deals the newer release changed (scripts/derive-sipri-release.js's manifest); the others
    // have the part they had, which the batches saw and left alone.
    const changed = new Set(Object.values(manifest.changes).flatMap((cs) => cs.map((c) => `sipri-${c.id}`)));
    expect(readBack.length).toBeGreaterThan(0);
    expect(readBack.filter((id) => !changed.has(id))).toEqual([]);
    expect(readBack.length).toBeLessThan(releaseDeals / 4);
    // Every part is right all the same, and the marks that asked for a read-back are gone.
    await expectRollupsMatchDeliveries(db);
    const [marks] = await db.read('MATCH (c:TivContribution) WHERE c.stale IS NOT NULL RETURN count(c) AS n');
    expect(Number(marks?.n)).toBe(0);
  });

  describe('after the older release and then the newer one', () => {
    beforeAll(async () => {
      await resetGraph(db);
      await importRelease(db, OLDER);
      await importRelease(db, NEWER);
    });

    it('a changed seller: the new one is live, the old one retired with who, why and when', async () => {
      const [change] = changes('seller');
      const rows = await db.read(
        `MATCH (:Deal {id: $id})-[r:SELLER]->(s) RETURN s.name AS seller, r.retired AS retired,
           r.retiredReason AS reason, r.retiredBy AS by, r.retiredAt IS NOT NULL AS dated ORDER BY seller`,
        { id: `sipri-${change?.id}` },
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { seller: change?.new, retired: null, reason: null, by: null, dated: false },
          {
            seller: change?.old,
            retired: true,
            reason: 'not in the release of 2026-02-12',
            by: 'sipri-release-import',
            dated: true,
          },
        ]),
      );
      expect(rows).toHaveLength(2);
    });

    it('a dropped deal and a dropped delivery are retired, not deleted', async () => {
      const [deal] = changes('dropDeal');
      const [delivery] = changes('dropDel');
      const [row] = await db.read(
        `MATCH (d:Deal {id: $deal}) MATCH (x:Delivery {id: $delivery})
         RETURN d.retired AS deal, d.retiredReason AS why, x.retired AS delivery`,
        { deal: `sipri-${deal?.id}`, delivery: `sipri-${delivery?.id}:${delivery?.year}` },
      );
      expect(row).toEqual({ deal: true, why: 'not in the release of 2026-02-12', delivery: true });
    });

    it('a moved delivery year: the old year retired, the new one live', async () => {
      const [move] = changes('moveYear');
      const rows = await db.read(
        `MATCH (:Deal {id: $id})-[:HAS_DELIVERY]->(x) RETURN x.year AS year, x.retired AS retired ORDER BY year`,
        { id: `sipri-${move?.id}` },
      );
      expect(rows).toEqual([
        { year: move?.old, retired: true },
        { year: move?.new, retired: null },
      ]);
    });

    it('deals and deliveries carry the releases that list them', async () => {
      const [added] = changes('newDeal');
      const [kept] = changes('tiv');
      const rows = await db.read(
        `UNWIND $ids AS id MATCH (d:Deal {id: id})
         RETURN d.sipriFirstSeen AS first, d.sipriLastSeen AS last, d.sipriRelease AS release ORDER BY id`,
        { ids: [`sipri-${added?.newId}`, `sipri-${kept?.id}`].sort() },
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { first: '2026-02-12', last: '2026-02-12', release: '2026-02-12' },
          { first: '2025-01-03', last: '2026-02-12', release: '2026-02-12' },
        ]),
      );
    });

    it("the API shows a deal's revisions, its releases' disagreement and when SIPRI saw its deliveries", async () => {
      const [seller] = changes('seller');
      const [tiv] = changes('tiv');
      const query = `query($id: ID!) { node(id: $id) { ... on Deal {
        seller { id } sipriRelease sipriReleases sipriFirstSeen sipriLastSeen
        revisions { release previousRelease field old new }
        disagreements { field shown claims { value sources { id } } }
        deliveries { year sipriFirstSeen sipriLastSeen sipriReleases }
      } } }`;
      const changed = await server.gql<{ node: Record<string, unknown> }>(query, {
        id: `sipri-${seller?.id}`,
      });
      expect(changed.body.errors).toBeUndefined();
      const deal = changed.body.data?.node as {
        seller: { id: string };
        revisions: { field: string; old: string; new: string }[];
        disagreements: {
          field: string;
          shown: string;
          claims: { value: string; sources: { id: string }[] }[];
        }[];
        deliveries: { sipriFirstSeen: string; sipriLastSeen: string }[];
      };
      const sellerRevision = deal.revisions.find((r) => r.field === 'seller');
      expect(sellerRevision).toMatchObject({ release: '2026-02-12', previousRelease: '2025-01-03' });
      expect(JSON.parse(sellerRevision?.new ?? 'null')).toBe(deal.seller.id);
      const disagreement = deal.disagreements.find((d) => d.field === 'seller');
      expect(disagreement?.shown).toBe(JSON.stringify(deal.seller.id));
      expect(disagreement?.claims.map((c) => c.sources.map((x) => x.id)).sort()).toEqual([
        ['sipri-atdb@2025-01-03'],
        ['sipri-atdb@2026-02-12'],
      ]);
      expect(deal.deliveries[0]).toMatchObject({ sipriFirstSeen: '2025-01-03', sipriLastSeen: '2026-02-12' });

      const revised = await server.gql<{
        node: { tivUnit: number; revisions: { field: string; old: string; new: string }[] };
      }>(`query($id: ID!) { node(id: $id) { ... on Deal { tivUnit revisions { field old new } } } }`, {
        id: `sipri-${tiv?.id}`,
      });
      const node = revised.body.data?.node;
      expect(node?.tivUnit).toBe(tiv?.new);
      expect(node?.revisions).toEqual(
        expect.arrayContaining([
          { field: 'tivUnit', old: JSON.stringify(tiv?.old), new: JSON.stringify(tiv?.new) },
        ]),
      );
    });

    it('lists what changed between the two releases', async () => {
      const res = await server.gql<{
        sipriReleases: { id: string; scopeFrom: number; scopeTo: number }[];
        sipriReleaseChanges: {
          added: number;
          dropped: number;
          changed: number;
          deals: { deal: { id: string }; change: string }[];
        };
      }>(`{
        sipriReleases { id scopeFrom scopeTo }
        sipriReleaseChanges(from: "2025-01-03", to: "sipri-atdb@2026-02-12", first: 500) {
          added dropped changed valuesChanged deals { deal { id } change }
        }
      }`);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.sipriReleases).toEqual([
        { id: 'sipri-atdb@2025-01-03', scopeFrom: 2000, scopeTo: 2030 },
        { id: 'sipri-atdb@2026-02-12', scopeFrom: 1995, scopeTo: 2030 },
      ]);
      const c = res.body.data?.sipriReleaseChanges;
      const kinds = (kind: string) =>
        (c?.deals ?? [])
          .filter((d) => d.change === kind)
          .map((d) => d.deal.id)
          .sort();
      const ids = (...kinds: string[]) =>
        kinds.flatMap((k) => changes(k).map((x) => `sipri-${k === 'newDeal' ? x.newId : x.id}`)).sort();
      expect(kinds('ADDED')).toEqual(ids('newDeal'));
      expect(kinds('DROPPED')).toEqual(ids('dropDeal'));
      expect(kinds('CHANGED')).toEqual(ids('seller', 'system', 'dropDel', 'moveYear', 'tiv', 'addYear'));
      expect(c).toMatchObject({ added: 2, dropped: 2, changed: 12 });
      const bad = await server.gql(`{ sipriReleaseChanges(from: "2026-02-12", to: "2025-01-03") { added } }`);
      expect(bad.body.errors?.[0]?.extensions?.code).toBe(ErrorCode.BAD_USER_INPUT);
    });

    it('armed groups are based in the country SIPRI places them in', async () => {
      const res = await server.gql<Record<string, { country: { id: string } | null }>>(`{
        hor: node(id: "Libya HoR") { ... on Organization { country { id } } }
        hezbollah: node(id: "Hezbollah (Lebanon)") { ... on Organization { country { id } } }
      }`);
      expect(res.body.data).toEqual({
        hor: { country: { id: 'LBY' } },
        hezbollah: { country: { id: 'LBN' } },
      });
    });

    it('a weapon-system family reaches its variants in the deals filter and in search', async () => {
      type Page = { totalCount: number; edges: { node: { system: { id: string } } }[] };
      const res = await server.gql<{ t72: Page; mi24: Page; search: { id: string }[] }>(`{
        t72: deals(filter: { system: "T-72" }, first: 100) { totalCount edges { node { system { id } } } }
        mi24: deals(filter: { system: "Mi-24" }, first: 100, orderBy: TIV_DELIVERED_DESC) {
          totalCount edges { node { system { id } } }
        }
        search(text: "Mi-24", first: 10) { id }
      }`);
      expect(res.body.errors).toBeUndefined();
      const systems = (p?: Page) => [...new Set(p?.edges.map((e) => e.node.system.id))].sort();
      expect(systems(res.body.data?.t72)).toEqual(['t-72', 't-72b3']);
      expect(systems(res.body.data?.mi24)).toEqual(['mi-24d', 'mi-24p']);
      for (const page of [res.body.data?.t72, res.body.data?.mi24])
        expect(page?.totalCount).toBe(page?.edges.length);
      expect(res.body.data?.search.map((e) => e.id)).toEqual(
        expect.arrayContaining(['mi-24', 'mi-24d', 'mi-24p']),
      );
    });

    it('re-importing either release writes nothing', async () => {
      for (const file of [NEWER, OLDER]) {
        const before = db.writes;
        const report = await importRelease(db, file);
        expect(report.alreadyImported).toBe(true);
        expect(db.writes - before).toBe(0);
      }
    });
  });

  it('refuses an export that does not say which release it is, unless the command line does', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-release-'));
    const bare = path.join(tmp, 'bare.csv');
    const lines = fs.readFileSync(OLDER, 'utf8').split('\n');
    fs.writeFileSync(bare, lines.slice(11, 40).join('\n') + '\n');
    const register = await readRegister(bare);
    expect(() => releaseOf(register.variant)).toThrow(
      expect.objectContaining({
        code: ErrorCode.BAD_USER_INPUT,
        message: expect.stringMatching(/--generated/),
      }),
    );
    await resetGraph(db);
    await expect(importSipri(db, register)).rejects.toMatchObject({ code: ErrorCode.BAD_USER_INPUT });
    // Nothing written: no node but the rollups' marker, which resetGraph keeps.
    expect((await db.read('MATCH (n) WHERE NOT n:TivRollupsBuilt RETURN count(n) AS n'))[0]?.n).toBe(0);
    const report = await importRelease(db, bare, { generated: '2024-06-01', scope: '2000-2023' });
    expect(report.release).toMatchObject({
      id: 'sipri-atdb@2024-06-01',
      scope: { from: 2000, to: 2023, ordersIncluded: false, allParties: true },
    });
    expect(report.rejected).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
