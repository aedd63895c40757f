import type { ManagedTransaction } from 'neo4j-driver';
import { ENTITY_LABELS, type EntityLabel } from './constraints';
import type { Database } from './database';
import type { Plain } from './mapper';
import { nameKey } from './names';
import { DEAL_PARTY_PATTERN } from '../model';

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
 * Which properties an entity projection brings: every one (null), or the stored properties listed in
 * `keys` and, with `parties`, a deal's party ids. The API layer derives both from what the operation
 * selects (src/graphql/selected-fields.ts). Each key costs a property read per entity, present or
 * not, so `keys` holds property names only, never a field that is not stored.
 */
export type PropertyKeys = { readonly keys: readonly string[]; readonly parties: boolean } | null;

/**
 * The Cypher projection every entity query returns: `v` becomes the list [labels, props, parties]
 * (toEntity reads it), where a deal's `parties` are the ids of its parties and system, so that
 * Deal.buyer/seller/system need no second round trip to find them (CASE is lazy: other kinds pay
 * nothing). With `keysParam`, `props` is the list of the values of the keys in that parameter (one
 * plan whatever the keys), which toEntity zips back. A list, not a map: the driver decodes every key
 * of a map in every row (see NODE_PROJECTION in subgraph-queries.ts).
 */
export const entityProjection = (v: string, keysParam: string | null = null, withParties = true) => `[
  labels(${v}),
  ${keysParam ? `[k IN $${keysParam} | ${v}[k]]` : `properties(${v})`},
  ${withParties ? partiesCypher(v) : 'null'} ]`;

const partiesCypher = (v: string) => `CASE WHEN ${v}:Deal THEN { ${dealPartyIds(v)} } END`;

/** A deal's live buyer, seller and system: the field each fills and the relationship it is found by. */
const DEAL_PARTIES = [
  { field: 'buyer', type: 'BUYER', end: 'b' },
  { field: 'seller', type: 'SELLER', end: 's' },
  { field: 'system', type: 'COVERS', end: 'w' },
] as const;

/** The deal `v`'s live party of one kind as a node (`id` false) or its id: null if it has none. */
const liveParty = (v: string, p: (typeof DEAL_PARTIES)[number], id: boolean) =>
  `head([(${v})-[r:${p.type}]->(${p.end}) WHERE coalesce(r.retired, false) = false | ${p.end}${id ? '.id' : ''}])`;

/** A deal's party and system ids as map entries (buyerId, sellerId, systemId) of the deal `v`. */
export const dealPartyIds = (v: string) =>
  DEAL_PARTIES.map((p) => `${p.field}Id: ${liveParty(v, p, true)}`).join(',\n    ');

/**
 * The deal `v`'s live buyer, seller and system as the nodes `${v}Buyer`, `${v}Seller` and
 * `${v}System` (null where it has none), for a `WITH` that keeps them: a statement that needs both
 * the ids and the entities themselves (a deal page) reads each relationship once instead of finding
 * the entities again by id.
 */
export const dealPartyNodes = (v: string) =>
  DEAL_PARTIES.map((p) => `${liveParty(v, p, false)} AS ${partyNode(v, p.field)}`).join(',\n    ');

/** dealPartyIds for a deal whose party nodes dealPartyNodes has bound. */
export const boundPartyIds = (v: string) =>
  DEAL_PARTIES.map((p) => `${p.field}Id: ${partyNode(v, p.field)}.id`).join(', ');

/** boundPartyIds as list items, in DEAL_PARTIES order: buyer, seller, system. */
export const boundPartyIdList = (v: string) =>
  DEAL_PARTIES.map((p) => `${partyNode(v, p.field)}.id`).join(', ');

/** The bound party nodes' collected list (every live party of every deal `v` of the rows, nulls left out). */
export const collectPartyNodes = (v: string) =>
  DEAL_PARTIES.map((p) => `collect(${partyNode(v, p.field)})`).join(' + ');

const partyNode = (v: string, field: string) => `${v}${field[0]!.toUpperCase()}${field.slice(1)}`;

/**
 * The values of a `[k IN $keys | v[k]]` projection as properties again: an absent property reads
 * null in Cypher, and is left out as properties() and `v { .* }` leave it out.
 */
export function propsFromValues(
  values: readonly Plain[],
  keys: readonly string[],
  /** The object to fill (a caller that adds fields of its own makes one object per row, not two). */
  into: Record<string, Plain> = {},
): Record<string, Plain> {
  for (let i = 0; i < keys.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) into[keys[i]!] = v;
  }
  return into;
}

export const ENTITY_PROJECTION = entityProjection('n');

/**
 * The projection of `v` for `keys`, reading them from the parameter `$keys` (see keysParam). A deal's
 * party ids come along only when the operation selects a party field (Deal.buyer and the others find
 * them through a loader otherwise), so a search or a list of names reads no relationships.
 */
export const projectionFor = (v: string, keys: PropertyKeys) =>
  entityProjection(v, keys ? 'keys' : null, readsParties(keys));

/** Whether an operation reading `keys` may ask for a deal's parties. */
export const readsParties = (keys: PropertyKeys) => keys === null || keys.parties;

/** The `$keys` parameter for projectionFor (unused when every property is asked for). */
export const keysParam = (keys: PropertyKeys) => ({ keys: keys?.keys ?? [] });

/** An entityProjection as the data layer's entity; null when it projects no node (an OPTIONAL MATCH's). */
export function toEntity(projected: Plain, keys: PropertyKeys = null): EntityRecord | null {
  if (!Array.isArray(projected)) return null;
  const [labels, values, parties] = projected;
  if (!Array.isArray(labels) || values === null || typeof values !== 'object') return null;
  const props = Array.isArray(values) ? propsFromValues(values, keys?.keys ?? []) : values;
  const typename = ENTITY_LABELS.find((l) => labels.includes(l));
  if (!typename) return null;
  const out: EntityRecord = {
    __typename: typename,
    id: String(props.id),
    name: String(props.name ?? props.id),
    aliases: (props.aliases as string[] | null) ?? [],
    sourceIds: (props.sourceIds as string[] | null) ?? [],
  };
  for (const k in props) {
    if (!INTERNAL.has(k) && !(k in out)) out[k] = props[k];
  }
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
  const labelsOk = (x: string) => `($${p}labels IS NULL OR any(l IN labels(${x}) WHERE l IN $${p}labels))`;
  // The id seek comes first and alone: most lookups are by id, and then the statement is little more
  // than that seek (no collect, no UNWIND). The full-text index is asked only when no id matched.
  return `
OPTIONAL MATCH (exact:Entity {id: $${p}input}) WHERE ${labelsOk('exact')}
OPTIONAL CALL (exact) {
  WITH exact WHERE exact IS NULL
  CALL db.index.fulltext.queryNodes('entity_search', 'nameKeysText:' + $${p}key) YIELD node AS named
  WITH named WHERE $${p}key IN named.nameKeys AND ${labelsOk('named')}
  RETURN named ORDER BY CASE WHEN named:Country THEN 0 ELSE 1 END, named.id LIMIT 1
}
WITH coalesce(exact, named) AS ${v} WHERE ${v} IS NOT NULL
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
  /** The properties to bring (of the entity and of those it names); null: every one. */
  keys: PropertyKeys = null,
): Promise<EntityRecord | null> {
  if (input === '') return null;
  const rows = await db.read(
    `${RESOLVE_CYPHER}
     RETURN ${projectionFor('n', keys)} AS e,
       ${readsParties(keys) ? `[(n:Deal)-[r:${DEAL_PARTY_PATTERN}]->(p:Entity) WHERE coalesce(r.retired, false) = false | ${projectionFor('p', keys)}]` : '[]'} AS related`,
    { ...resolveParams(input, labels), ...keysParam(keys) },
  );
  const entity = rows[0] ? toEntity(rows[0].e ?? null, keys) : null;
  if (entity && rows[0]) related.push(...toEntities(rows[0].related, keys));
  return entity;
}

/** Entities out of a list of projections, dropping what is not one. */
export function toEntities(list: Plain | undefined, keys: PropertyKeys = null): EntityRecord[] {
  return (Array.isArray(list) ? list : [])
    .map((e) => toEntity(e, keys))
    .filter((e): e is EntityRecord => e !== null);
}

/** Entities by id, in the order asked, null where none: the batch function behind the entity loader. */
export async function entitiesByIds(db: Database, ids: readonly string[]): Promise<(EntityRecord | null)[]> {
  const rows = await db.read(
    `UNWIND $ids AS id OPTIONAL MATCH (n:Entity {id: id}) RETURN collect([id, ${ENTITY_PROJECTION}]) AS found`,
    { ids: [...new Set(ids)] },
  );
  // One record holding the list: the driver builds a Record per record (see NODE_PROJECTION).
  const found = (rows[0]?.found ?? []) as Array<[string, Plain]>;
  const byId = new Map(found.map(([id, e]) => [id, toEntity(e)]));
  return ids.map((id) => byId.get(id) ?? null);
}
