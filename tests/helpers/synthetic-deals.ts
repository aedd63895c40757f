import type { Database } from '../../src/db/database';
import { refreshTivRollups } from '../../src/db/tiv-rollups';
import { mergeNodes, mergeRelations, writeDealParties } from '../../src/db/graph-writer';
import { nameFields } from '../../src/db/names';

const SETUP_TIMEOUT_MS = 300_000;

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
  const sourceIds = ['test-source'];
  // Written through the graph writer, like the importer: parties on their keys, with the page slots.
  // Set-up, not a request: it gets the minutes the seed gets (3,000 deals in one transaction passed
  // the test database's 60 s at a load average of 25).
  await db.writeTx(async (tx) => {
    await mergeNodes(db, tx, 'Source', [
      { id: 'test-source', props: { name: 'Test source', kind: 'reference', aliases: [] } },
    ]);
    await mergeNodes(
      db,
      tx,
      'Country',
      countries.map((c) => ({ id: c.id, props: c, sourceIds })),
    );
    await mergeNodes(
      db,
      tx,
      'WeaponSystem',
      systems.map((w) => ({ id: w.id, props: w, sourceIds })),
    );
    await mergeNodes(
      db,
      tx,
      'Deal',
      deals.map((d) => ({
        id: d.id,
        props: {
          name: d.name,
          aliases: d.aliases,
          nameKeys: d.nameKeys,
          nameKeysText: d.nameKeysText,
          searchText: d.searchText,
          status: 'COMPLETED',
          orderYear: d.orderYear,
          tivTotal: d.tiv,
          category: 'Aircraft',
        },
        sourceIds,
      })),
    );
    await writeDealParties(
      db,
      tx,
      deals.map((d) => ({
        dealId: d.id,
        parties: { BUYER: { id: d.buyer }, SELLER: { id: d.seller }, COVERS: { id: d.system } },
        sourceIds,
      })),
      { by: 'test', reason: 'test data names another party', sourceIds },
    );
    await mergeNodes(
      db,
      tx,
      'Delivery',
      deals.map((d) => ({ id: `${d.id}:${d.year}`, props: { year: d.year, tiv: d.tiv }, sourceIds })),
    );
    await mergeRelations(
      db,
      tx,
      'HAS_DELIVERY',
      deals.map((d) => ({ from: d.id, to: `${d.id}:${d.year}`, sourceIds })),
    );
    await refreshTivRollups(
      db,
      tx,
      deals.map((d) => d.id),
    );
  }, SETUP_TIMEOUT_MS);
}
