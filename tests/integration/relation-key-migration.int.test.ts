import { applySchema } from '../../src/db/constraints';
import type { Database } from '../../src/db/database';
import { writeDeliveries } from '../../src/db/graph-writer';
import { keyUnkeyedDealRelations } from '../../src/db/relation-key-migration';
import { relationKey } from '../../src/model';
import { openTestDatabase, resetGraph } from '../helpers/test-app';

/**
 * A database written by an older importer holds deal relationships without a key (HAS_DELIVERY and the
 * parties were MERGEd on their type alone). The start-up migration gives them the key every writer
 * MERGEs on, folds duplicates of one fact into one, and does nothing the second time.
 */
describe('deal relationships without a key get one at start', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  /**
   * The relationships of the old deal, one line each: type, end, key, sources (sorted: twins folded
   * into one fact are met in no set order, so the order of their sources carries no meaning).
   */
  async function relationships(): Promise<string[]> {
    const rows = await db.read(
      `MATCH (:Deal {id: 'old-deal'})-[r]->(e)
       RETURN type(r) + ' ' + e.id + ' ' + coalesce(r.key, '-') AS head, coalesce(r.sourceIds, []) AS sources,
         coalesce(r.retired, false) AS retired`,
    );
    return rows
      .map(
        (r) =>
          `${String(r.head)} ${(r.sources as string[])
            .slice()
            .sort()
            .map((s) => `${s},`)
            .join('')}${r.retired ? ' retired' : ''}`,
      )
      .sort();
  }

  it('keys HAS_DELIVERY and party relationships, folds duplicates, keeps what was keyed, and is idempotent', async () => {
    await resetGraph(db);
    // As an older release's import left it: nothing keyed but the second SELLER.
    await db.write(
      `CREATE (b:Country:Entity {id: 'OLB', name: 'Oldbuyer'}), (s:Country:Entity {id: 'OLS', name: 'Oldseller'}),
         (w:WeaponSystem:Entity {id: 'old-sys', name: 'Old system'}),
         (d:Deal:Entity {id: 'old-deal', name: 'Old deal', orderYear: 2001}),
         (x:Delivery {id: 'old-deal:2003', year: 2003, tiv: 5.0}),
         (d)-[:HAS_DELIVERY {sourceIds: ['sipri-old']}]->(x),
         (d)-[:BUYER {sourceIds: ['sipri-old']}]->(b),
         (d)-[:SELLER {sourceIds: ['sipri-old']}]->(s),
         (d)-[:SELLER {key: 'SELLER:old-deal:OLS:', sourceIds: ['sipri-new']}]->(s),
         (d)-[:COVERS {sourceIds: ['sipri-old']}]->(w),
         (d)-[:COVERS {sourceIds: ['article']}]->(w)`,
    );
    await db.write('MATCH (m:DealRelationKeysBuilt) DELETE m');
    await applySchema(db);
    const keyed = await relationships();
    expect(keyed).toEqual(
      [
        `BUYER OLB ${relationKey('BUYER', 'old-deal', 'OLB')} sipri-old,`,
        // Two unkeyed COVERS of one system: one fact with both sources.
        `COVERS old-sys ${relationKey('COVERS', 'old-deal', 'old-sys')} article,sipri-old,`,
        `HAS_DELIVERY old-deal:2003 ${relationKey('HAS_DELIVERY', 'old-deal', 'old-deal:2003')} sipri-old,`,
        // The keyed SELLER is kept, with the unkeyed one's source.
        `SELLER OLS ${relationKey('SELLER', 'old-deal', 'OLS')} sipri-new,sipri-old,`,
      ].sort(),
    );
    const [marker] = await db.read('MATCH (m:DealRelationKeysBuilt) RETURN count(m) AS n');
    expect(Number(marker?.n)).toBe(1);

    // Again (marker removed, so it really runs): nothing changes.
    await db.write('MATCH (m:DealRelationKeysBuilt) DELETE m');
    await keyUnkeyedDealRelations(db);
    expect(await relationships()).toEqual(keyed);

    // The writer now meets the old delivery relationship on its key instead of adding a second one.
    await db.writeTx((tx) =>
      writeDeliveries(db, tx, 'old-deal', [{ year: 2003, quantity: 2, tiv: 5 }], ['sipri-new']),
    );
    const [count] = await db.read(
      "MATCH (:Deal {id: 'old-deal'})-[r:HAS_DELIVERY]->(:Delivery {id: 'old-deal:2003'}) RETURN count(r) AS n",
    );
    expect(Number(count?.n)).toBe(1);
  });

  it('once done, a start does not look at the deals again', async () => {
    await db.write(
      "CREATE (:Deal:Entity {id: 'late-deal', name: 'Late'})-[:BUYER]->(:Country:Entity {id: 'LAT', name: 'Late'})",
    );
    await applySchema(db);
    const [row] = await db.read("MATCH (:Deal {id: 'late-deal'})-[r:BUYER]->() RETURN r.key AS key");
    // The marker stands: the migration did not run (every writer since keys what it writes).
    expect(row?.key ?? null).toBeNull();
  });
});
