import type { ManagedTransaction } from 'neo4j-driver';
import type { Database } from './database';
import { buildOnceForAllDeals } from './build-once';
import { DEAL_PARTY_PATTERN, type DealPartyType } from '../model';

/**
 * Deal slots: one `(:DealSlot {id, role, partyId, sortYear, dealId})` per BUYER, SELLER and COVERS
 * relationship of a deal (role: the relationship type; partyId: the entity it points to; sortYear:
 * the deal's orderYear, -1 when it has none; dealId: the deal's id; id: `role:dealId:partyId`, so
 * dumps of the graph sort them like every other node). The index `deal_slot_page` on
 * (role, partyId, sortYear, dealId) lets a page of one party's deals in order-year order read about a
 * page of index entries, where expanding the party's relationships reads every deal it has.
 *
 * Slots are derived data, outside the entity graph (no `:Entity` label: exports, neighbourhoods and
 * lookups never see them), rebuilt from the relationships themselves: every writer that creates or
 * moves a deal's BUYER/SELLER/COVERS relationship or changes its orderYear calls `refreshDealSlots`
 * (or runs DEAL_SLOTS_CYPHER) for the deals it touched, in the same transaction (src/db/graph-writer.ts
 * does); a relationship just created from a deal created in the same transaction gets its slots from
 * NEW_PARTY_SLOTS_CYPHER instead (no relationships to read back). A retired party relationship gives
 * no slot; a retired deal keeps its slots, since pages read `retired` from the deal itself. A deal of
 * a variant also has a COVERS slot for the variant's family (VARIANT_OF), so a family's page lists its
 * variants' deals.
 */
/** Marks a database whose deals all have their slots. */
export const DEAL_SLOTS_BUILT = 'DealSlotsBuilt';

/** The sortYear of a deal without an order year: below every real year (1800 and later). */
export const NO_YEAR = -1;

/**
 * Rebuilds the slots of the deals whose ids the variable `id` holds (one row per deal): slots the
 * relationships no longer give go, missing ones are created, the rest stay untouched (a re-import
 * writes nothing). A body to put after an UNWIND, so batch writers (the importer) add it to their
 * own statements.
 */
export const DEAL_SLOTS_CYPHER = (id: string) => `
CALL (${id}) {
  OPTIONAL MATCH (d:Deal {id: ${id}})-[r:${DEAL_PARTY_PATTERN}]->(p:Entity) WHERE coalesce(r.retired, false) = false
  WITH ${id}, collect(CASE WHEN r IS NOT NULL THEN [type(r), p.id, coalesce(d.orderYear, ${NO_YEAR})] END) AS rels
  OPTIONAL MATCH (d:Deal {id: ${id}})
  WITH ${id}, rels + CASE WHEN d IS NULL THEN [] ELSE
    [(d)-[c:COVERS WHERE coalesce(c.retired, false) = false]->(:WeaponSystem)-[:VARIANT_OF]->(f:WeaponSystem)
      | ['COVERS', f.id, coalesce(d.orderYear, ${NO_YEAR})]] END AS want
  CALL (${id}, want) {
    MATCH (old:DealSlot {dealId: ${id}}) WHERE NOT [old.role, old.partyId, old.sortYear] IN want
    DELETE old
  }
  CALL (${id}, want) {
    UNWIND want AS w
    WITH ${id}, w WHERE NOT EXISTS {
      MATCH (have:DealSlot {dealId: ${id}}) WHERE have.role = w[0] AND have.partyId = w[1] AND have.sortYear = w[2]
    }
    CREATE ${SLOT('w[0]', id, 'w[1]', 'w[2]')}
  }
}`;

/** A slot node: role, deal id, party id and sort year given as Cypher expressions. */
const SLOT = (role: string, dealId: string, partyId: string, sortYear: string) =>
  `(:DealSlot {id: ${role} + ':' + ${dealId} + ':' + ${partyId}, role: ${role}, partyId: ${partyId}, sortYear: ${sortYear}, dealId: ${dealId}})`;

/**
 * The slots of a party relationship of `type` just created from deal `d` (created in the same
 * transaction, so it had no slot and no other relationship of that type) to entity `e`: what
 * DEAL_SLOTS_CYPHER would build for it, without reading the deal's relationships back. A COVERS also
 * slots the system's families. A body for a CALL that has `d` and `e` bound.
 */
export const NEW_PARTY_SLOTS_CYPHER = (type: DealPartyType, d: string, e: string) => {
  const year = `coalesce(${d}.orderYear, ${NO_YEAR})`;
  const party = `CREATE ${SLOT(`'${type}'`, `${d}.id`, `${e}.id`, year)}`;
  if (type !== 'COVERS') return party;
  return `${party}
      WITH ${d}, ${e}
      CALL (${d}, ${e}) {
        MATCH (${e})-[:VARIANT_OF]->(f:WeaponSystem)
        WITH DISTINCT ${d}, f
        CREATE ${SLOT("'COVERS'", `${d}.id`, 'f.id', year)}
      }`;
};

/** Rebuilds the slots of these deals from their relationships (a deal no longer there keeps none). */
export async function refreshDealSlots(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
): Promise<void> {
  if (dealIds.length === 0) return;
  await db.run(tx, `UNWIND $dealIds AS id ${DEAL_SLOTS_CYPHER('id')}`, { dealIds: [...new Set(dealIds)] });
}

/** The ids of the deals that point to an entity by BUYER, SELLER or COVERS (after a merge moved them). */
export async function dealsOfParty(db: Database, tx: ManagedTransaction, partyId: string): Promise<string[]> {
  const rows = await db.run(
    tx,
    `MATCH (:Entity {id: $partyId})<-[:${DEAL_PARTY_PATTERN}]-(d:Deal) RETURN collect(DISTINCT d.id) AS ids`,
    { partyId },
  );
  return (rows[0]?.ids as string[] | undefined) ?? [];
}

/**
 * Builds the slots of a database written before slots existed, once: a `(:DealSlotsBuilt)` marker
 * says it is done, so later starts cost one index lookup. Batched, for large graphs.
 */
export async function buildMissingDealSlots(db: Database): Promise<void> {
  await buildOnceForAllDeals(db, DEAL_SLOTS_BUILT, (tx, ids) => refreshDealSlots(db, tx, ids), 10_000);
}
