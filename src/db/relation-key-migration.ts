import type { ManagedTransaction } from 'neo4j-driver';
import { RELATIONS, type RelationType } from '../model';
import { buildOnceForAllDeals } from './build-once';
import type { Database } from './database';

/**
 * Relationship types that leave a deal and have one relationship per pair of ends (no key parts):
 * their key is `TYPE:dealId:endId:` (relationKey), computable from the graph alone.
 */
export const DEAL_KEYED_TYPES: readonly RelationType[] = (Object.keys(RELATIONS) as RelationType[]).filter(
  (t) => (RELATIONS[t].from as readonly string[]).includes('Deal') && RELATIONS[t].keyParts.length === 0,
);

/** The marker a database gets once its deals' relationships all carry their key. */
export const DEAL_RELATION_KEYS_MARKER = 'DealRelationKeysBuilt';

/**
 * Gives the relationships of deals `$ids` that an older database wrote without a key (its importer
 * MERGEd HAS_DELIVERY and the party relationships on their type alone) the key every writer now MERGEs
 * on; otherwise the next write would add a second relationship beside the old one. Where a keyed
 * relationship of the same type between the same ends exists, or several unkeyed ones, they are one
 * fact: the one kept (live and keyed first) gets the others' sources, and the others go (nothing is
 * lost: their sources live on in the one kept). Idempotent.
 */
export const KEY_DEAL_RELATIONS_CYPHER = `UNWIND $ids AS id
  MATCH (d:Deal {id: id})-[r]->(e) WHERE type(r) IN $types AND e.id IS NOT NULL
  WITH d, e, type(r) AS type, collect(r) AS rs
  WHERE any(x IN rs WHERE x.key IS NULL)
  WITH rs, type + ':' + d.id + ':' + e.id + ':' AS key
  WITH rs, key, head(
    [x IN rs WHERE x.key = key AND coalesce(x.retired, false) = false] + [x IN rs WHERE x.key = key] +
    [x IN rs WHERE x.key IS NULL AND coalesce(x.retired, false) = false] + rs) AS kept
  WITH key, kept, [x IN rs WHERE x <> kept AND (x.key IS NULL OR x.key = key)] AS twins
  SET kept.key = key,
    kept.sourceIds = reduce(s = coalesce(kept.sourceIds, []), x IN twins |
      s + [i IN coalesce(x.sourceIds, []) WHERE NOT i IN s])
  FOREACH (x IN twins | DELETE x)
  RETURN count(kept) AS keyed`;

/** Keys the given deals' unkeyed relationships (KEY_DEAL_RELATIONS_CYPHER); returns how many were keyed. */
export async function keyDealRelations(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
): Promise<number> {
  const [row] = await db.run(tx, KEY_DEAL_RELATIONS_CYPHER, {
    ids: [...dealIds],
    types: [...DEAL_KEYED_TYPES],
  });
  return Number(row?.keyed ?? 0);
}

/**
 * Run at start with the constraints: keys every deal's unkeyed relationships, once per database (a
 * marker says it is done; later starts cost one lookup). Batched, for large graphs.
 */
export async function keyUnkeyedDealRelations(db: Database): Promise<void> {
  await buildOnceForAllDeals(
    db,
    DEAL_RELATION_KEYS_MARKER,
    async (tx, ids) => {
      await keyDealRelations(db, tx, ids);
    },
    10_000,
  );
}
