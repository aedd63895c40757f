import type { Database } from './database';
import { int } from './integers';

/**
 * What a bulk load (src/import/sipri/bulk-load.ts) does in Cypher once Neo4j's offline importer has
 * written the store: whether it may, and the few values the importer cannot write, paging through
 * the nodes in id order (the id index), one transaction a page.
 */

/** Whether the graph holds no data: nothing with an id (marker nodes of the schema step have none). */
export async function graphIsEmpty(db: Database): Promise<boolean> {
  const [row] = await db.read('RETURN NOT EXISTS { MATCH (n) WHERE n.id IS NOT NULL } AS empty');
  return row?.empty === true;
}

/** Pages through the nodes of `label` in id order, `n` at a time, running `cypher` on each page (`$ids`). */
async function byPage(
  db: Database,
  label: string,
  n: number,
  cypher: string,
  timeoutMs: number,
): Promise<void> {
  for (let after = ''; ;) {
    const last = await db.writeTx(async (tx) => {
      const page = await db.run(
        tx,
        `MATCH (x:${label}) WHERE x.id > $after WITH x.id AS id ORDER BY id LIMIT $n RETURN collect(id) AS ids`,
        { after, n: int(n) },
      );
      const ids = (page[0]?.ids as string[] | undefined) ?? [];
      if (ids.length > 0) await db.run(tx, cypher, { ids });
      return ids.length < n ? undefined : ids[ids.length - 1];
    }, timeoutMs);
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
  timeoutMs: number,
): Promise<void> {
  const set = props.map((p) => `x.${p} = coalesce(x.${p}, [])`).join(', ');
  await byPage(db, label, pageSize, `UNWIND $ids AS id MATCH (x:${label} {id: id}) SET ${set}`, timeoutMs);
}
