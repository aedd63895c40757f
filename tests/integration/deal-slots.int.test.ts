import path from 'node:path';
import type { Database } from '../../src/db/database';
import { findDeals, type DealFilter, type DealPage } from '../../src/db/deal-queries';
import { buildMissingDealSlots } from '../../src/db/deal-slots';
import { updateEntity } from '../../src/db/entity-writes';
import { recordDeal } from '../../src/db/fact-writes';
import { mergeEntities } from '../../src/db/merge-writes';
import { retireFact } from '../../src/db/retire-writes';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { seedGraph } from '../../src/seed/seeder';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';
import { openTestDatabase, resetGraph } from '../helpers/test-app';

/**
 * Deal slots (src/db/deal-slots.ts) are derived from the BUYER, SELLER and COVERS relationships and
 * the deals' order years: after every kind of write they must say exactly what the relationships
 * say, and a year-ordered page read through them must list exactly the deals the relationships give,
 * in the contract's order.
 */
const actor = { tokenName: 'slots-test' };
const SOURCE = 'article-s400-turkey';

describe('deal slots follow the relationships through every kind of write', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
    await resetGraph(db);
  });
  afterAll(async () => {
    await db.close();
  });

  /** The slots as stored, and as the relationships say they should be. */
  async function slotsAndTruth(): Promise<{ slots: string[]; truth: string[] }> {
    const [row] = await db.read(
      `CALL () {
         MATCH (s:DealSlot) RETURN collect(s.role + '|' + s.partyId + '|' + toString(s.sortYear) + '|' + s.dealId) AS slots
       }
       CALL () {
         // Live relationships, and a variant's deal for its family too (F-35A's for F-35).
         CALL () {
           MATCH (d:Deal)-[r:BUYER|SELLER|COVERS]->(p:Entity) WHERE r.retired IS NULL
           RETURN type(r) AS role, p.id AS party, d
           UNION
           MATCH (d:Deal)-[r:COVERS]->(:WeaponSystem)-[:VARIANT_OF]->(p:WeaponSystem) WHERE r.retired IS NULL
           RETURN 'COVERS' AS role, p.id AS party, d
         }
         RETURN collect(role + '|' + party + '|' + toString(coalesce(d.orderYear, -1)) + '|' + d.id) AS truth
       }
       RETURN slots, truth`,
    );
    return {
      slots: ((row?.slots as string[]) ?? []).sort(),
      truth: ((row?.truth as string[]) ?? []).sort(),
    };
  }

  /** Every party's year-ordered pages (both orders, walked by cursor) list what the relationships give. */
  async function expectPagesMatchRelationships(): Promise<void> {
    const parties = await db.read(
      `CALL () {
         MATCH (d:Deal)-[r:BUYER|SELLER|COVERS]->(p:Entity) RETURN type(r) AS role, p.id AS id
         UNION
         MATCH (:Deal)-[:COVERS]->(:WeaponSystem)-[:VARIANT_OF]->(p:WeaponSystem) RETURN 'COVERS' AS role, p.id AS id
       }
       RETURN DISTINCT role, id ORDER BY role, id`,
    );
    for (const { role, id } of parties) {
      const field = role === 'BUYER' ? 'buyer' : role === 'SELLER' ? 'seller' : 'system';
      const filter: DealFilter = { [field]: String(id) };
      for (const order of ['ORDER_YEAR_DESC', 'ORDER_YEAR_ASC'] as const) {
        const nulls = order === 'ORDER_YEAR_DESC' ? -1 : 999999;
        const expected = (
          await db.read(
            // A system's deals are its variants' too (one VARIANT_OF step); retired relationships count not.
            `MATCH (:Entity {id: $id})<-[:VARIANT_OF*0..${role === 'COVERS' ? 1 : 0}]-(:Entity)<-[r:${String(role)}]-(d:Deal)
             WHERE coalesce(d.retired, false) = false AND r.retired IS NULL
             RETURN d.id AS id ORDER BY coalesce(d.orderYear, $nulls) ${order === 'ORDER_YEAR_DESC' ? 'DESC' : 'ASC'}, d.id`,
            { id, nulls },
          )
        ).map((r) => r.id);
        const seen: unknown[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 100; guard++) {
          const page: DealPage = await findDeals(db, filter, order, 3, after);
          expect(page.totalCount).toBe(expected.length);
          seen.push(...page.deals.map((d) => d.id));
          if (!page.hasNextPage) break;
          after = page.cursors.at(-1) ?? null;
        }
        expect({ role, id, order, ids: seen }).toEqual({ role, id, order, ids: expected });
      }
    }
  }

  async function expectConsistent(): Promise<void> {
    const { slots, truth } = await slotsAndTruth();
    expect(truth.length).toBeGreaterThan(0);
    expect(slots).toEqual(truth);
    await expectPagesMatchRelationships();
  }

  it('after seeding', async () => {
    await seedGraph(db);
    await expectConsistent();
  });

  it('after a SIPRI import that adds deals and lands on curated ones', async () => {
    const file = path.join(__dirname, '..', 'fixtures', 'sipri', 'trade-register-excerpt.csv');
    await importSipri(db, await readRegister(file), { batchSize: 7 });
    // New deals get their slots as their parties are created (no read-back): a variant's family
    // (S-70A Black Hawk's S-70) must be among them.
    const [fam] = await db.read(
      `MATCH (d:Deal)-[:COVERS]->(:WeaponSystem)-[:VARIANT_OF]->(f:WeaponSystem)
       WHERE d.id STARTS WITH 'sipri-' AND EXISTS { (:DealSlot {dealId: d.id, role: 'COVERS', partyId: f.id}) }
       RETURN count(*) AS n`,
    );
    expect(Number(fam?.n)).toBeGreaterThan(0);
    await expectConsistent();
  });

  it('after recording a deal, with and without an order year', async () => {
    const deal = {
      name: 'Test deal',
      buyer: 'QAT',
      seller: 'USA',
      system: 'f-35',
      status: 'PENDING',
      sourceIds: [SOURCE],
    };
    await recordDeal(db, actor, { ...deal, id: 'slot-test-1', orderYear: 2021 });
    await recordDeal(db, actor, { ...deal, id: 'slot-test-2' });
    await expectConsistent();
  });

  it('after updating a deal', async () => {
    await updateEntity(db, actor, { id: 'slot-test-1', description: 'updated', sourceIds: [SOURCE] });
    await expectConsistent();
  });

  it('after merging two deals with different buyers, and two countries', async () => {
    await recordDeal(db, actor, {
      id: 'slot-test-3',
      name: 'Test deal 3',
      buyer: 'SAU',
      seller: 'USA',
      system: 'f-35',
      status: 'PENDING',
      orderYear: 2019,
      sourceIds: [SOURCE],
    });
    await mergeEntities(db, actor, {
      keep: 'slot-test-1',
      merge: 'slot-test-3',
      reason: 'same deal',
      sourceIds: [SOURCE],
    });
    const buyers = await db.read(
      "MATCH (:Deal {id: 'slot-test-1'})-[:BUYER]->(b) RETURN b.id AS id ORDER BY id",
    );
    expect(buyers.map((b) => b.id)).toEqual(['QAT', 'SAU']);
    await mergeEntities(db, actor, { keep: 'SAU', merge: 'QAT', reason: 'test', sourceIds: [SOURCE] });
    await expectConsistent();
  });

  it('after retiring a deal and a relationship (pages leave the retired deal out)', async () => {
    await retireFact(db, actor, { node: 'slot-test-2', reason: 'test', sourceIds: [SOURCE] });
    await retireFact(db, actor, {
      relationship: { type: 'COVERS', from: 'slot-test-1', to: 'f-35' },
      reason: 'test',
      sourceIds: [SOURCE],
    });
    await expectConsistent();
    const page = await findDeals(db, { buyer: 'SAU' }, 'ORDER_YEAR_DESC', 50, null);
    expect(page.deals.map((d) => d.id)).not.toContain('slot-test-2');
  });

  it('after the test helper writes deals, and a database without slots gets them once', async () => {
    await writeSyntheticDeals(db, 40);
    await expectConsistent();
    await db.write('MATCH (s:DealSlot) DELETE s');
    await db.write('MATCH (m:DealSlotsBuilt) DELETE m');
    await buildMissingDealSlots(db);
    await expectConsistent();
  });
});
