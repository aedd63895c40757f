import type { Database } from './database';
import { int } from './integers';
import { DEAL_SLOTS_CYPHER } from './deal-slots';
import { TOTALS_CYPHER } from './sipri-writes';

/**
 * What a bulk load (src/import/sipri/bulk-load.ts) does in Cypher once Neo4j's offline importer has
 * written the store: the few values the importer cannot write, and those the transactional path
 * derives from the graph, by the same statements. Each pass pages through the nodes in id order
 * (the id index), one transaction a page.
 */

/** Whether the graph holds no data: nothing with an id (marker nodes of the schema step have none). */
export async function graphIsEmpty(db: Database): Promise<boolean> {
  const [row] = await db.read('RETURN NOT EXISTS { MATCH (n) WHERE n.id IS NOT NULL } AS empty');
  return row?.empty === true;
}

/** Pages through the nodes of `label` in id order, `n` at a time, running `cypher` on each page (`$ids`). */
async function byPage(db: Database, label: string, n: number, cypher: string, params = {}): Promise<void> {
  for (let after = ''; ;) {
    const last = await db.writeTx(async (tx) => {
      const page = await db.run(
        tx,
        `MATCH (x:${label}) WHERE x.id > $after WITH x.id AS id ORDER BY id LIMIT $n RETURN collect(id) AS ids`,
        { after, n: int(n) },
      );
      const ids = (page[0]?.ids as string[] | undefined) ?? [];
      if (ids.length > 0) await db.run(tx, cypher, { ...params, ids });
      return ids.length < n ? undefined : ids[ids.length - 1];
    }, 600_000);
    if (last === undefined) return;
    after = last;
  }
}

/**
 * Sets the list properties `props` of `label`'s nodes to `[]` where they are missing: the importer
 * stores no empty list, the transactional path does. `label` and `props` come from the bulk files'
 * columns (src/import/sipri/bulk-files.ts), never from input.
 */
export async function fillEmptyLists(
  db: Database,
  label: string,
  props: readonly string[],
  pageSize: number,
): Promise<void> {
  const set = props.map((p) => `x.${p} = coalesce(x.${p}, [])`).join(', ');
  await byPage(db, label, pageSize, `UNWIND $ids AS id MATCH (x:${label} {id: id}) SET ${set}`);
}

/**
 * Each deal's totals from its deliveries, as the batches settle them (TOTALS_CYPHER), with the totals
 * its last row stated (an old layout's row spanning several years), which the load stored on the deal.
 */
export async function settleLoadedTotals(db: Database, release: string, pageSize: number): Promise<void> {
  await byPage(
    db,
    'Deal',
    pageSize,
    `UNWIND $ids AS id MATCH (d:Deal {id: id})
     WITH collect({id: id, totals: {delivered: d.delivered, tivTotal: d.tivTotal}}) AS rows
     CALL (rows) { ${TOTALS_CYPHER('rows')} }`,
    { release },
  );
}

/**
 * Every deal's page slots (src/db/deal-slots.ts), built with the load's own time limit (the schema step
 * of a start would build them under the per-query limit, which a large load on a busy machine exceeds:
 * the load writes the schema step's marker instead).
 */
export async function buildLoadedDealSlots(db: Database, pageSize: number): Promise<void> {
  await byPage(db, 'Deal', pageSize, `UNWIND $ids AS id ${DEAL_SLOTS_CYPHER('id')}`);
}
