import type { ManagedTransaction } from 'neo4j-driver';
import { ENTITY_LABELS, type EntityLabel } from './constraints';
import type { Database } from './database';
import type { Plain } from './mapper';
import { nameKey } from './names';

/** An entity as the data layer hands it out: its properties plus its GraphQL type. */
export interface EntityRecord {
  __typename: EntityLabel;
  id: string;
  name: string;
  aliases: string[];
  sourceIds: string[];
  [property: string]: Plain | undefined;
}

/** Properties that only serve lookups; never shown to clients. */
const INTERNAL = new Set(['nameKeys', 'nameKeysText', 'searchText']);

/** The Cypher projection every entity query returns: `n` becomes { labels, props }. */
export const ENTITY_PROJECTION = '{ labels: labels(n), props: properties(n) }';

export function toEntity(projected: Plain): EntityRecord | null {
  if (projected === null || typeof projected !== 'object' || Array.isArray(projected)) return null;
  const labels = projected.labels as string[];
  const props = projected.props as Record<string, Plain>;
  const typename = ENTITY_LABELS.find((l) => labels.includes(l));
  if (!typename) return null;
  const out: EntityRecord = {
    __typename: typename,
    id: String(props.id),
    name: String(props.name ?? props.id),
    aliases: (props.aliases as string[] | null) ?? [],
    sourceIds: (props.sourceIds as string[] | null) ?? [],
  };
  for (const [k, v] of Object.entries(props)) {
    if (!INTERNAL.has(k) && !(k in out)) out[k] = v;
  }
  return out;
}

/**
 * Resolves an id, name or alias to entities, best first: an exact id, then a whole-key match on a
 * name or alias through the full-text index (case- and accent-insensitive: "Türkiye", "turkiye").
 * `labels` narrows the kinds; the key holds only letters and digits, so the index query is safe.
 * Ends with `WITH n` (at most one row): append the RETURN you need.
 */
export const RESOLVE_CYPHER = `
CALL (){
  MATCH (n:Entity {id: $input}) RETURN n, 0 AS rank
  UNION
  CALL db.index.fulltext.queryNodes('entity_search', 'nameKeysText:' + $key) YIELD node AS n
  WHERE $key IN n.nameKeys
  RETURN n, 1 AS rank
}
WITH n, min(rank) AS rank
WHERE $labels IS NULL OR any(l IN labels(n) WHERE l IN $labels)
WITH n ORDER BY rank, CASE WHEN n:Country THEN 0 ELSE 1 END, n.id
LIMIT 1`;

export function resolveParams(input: string, labels?: readonly EntityLabel[]) {
  // An input with no letters or digits has no key; '_' is a term no stored key can equal.
  return { input, key: nameKey(input) || '_', labels: labels ?? null };
}

/** The id of the entity an id, name or alias names, or null. */
export async function resolveId(
  db: Database,
  input: string,
  labels?: readonly EntityLabel[],
  tx?: ManagedTransaction,
): Promise<string | null> {
  const params = resolveParams(input, labels);
  if (input === '') return null;
  const cypher = `${RESOLVE_CYPHER} RETURN n.id AS id`;
  const rows = tx ? await db.run(tx, cypher, params) : await db.read(cypher, params);
  return (rows[0]?.id as string | undefined) ?? null;
}

/** Entities by id, in the order asked, null where none: the batch function behind the entity loader. */
export async function entitiesByIds(db: Database, ids: readonly string[]): Promise<(EntityRecord | null)[]> {
  const rows = await db.read(
    `UNWIND $ids AS id OPTIONAL MATCH (n:Entity {id: id}) RETURN id, ${ENTITY_PROJECTION} AS e`,
    { ids: [...new Set(ids)] },
  );
  const byId = new Map(rows.map((r) => [r.id as string, toEntity(r.e as Plain)]));
  return ids.map((id) => byId.get(id) ?? null);
}
