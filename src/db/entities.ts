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

/**
 * The Cypher projection every entity query returns: `v` becomes { labels, props }, and a deal also
 * brings the ids of its parties and system, so that Deal.buyer/seller/system need no second round
 * trip to find them (CASE is lazy: other kinds pay nothing).
 */
export const entityProjection = (v: string) => `{ labels: labels(${v}), props: properties(${v}),
  parties: CASE WHEN ${v}:Deal THEN {
    buyerId: head([(${v})-[:BUYER]->(b) | b.id]),
    sellerId: head([(${v})-[:SELLER]->(s) | s.id]),
    systemId: head([(${v})-[:COVERS]->(w) | w.id]) } END }`;

export const ENTITY_PROJECTION = entityProjection('n');

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
  const parties = projected.parties;
  if (parties && typeof parties === 'object' && !Array.isArray(parties)) Object.assign(out, parties);
  return out;
}

/**
 * Resolves an id, name or alias to entities, best first: an exact id, then a whole-key match on a
 * name or alias through the full-text index (case- and accent-insensitive: "Türkiye", "turkiye").
 * `labels` narrows the kinds; the key holds only letters and digits, so the index query is safe.
 * Ends with `WITH <v>` (at most one row): append the RETURN you need. `p` prefixes the parameter
 * names ($<p>input, $<p>key, $<p>labels: see resolveParams) so one statement can resolve several
 * inputs; `v` names the result.
 */
export function resolveCypher(p = '', v = 'n'): string {
  return `
OPTIONAL MATCH (exact:Entity {id: $${p}input})
WHERE $${p}labels IS NULL OR any(l IN labels(exact) WHERE l IN $${p}labels)
WITH collect(exact) AS exacts
CALL (exacts) {
  // An exact id outranks every name, so the full-text index is asked only when no id matched.
  WITH exacts WHERE size(exacts) = 0
  CALL db.index.fulltext.queryNodes('entity_search', 'nameKeysText:' + $${p}key) YIELD node AS named
  WITH named WHERE $${p}key IN named.nameKeys AND ($${p}labels IS NULL OR any(l IN labels(named) WHERE l IN $${p}labels))
  RETURN collect(named) AS names
}
UNWIND CASE WHEN size(exacts) > 0 THEN exacts ELSE names END AS ${v}
WITH ${v} ORDER BY CASE WHEN ${v}:Country THEN 0 ELSE 1 END, ${v}.id
LIMIT 1`;
}

export const RESOLVE_CYPHER = resolveCypher();

export function resolveParams(input: string, labels?: readonly EntityLabel[], p = '') {
  // An input with no letters or digits has no key; '_' is a term no stored key can equal.
  return { [`${p}input`]: input, [`${p}key`]: nameKey(input) || '_', [`${p}labels`]: labels ?? null };
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

/**
 * The entity an id, name or alias names, or null: resolution and load in one round trip; a deal
 * brings the entities it names too, since clients nearly always ask for them.
 */
export async function lookupEntity(
  db: Database,
  input: string,
  labels?: readonly EntityLabel[],
  /** Receives the entities a deal names (parties, system), for the request's loader. */
  related: EntityRecord[] = [],
): Promise<EntityRecord | null> {
  if (input === '') return null;
  const rows = await db.read(
    `${RESOLVE_CYPHER}
     RETURN ${ENTITY_PROJECTION} AS e, [(n:Deal)-[:BUYER|SELLER|COVERS]->(p:Entity) | ${entityProjection('p')}] AS related`,
    resolveParams(input, labels),
  );
  const entity = rows[0] ? toEntity(rows[0].e ?? null) : null;
  if (entity && rows[0]) related.push(...toEntities(rows[0].related));
  return entity;
}

/** Entities out of a list of projections, dropping what is not one. */
export function toEntities(list: Plain | undefined): EntityRecord[] {
  return (Array.isArray(list) ? list : []).map(toEntity).filter((e): e is EntityRecord => e !== null);
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
