import type { ManagedTransaction } from 'neo4j-driver';
import type { Database } from './database';
import { int } from './integers';

/**
 * Derives data for every deal of a database written before that data existed (deal slots, TIV
 * rollups), once: deals in id order, `batch` a transaction, then a `(:<marker>)` node says it is done,
 * so later starts cost one lookup. `refresh` must be idempotent (a writer may have refreshed some deals
 * already).
 */
export async function buildOnceForAllDeals(
  db: Database,
  marker: string,
  refresh: (tx: ManagedTransaction, dealIds: string[]) => Promise<void>,
  batch: number,
  /** Runs once every deal is refreshed, before the marker is written. */
  finish?: () => Promise<void>,
  /** Properties of the marker (what was built, when a derivation has versions). */
  props: Record<string, unknown> = {},
): Promise<void> {
  if (await built(db, marker)) return;
  for (let after = ''; ;) {
    const rows = await db.read(
      'MATCH (d:Deal) WHERE d.id > $after WITH d.id AS id ORDER BY id LIMIT $batch RETURN collect(id) AS ids',
      { after, batch: int(batch) },
    );
    const ids = (rows[0]?.ids as string[] | undefined) ?? [];
    if (ids.length === 0) break;
    await db.writeTx((tx) => refresh(tx, ids));
    after = ids[ids.length - 1] ?? after;
  }
  await finish?.();
  await db.write(`MERGE (m:${marker}) SET m += $props`, { props });
}

/** Whether the marker of a derivation is there. */
async function built(db: Database, marker: string): Promise<boolean> {
  const [row] = await db.read(`MATCH (m:${marker}) RETURN count(m) > 0 AS built`);
  return row?.built === true;
}
