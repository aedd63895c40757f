import type { Database } from '../../src/db/database';
import { refreshDealSlots } from '../../src/db/deal-slots';
import { refreshTivRollups } from '../../src/db/tiv-rollups';
import { nameFields } from '../../src/db/names';

/**
 * Writes `count` small deals (model: docs/model.md) between a few test countries, each with one
 * delivery, so page-size and totals behaviour can be checked on more than the seed's four deals.
 * Deal i: buyer ZB{i%3}, seller ZS{i%2}, system zsys-{i%4}, ordered in 2000 + (i % 10), tiv i.
 */
export async function writeSyntheticDeals(db: Database, count: number): Promise<void> {
  const countries = ['ZB0', 'ZB1', 'ZB2', 'ZS0', 'ZS1'].map((id) => ({
    id,
    ...nameFields(id, `Testland ${id}`),
  }));
  const systems = [0, 1, 2, 3].map((i) => ({
    id: `zsys-${i}`,
    ...nameFields(`zsys-${i}`, `Test system ${i}`),
  }));
  const deals = Array.from({ length: count }, (_, i) => ({
    id: `zdeal-${String(i).padStart(4, '0')}`,
    ...nameFields(`zdeal-${i}`, `Test deal ${i}`),
    buyer: `ZB${i % 3}`,
    seller: `ZS${i % 2}`,
    system: `zsys-${i % 4}`,
    orderYear: 2000 + (i % 10),
    year: 2001 + (i % 10),
    tiv: i,
  }));
  await db.writeTx(async (tx) => {
    await db.run(
      tx,
      'UNWIND $rows AS r MERGE (c:Country:Entity {id: r.id}) SET c += r, c.sourceIds = ["test-source"]',
      {
        rows: countries,
      },
    );
    await db.run(
      tx,
      'UNWIND $rows AS r MERGE (w:WeaponSystem:Entity {id: r.id}) SET w += r, w.sourceIds = ["test-source"]',
      {
        rows: systems,
      },
    );
    await db.run(
      tx,
      `MERGE (s:Source:Entity {id: 'test-source'}) SET s.name = 'Test source', s.kind = 'reference', s.aliases = []
       WITH s UNWIND $rows AS r
       MERGE (d:Deal:Entity {id: r.id})
       SET d.name = r.name, d.aliases = r.aliases, d.nameKeys = r.nameKeys, d.nameKeysText = r.nameKeysText,
           d.searchText = r.searchText, d.status = 'COMPLETED', d.orderYear = r.orderYear, d.tivTotal = toFloat(r.tiv),
           d.category = 'Aircraft', d.sourceIds = ['test-source']
       WITH d, r
       MATCH (b:Country {id: r.buyer}), (s:Country {id: r.seller}), (w:WeaponSystem {id: r.system})
       MERGE (d)-[:BUYER]->(b) MERGE (d)-[:SELLER]->(s) MERGE (d)-[:COVERS]->(w)
       MERGE (x:Delivery {id: r.id + ':' + toString(r.year)}) SET x.year = r.year, x.tiv = toFloat(r.tiv), x.sourceIds = ['test-source']
       MERGE (d)-[:HAS_DELIVERY]->(x)`,
      { rows: deals },
    );
    // Written like the importer does: with the deals' page slots and TIV rollups.
    await refreshDealSlots(
      db,
      tx,
      deals.map((d) => d.id),
    );
    await refreshTivRollups(
      db,
      tx,
      deals.map((d) => d.id),
    );
  });
}
