import type { Database } from './database';
import { int } from './integers';

/**
 * What a bulk load (src/import/sipri/bulk-load.ts) does in Cypher once Neo4j's offline importer has
 * written the store: whether it may, and the few values the importer cannot write.
 */

/** Whether the graph holds no data: nothing with an id (marker nodes of the schema step have none). */
export async function graphIsEmpty(db: Database): Promise<boolean> {
  const [row] = await db.read('RETURN NOT EXISTS { MATCH (n) WHERE n.id IS NOT NULL } AS empty');
  return row?.empty === true;
}

/**
 * Sets the list properties `props` of `label`'s nodes to `[]` where they are missing: the importer
 * stores no empty list, the transactional path does. `label` and `props` come from the bulk files'
 * columns (src/import/sipri/bulk-files.ts), never from input. One statement over the label's nodes,
 * committing every `pageSize` of them: no page of ids goes back and forth, and no node is looked up
 * by its id again.
 */
export async function fillEmptyLists(
  db: Database,
  label: string,
  props: readonly string[],
  pageSize: number,
  timeoutMs: number,
): Promise<void> {
  const missing = props.map((p) => `x.${p} IS NULL`).join(' OR ');
  const set = props.map((p) => `x.${p} = coalesce(x.${p}, [])`).join(', ');
  await db.writeInTransactions(
    `MATCH (x:${label}) WHERE ${missing} CALL (x) { SET ${set} } IN TRANSACTIONS OF $n ROWS`,
    { n: int(pageSize) },
    timeoutMs,
  );
}
