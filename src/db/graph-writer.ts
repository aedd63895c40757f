import type { ManagedTransaction } from 'neo4j-driver';
import {
  DEAL_PARTY_TYPES,
  ENTITY_LABELS,
  ID_REFERENCES,
  INTEGER_PROPERTIES,
  INTERNAL_RELATIONS,
  RELATION_TYPES,
  type NodeLabel,
  RELATIONS,
  relationKey,
  type DealPartyType,
  type EntityLabel,
  type RelationSpec,
  type RelationType,
} from '../model';
import type { Database, Params, Row } from './database';
import { int } from './integers';
import type { DeliveryInput } from './write-inputs';
import { DEAL_SLOTS_CYPHER, NEW_PARTY_SLOTS_CYPHER } from './deal-slots';
import { BUILT_LABEL, refreshTivRollups, refreshTivRollupsOf } from './tiv-rollups';

/**
 * The one writer of the graph's shape. Relationships are MERGEd on their key (relationKey, from the
 * model) and nothing else, so the seed, the importers and the mutations meet on the same fact; a
 * deal's parties are written with its page slots; facts are retired, never deleted.
 */

/** The properties a retired fact carries, and which recording it again removes. */
export const RETIRED_MARKS = [
  'retired',
  'retiredBy',
  'retiredReason',
  'retiredAt',
  'retiredSourceIds',
] as const;

/** Who retires a fact and why: a mutation's token, or an importer's source. */
export interface Retirement {
  by: string;
  reason: string;
  sourceIds: readonly string[];
}

/** Cypher: the variable's sourceIds with the list `ids` added (those it lacks, at the end). */
export const addSources = (v: string, ids: string) =>
  `${v}.sourceIds = coalesce(${v}.sourceIds, []) + [x IN ${ids} WHERE NOT x IN coalesce(${v}.sourceIds, [])]`;

/** Cypher: the retired marks removed from the variable (recording a fact again revives it). */
export const revive = (v: string) => `REMOVE ${RETIRED_MARKS.map((m) => `${v}.${m}`).join(', ')}`;

/** A node to MERGE on its id: its properties, and (optionally) sources to add to its own. */
export interface NodeRow {
  id: string;
  props: Record<string, unknown>;
  sourceIds?: readonly string[];
}

/**
 * MERGEs nodes of one label on their id from `$rows`. `set` writes the properties every time (the seed:
 * its files are the truth for what they state); `fill` only when the node is created (an importer: a
 * curated entity keeps its own name and values, the importer only adds itself as a source). Entity
 * labels get `:Entity` as well. Returns how many were created.
 */
export function mergeNodesCypher(label: NodeLabel, mode: 'set' | 'fill'): string {
  const entity = (ENTITY_LABELS as readonly string[]).includes(label);
  return `UNWIND $rows AS row
    MERGE (n:${label} {id: row.id})
    ON CREATE SET ${entity ? 'n:Entity, ' : ''}n.created = true${mode === 'fill' ? ', n += row.props' : ''}
    WITH n, row, coalesce(n.created, false) AS created
    REMOVE n.created
    ${mode === 'set' ? 'SET n += row.props' : ''}
    FOREACH (_ IN CASE WHEN row.sourceIds IS NULL THEN [] ELSE [1] END | SET ${addSources('n', 'row.sourceIds')})
    RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created`;
}

/** The properties with the model's integer properties (INTEGER_PROPERTIES) as Neo4j integers. */
export function withIntegers(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props))
    out[k] = typeof v === 'number' && INTEGER_PROPERTIES.has(k) ? int(v) : v;
  return out;
}

/** MERGEs nodes of one label on their id (see mergeNodesCypher); returns how many were created. */
export async function mergeNodes(
  db: Database,
  tx: ManagedTransaction,
  label: NodeLabel,
  rows: readonly NodeRow[],
  mode: 'set' | 'fill' = 'set',
): Promise<number> {
  if (rows.length === 0) return 0;
  const out = await db.run(tx, mergeNodesCypher(label, mode), {
    rows: rows.map((r) => ({
      id: r.id,
      props: withIntegers(r.props),
      sourceIds: r.sourceIds ? [...r.sourceIds] : null,
    })),
  });
  return Number(out[0]?.created ?? 0);
}

/** A source of facts (a register, a reference file, a release of one): see upsertSource. */
export interface SourceRow {
  id: string;
  /** Set when the source is created: a source already in the graph keeps its own description. */
  props: Record<string, unknown>;
  /** The newest "data generated" date the source was read at (kept at the latest of all imports). */
  dataGenerated?: string;
  /** The source this one is a version of (VERSION_OF): a release of a register. */
  versionOf?: string;
}

/** The one source upsert every importer writes its source (and its version) with, in one transaction. */
export async function upsertSource(db: Database, source: SourceRow): Promise<void> {
  await db.writeTx(async (tx) => {
    await mergeNodes(db, tx, 'Source', [{ id: source.id, props: source.props }], 'fill');
    if (source.dataGenerated !== undefined)
      await db.run(
        tx,
        `MATCH (s:Source {id: $id})
         SET s.dataGenerated = CASE WHEN s.dataGenerated IS NULL OR s.dataGenerated < $seen THEN $seen ELSE s.dataGenerated END`,
        { id: source.id, seen: source.dataGenerated },
      );
    if (source.versionOf !== undefined)
      await mergeRelations(db, tx, 'VERSION_OF', [
        { from: source.id, to: source.versionOf, sourceIds: [source.id] },
      ]);
  });
}

/** A relationship to MERGE: its ends' ids, its inner properties and the sources that state it. */
export interface RelationRow {
  from: string;
  to: string;
  props?: Record<string, unknown>;
  sourceIds: readonly string[];
}

/** The label an end is matched by: its only allowed label, or `Entity` when several are allowed. */
export function endLabel(labels: readonly string[]): string {
  return labels.length === 1 ? labels[0]! : 'Entity';
}

/**
 * MERGEs relationships of one type from `$rows` ({from, to, key, props, sourceIds}) on their key: the
 * inner properties are set, the sources added and (unless `revive` is false: the seed does not undo a
 * retirement) retired marks removed. Returns per row whether it was created and the element ids of
 * both ends. The type comes from the model, never from client text.
 */
export function mergeRelationsCypher(type: RelationType, opts: { revive?: boolean } = {}): string {
  const spec: RelationSpec = RELATIONS[type];
  return `UNWIND $rows AS row
    MATCH (a:${endLabel(spec.from)} {id: row.from})
    MATCH (b:${endLabel(spec.to)} {id: row.to})
    MERGE (a)-[r:${type} {key: row.key}]->(b)
    ON CREATE SET r.created = true
    WITH a, b, r, row, coalesce(r.created, false) AS created
    REMOVE r.created
    SET r += row.props, ${addSources('r', 'row.sourceIds')}
    ${opts.revive === false ? '' : revive('r')}
    RETURN created, [elementId(a), elementId(b)] AS ends`;
}

/** The `$rows` of mergeRelationsCypher, with each row's key computed from the model. */
export function relationRows(type: RelationType, rows: readonly RelationRow[]): Params[] {
  return rows.map((r) => {
    const props = Object.fromEntries(Object.entries(r.props ?? {}).filter(([, v]) => v !== undefined));
    return {
      from: r.from,
      to: r.to,
      key: relationKey(type, r.from, r.to, props),
      props,
      sourceIds: [...r.sourceIds],
    };
  });
}

/** MERGEs relationships of one type on their key (see mergeRelationsCypher). */
export async function mergeRelations(
  db: Database,
  tx: ManagedTransaction,
  type: RelationType,
  rows: readonly RelationRow[],
  opts: { revive?: boolean } = {},
): Promise<{ created: number; ends: string[][] }> {
  if (rows.length === 0) return { created: 0, ends: [] };
  const out: Row[] = await db.run(tx, mergeRelationsCypher(type, opts), { rows: relationRows(type, rows) });
  return {
    created: out.filter((r) => r.created === true).length,
    ends: out.map((r) => (r.ends as string[] | null) ?? []),
  };
}

/** One party of a deal as the deal-party writer takes it: the end's id and (optionally) its label. */
export interface PartyEnd {
  id: string;
  /** When the id alone may name several kinds (a Country and an Organization): the one meant. */
  label?: string;
}

/** A deal's parties to write; a party left out is left as it is. */
export interface DealPartiesRow {
  dealId: string;
  parties: Partial<Record<DealPartyType, PartyEnd>>;
  sourceIds: readonly string[];
}

/**
 * Writes deals' parties from `$rows` (DealPartiesRow with each party's key) and rebuilds their page
 * slots: each party relationship is MERGEd on its key, and a live relationship of the same type to
 * another end is retired with `$retired`'s marks (a deal has one buyer, one seller, one system: when
 * a later source names another seller, the old SELLER stays as a retired fact).
 */
export function dealPartiesCypher(
  /** A condition on the deal `d`: only deals meeting it get their parties (a SIPRI release that wins them). */
  where?: string,
  /**
   * The deals were created in this transaction: they have no relationship to find, join or retire,
   * and no slot, so each party and its slots are created (a first load's deals skip a relationship
   * look-up and a retiring pass per party, and reading their relationships back for the slots).
   */
  created = false,
): string {
  const party = (type: DealPartyType) =>
    created
      ? `
    CALL (d, row) {
      WITH d, row, row.parties.${type} AS p WHERE p IS NOT NULL
      MATCH (e:${endLabel(RELATIONS[type].to)} {id: p.id}) WHERE p.label IS NULL OR p.label IN labels(e)
      CREATE (d)-[:${type} {key: p.key, sourceIds: row.sourceIds}]->(e)
      ${NEW_PARTY_SLOTS_CYPHER(type, 'd', 'e')}
    }`
      : `
    CALL (d, row) {
      WITH d, row, row.parties.${type} AS p WHERE p IS NOT NULL
      MATCH (e:${endLabel(RELATIONS[type].to)} {id: p.id}) WHERE p.label IS NULL OR p.label IN labels(e)
      MERGE (d)-[r:${type} {key: p.key}]->(e)
      SET ${addSources('r', 'row.sourceIds')}
      ${revive('r')}
      WITH d, r, row
      MATCH (d)-[old:${type}]->() WHERE old <> r AND coalesce(old.retired, false) = false
      SET old.retired = true, old.retiredBy = $retired.by, old.retiredReason = $retired.reason,
        old.retiredAt = $retired.at, old.retiredSourceIds = $retired.sourceIds
    }`;
  return `UNWIND $rows AS row
    MATCH (d:Deal {id: row.dealId}) ${where ? `WHERE ${where}` : ''}
    ${DEAL_PARTY_TYPES.map(party).join('')}
    ${created ? 'RETURN count(*) AS written' : `WITH DISTINCT row.dealId AS id ${DEAL_SLOTS_CYPHER('id')}`}`;
}

/** The parameters of dealPartiesCypher. */
export function dealPartiesParams(
  rows: readonly DealPartiesRow[],
  retired: Retirement,
): { rows: Params[]; retired: Params } {
  return {
    rows: rows.map((r) => ({
      dealId: r.dealId,
      sourceIds: [...r.sourceIds],
      parties: Object.fromEntries(
        DEAL_PARTY_TYPES.map((t) => {
          const p = r.parties[t];
          return [t, p ? { id: p.id, label: p.label ?? null, key: relationKey(t, r.dealId, p.id) } : null];
        }),
      ),
    })),
    retired: { ...retired, sourceIds: [...retired.sourceIds], at: new Date().toISOString() },
  };
}

/** Writes deals' parties and their slots in the caller's transaction (see dealPartiesCypher). */
export async function writeDealParties(
  db: Database,
  tx: ManagedTransaction,
  rows: readonly DealPartiesRow[],
  retired: Retirement,
): Promise<void> {
  if (rows.length === 0) return;
  await db.run(tx, dealPartiesCypher(), dealPartiesParams(rows, retired));
  // A deal's parties are keys of its TIV rollups.
  await refreshTivRollups(
    db,
    tx,
    rows.map((r) => r.dealId),
  );
}

/** Upserts deliveries by year and recomputes the deal's delivered count, TIV total and years. */
export async function writeDeliveries(
  db: Database,
  tx: ManagedTransaction,
  dealId: string,
  deliveries: readonly DeliveryInput[],
  sourceIds: readonly string[],
): Promise<string[]> {
  const rows = await db.run(
    tx,
    `MATCH (d:Deal {id: $dealId})
     UNWIND $deliveries AS x
     MERGE (v:Delivery {id: $dealId + ':' + toString(toInteger(x.year))})
     SET v.year = toInteger(x.year), v.quantity = toInteger(x.quantity), v.tiv = toFloat(x.tiv),
         v.quantityEstimated = coalesce(x.quantityEstimated, false),
         v.yearEstimated = coalesce(x.yearEstimated, false),
         v.sourceIds = $sourceIds
     REMOVE v.retired, v.retiredBy, v.retiredReason, v.retiredAt
     MERGE (d)-[r:HAS_DELIVERY {key: x.key}]->(v) SET r.sourceIds = $sourceIds
     RETURN elementId(v) AS eid`,
    {
      dealId,
      deliveries: deliveries.map((d) => ({
        ...d,
        key: relationKey('HAS_DELIVERY', dealId, `${dealId}:${d.year}`),
      })),
      sourceIds,
    },
  );
  await db.run(
    tx,
    `MATCH (d:Deal {id: $dealId})
     OPTIONAL MATCH (d)-[:HAS_DELIVERY]->(v:Delivery) WHERE coalesce(v.retired, false) = false
     WITH d, collect(v) AS vs
     SET d.delivered = CASE WHEN size(vs) = 0 THEN d.delivered ELSE reduce(s = 0, v IN vs | s + coalesce(v.quantity, 0)) END,
         d.tivTotal = CASE WHEN size(vs) = 0 THEN d.tivTotal ELSE reduce(s = 0.0, v IN vs | s + coalesce(v.tiv, 0.0)) END,
         d.deliveryStartYear = CASE WHEN size(vs) = 0 THEN d.deliveryStartYear ELSE reduce(m = 9999, v IN vs | CASE WHEN v.year < m THEN v.year ELSE m END) END,
         d.deliveryEndYear = CASE WHEN size(vs) = 0 THEN d.deliveryEndYear ELSE reduce(m = 0, v IN vs | CASE WHEN v.year > m THEN v.year ELSE m END) END`,
    { dealId },
  );
  // The TIV tables follow the deliveries.
  await refreshTivRollups(db, tx, [dealId]);
  return rows.map((r) => String(r.eid));
}

/** The marks of a retired fact (RETIRED_MARKS): nothing is deleted, queries leave it out. */
export interface RetiredMarks {
  retired: true;
  retiredBy: string;
  retiredReason: string;
  retiredAt: string;
  retiredSourceIds: readonly string[];
}

/** Retires a node (an entity, a delivery or a claim) by its element id. */
export async function retireNode(
  db: Database,
  tx: ManagedTransaction,
  elementId: string,
  marks: RetiredMarks,
): Promise<void> {
  await db.run(tx, 'MATCH (n) WHERE elementId(n) = $eid SET n += $marks', { eid: elementId, marks });
  // A retired deal or delivery leaves the TIV tables.
  await refreshTivRollupsOf(db, tx, [elementId]);
}

/** Retires a relationship by its element id; a deal's party leaves the deal's page slots with it. */
export async function retireRelationship(
  db: Database,
  tx: ManagedTransaction,
  elementId: string,
  marks: RetiredMarks,
): Promise<void> {
  const rows = await db.run(
    tx,
    `MATCH (d)-[r]->() WHERE elementId(r) = $rid SET r += $marks
     WITH d, type(r) IN $partyTypes AND d:Deal AS party
     CALL (d, party) {
       WITH d.id AS id WHERE party
       ${DEAL_SLOTS_CYPHER('id')}
     }
     RETURN elementId(d) AS start`,
    { rid: elementId, marks, partyTypes: [...DEAL_PARTY_TYPES] },
  );
  // A deal's retired party or delivery relationship leaves the TIV tables.
  await refreshTivRollupsOf(
    db,
    tx,
    rows.map((r) => String(r.start)),
  );
}

/** Sets properties on a node by its element id (a merge's kept entity gets the merged one's). */
export async function setNodeProps(
  db: Database,
  tx: ManagedTransaction,
  elementId: string,
  props: Record<string, unknown>,
): Promise<void> {
  await db.run(tx, 'MATCH (n) WHERE elementId(n) = $eid SET n += $props', {
    eid: elementId,
    props: withIntegers(props),
  });
}

/** A node by its element id and its `id`. */
export interface NodeRef {
  elementId: string;
  id: string;
}

/**
 * A key for a relationship of a type outside the model (HAS_RECORD, MERGED_INTO) that carries one:
 * its ends' parts (`TYPE:from:to:part`) naming `from` become `to`.
 */
export function rekey(key: string, from: string, to: string): string {
  const parts = key.split(':');
  return parts.map((p, i) => (i >= 1 && i <= 2 && p === from ? to : p)).join(':');
}

/**
 * What a merge moves: every relationship type of the model, and the internal ones but the change
 * log (a merged node's change history stays with its tombstone).
 */
const MOVED_TYPES: readonly string[] = [
  ...RELATION_TYPES,
  ...INTERNAL_RELATIONS.filter((t) => t !== 'CHANGED'),
];

/**
 * Moves every relationship of `old` (but to `keep` itself, and loops) to `keep`: each is written again
 * at `keep` on its key recomputed for its new ends (relationKey, from the model), joining an equal one
 * there (which gains its sources) or created with all its properties, retired marks included; the
 * old relationship is deleted, since it now stands at `keep`. Returns the element ids of the other
 * ends (one per moved relationship).
 */
export async function moveRelationships(
  db: Database,
  tx: ManagedTransaction,
  old: NodeRef,
  keep: NodeRef,
): Promise<string[]> {
  const rels = await db.run(
    tx,
    `MATCH (o) WHERE elementId(o) = $old MATCH (o)-[r]-(x) WHERE elementId(x) <> $keep AND x <> o AND type(r) IN $types
     RETURN elementId(r) AS rid, type(r) AS type, startNode(r) = o AS out, elementId(x) AS other,
            x.id AS otherId, properties(r) AS props`,
    { old: old.elementId, keep: keep.elementId, types: [...MOVED_TYPES] },
  );
  for (const r of rels) {
    // The type is one of MOVED_TYPES (the model's), read back from the graph, before it is spliced in.
    const type = String(r.type);
    const out = r.out === true;
    const props = { ...(r.props as Record<string, unknown>) };
    const otherId = typeof r.otherId === 'string' ? r.otherId : null;
    if ((RELATION_TYPES as readonly string[]).includes(type) && otherId !== null)
      props.key = relationKey(type as RelationType, out ? keep.id : otherId, out ? otherId : keep.id, props);
    else if (typeof props.key === 'string') props.key = rekey(props.key, old.id, keep.id);
    const pattern = out ? `(k)-[e:${type}]->(x)` : `(k)<-[e:${type}]-(x)`;
    const created = out ? `(k)-[n:${type}]->(x)` : `(k)<-[n:${type}]-(x)`;
    await db.run(
      tx,
      `MATCH (k) WHERE elementId(k) = $keep MATCH (x) WHERE elementId(x) = $other
       OPTIONAL MATCH ${pattern} WHERE e.key = $key OR (e.key IS NULL AND $key IS NULL)
       WITH k, x, head(collect(e)) AS existing
       FOREACH (_ IN CASE WHEN existing IS NOT NULL THEN [1] ELSE [] END |
         SET existing.sourceIds = [s IN coalesce(existing.sourceIds, []) WHERE NOT s IN $sources] + $sources)
       FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END | CREATE ${created} SET n = $props)
       WITH DISTINCT k
       MATCH ()-[moved]->() WHERE elementId(moved) = $rid DELETE moved`,
      {
        keep: keep.elementId,
        other: r.other,
        key: props.key ?? null,
        sources: [...new Set(((props.sourceIds as unknown[] | null) ?? []).map(String))],
        props,
        rid: r.rid,
      },
    );
  }
  return rels.map((r) => String(r.other));
}

/**
 * Rewrites the properties that name an entity of `label` by its id (ID_REFERENCES, from the model)
 * from `from` to `to`; a list keeps each id once. Change-log nodes keep their history as it was.
 */
export async function replaceIdReferences(
  db: Database,
  tx: ManagedTransaction,
  label: NodeLabel,
  from: string,
  to: string,
): Promise<void> {
  for (const ref of ID_REFERENCES.filter((r) => r.target === label)) {
    const p = ref.property;
    const where = ref.list ? `$from IN x.${p}` : `x.${p} = $from`;
    const swap = `[s IN x.${p} | CASE WHEN s = $from THEN $to ELSE s END]`;
    const set = ref.list
      ? `x.${p} = reduce(a = [], s IN ${swap} | CASE WHEN s IN a THEN a ELSE a + s END)`
      : `x.${p} = $to`;
    const matches =
      ref.on === 'relationships'
        ? [`MATCH ()-[x]->() WHERE ${where}`]
        : ref.on === 'anywhere'
          ? [`MATCH (x) WHERE NOT x:Change AND ${where}`, `MATCH ()-[x]->() WHERE ${where}`]
          : [`MATCH (x:${ref.on.label}) WHERE ${where}`];
    for (const match of matches) await db.run(tx, `${match} SET ${set}`, { from, to });
  }
}

/**
 * Leaves `old` as a tombstone of its merge into `keep`: it loses its entity labels (and so the id
 * constraint and the name index: its id now resolves to `keep` through an alias), becomes `:Merged`
 * with `mergedInto` and the merge's marks, and is linked to `keep` by MERGED_INTO. Nothing is deleted.
 */
export async function writeMergeTombstone(
  db: Database,
  tx: ManagedTransaction,
  label: EntityLabel,
  old: NodeRef,
  keep: NodeRef,
  merge: { by: string; reason: string; sourceIds: readonly string[] },
): Promise<void> {
  // The label is from the model's closed list.
  await db.run(
    tx,
    `MATCH (o) WHERE elementId(o) = $old MATCH (k) WHERE elementId(k) = $keep
     REMOVE o:${label}:Entity
     SET o:Merged, o.mergedInto = $keepId, o.mergedAt = $at, o.mergedBy = $by, o.mergedReason = $reason,
         o.nameKeys = [], o.nameKeysText = '', o.searchText = ''
     CREATE (o)-[:MERGED_INTO {sourceIds: $sources}]->(k)`,
    {
      old: old.elementId,
      keep: keep.elementId,
      keepId: keep.id,
      at: new Date().toISOString(),
      by: merge.by,
      reason: merge.reason,
      sources: [...merge.sourceIds],
    },
  );
}

/**
 * Empties a scratch graph (a test's, a benchmark's; the schema stays): the one write that deletes.
 * The rollups' marker stays: the rollups of an empty graph are complete, and every writer keeps them.
 */
export async function emptyGraph(db: Database): Promise<void> {
  // Scratch graphs are small enough for one transaction (CALL ... IN TRANSACTIONS cannot run in a managed one).
  await db.write(`MATCH (n) WHERE NOT n:${BUILT_LABEL} DETACH DELETE n`);
}
