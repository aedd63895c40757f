import type { ManagedTransaction } from 'neo4j-driver';
import { badInput, notFound } from '../errors';
import { ENTITY_LABELS } from './constraints';
import type { Database } from './database';
import { resolveId } from './entities';
import type { Plain } from './mapper';
import { RELATIONSHIP_TYPES } from './write-inputs';

/**
 * Subgraphs for graph-visualisation clients (Query.neighborhood, Query.paths) and the pieces the
 * streamed exports share with them: which nodes and relationships make "the graph", how an edge gets
 * its id, how a node or edge is projected.
 *
 * The graph is the live entity graph: `:Entity` nodes and the relationships between them. Deliveries
 * and claims (non-entity nodes) are properties of their deal for these clients; the change log
 * (`:Change`) and merge tombstones (`:Merged`) carry no `:Entity` label and so stay out by construction.
 */

/**
 * Relationship types between entities: the model's (RELATIONSHIP_TYPES) less those that lead to a
 * deal's own Delivery and Claim nodes, which are not entities. The `types` filter accepts only these.
 */
const INNER_TYPES: readonly string[] = ['HAS_DELIVERY', 'HAS_CLAIM'];
export const RELATION_TYPES = RELATIONSHIP_TYPES.filter((t) => !INNER_TYPES.includes(t));

export const MAX_DEPTH = 3;
export const MAX_HOPS = 6;
export const MAX_NODES = 1000;
/** Edges allowed per node of the node cap: a neighbourhood is mostly a tree, so this is generous. */
export const EDGES_PER_NODE = 5;
/** Most shortest paths one `paths` query returns. */
export const MAX_PATHS = 100;

/** Properties that only serve lookups; never shown to clients (same list as src/db/entities.ts). */
const INTERNAL = new Set(['nameKeys', 'nameKeysText', 'searchText']);

/**
 * The stable edge id, in Cypher: the relationship's `key` (`TYPE:from:to:part`, which the seeder, the
 * importer and the mutations MERGE on, so it survives re-imports and tells parallel edges apart), or
 * for a keyless relationship `TYPE:from:to:`. Never Neo4j's element id, which changes between imports.
 * `key`: the key when already read (an export reads `properties(r)` once and takes it from there).
 */
export const edgeIdCypher = (r: string, a: string, b: string, key = `${r}.key`) =>
  edgeIdOf(r, key, `${a}.id`, `${b}.id`);

/**
 * edgeIdCypher from its ends' ids already read (`sourceId`, `targetId`: Cypher expressions): an export
 * reads each source's id once for all its edges, and each target's id once for the row and the id.
 */
export const edgeIdOf = (r: string, key: string, sourceId: string, targetId: string) =>
  `coalesce(${key}, type(${r}) + ':' + ${sourceId} + ':' + ${targetId} + ':')`;

/**
 * A node as statements return it: the list `[id, labels, props]` (toGraphNode reads it). Lists, and
 * a subgraph's nodes or edges collected into one record, because neo4j-driver decodes every map key
 * and builds a Record per record: the edges of Turkey's neighbourhood (199) cost 4.8 ms of the
 * service's CPU as records of maps, 3.3 as one list of maps and 2.5 as one list of lists (medians,
 * in-process, load 9).
 */
export const NODE_PROJECTION = (n: string, props = `properties(${n})`) =>
  `[${n}.id, [l IN labels(${n}) WHERE l <> 'Entity'], ${props}]`;

/** A relationship `r` from `a` to `b` as statements return it: `[id, type, source, target, props]`. */
export const EDGE_PROJECTION = (r: string, a: string, b: string, props = `properties(${r})`) =>
  `[${edgeIdCypher(r, a, b)}, type(${r}), ${a}.id, ${b}.id, ${props}]`;

/** The nodes `ids` that exist, in id order, as one list of NODE_PROJECTIONs (`nodes`). */
export const nodesByIdsCypher = (projection: string = NODE_PROJECTION('n')) =>
  `UNWIND $ids AS id MATCH (n:Entity {id: id})
   WITH n ORDER BY n.id
   RETURN collect(${projection}) AS nodes`;

export const live = (v: string) => `coalesce(${v}.retired, false) = false`;

/** The node and relationship filters every traversal applies ($types, $labels may be null). */
export const typeOk = (r: string) => `($types IS NULL OR type(${r}) IN $types)`;
export const labelOk = (n: string) => `($labels IS NULL OR any(l IN labels(${n}) WHERE l IN $labels))`;

export interface GraphNode {
  id: string;
  labels: string[];
  name: string;
  properties: { [key: string]: Plain };
}

export interface GraphEdge {
  id: string;
  type: string;
  source: string;
  target: string;
  properties: { [key: string]: Plain };
}

export type SubgraphCap = 'NODES' | 'EDGES' | 'PATHS';

export interface Subgraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
  truncatedBy: SubgraphCap[];
  nodeCap: number;
  edgeCap: number;
  /** Neighbourhoods only: what the node cap left out, by kind (Deal: 167). */
  omitted?: Array<{ label: string; count: number }>;
}

export interface SubgraphFilters {
  types?: readonly string[] | null;
  labels?: readonly string[] | null;
}

/** Checks the filters and turns them into query parameters (null: no filter). */
export function filterParams(filters: SubgraphFilters): {
  types: string[] | null;
  labels: string[] | null;
} {
  const check = (given: readonly string[] | null | undefined, allowed: readonly string[], field: string) => {
    if (given === undefined || given === null) return null;
    const unknown = given.filter((g) => !allowed.includes(g));
    if (unknown.length > 0) {
      throw badInput(`Unknown ${field}: ${unknown.join(', ')}; known: ${allowed.join(', ')}`, {
        field,
        unknown,
      });
    }
    return [...new Set(given)];
  };
  return {
    types: check(filters.types, RELATION_TYPES, 'types'),
    labels: check(filters.labels, ENTITY_LABELS, 'labels'),
  };
}

/** A NODE_PROJECTION as the API's node. */
export function toGraphNode(row: Plain): GraphNode {
  const [id, labels, props] = row as [string, string[], Record<string, Plain>];
  const properties: { [key: string]: Plain } = {};
  for (const k in props) if (!INTERNAL.has(k)) properties[k] = props[k]!;
  properties.sourceIds ??= [];
  return { id, labels, name: String(props.name ?? id), properties };
}

/** An EDGE_PROJECTION as the API's edge (its props map is the driver's own, fresh per record). */
export function toGraphEdge(row: Plain): GraphEdge {
  const [id, type, source, target, properties] = row as [
    string,
    string,
    string,
    string,
    Record<string, Plain>,
  ];
  properties.sourceIds ??= [];
  return { id, type, source, target, properties };
}

/** The `nodes` list of a nodesByIdsCypher statement's one row. */
export const graphNodesOf = (rows: Array<Record<string, Plain>>): GraphNode[] =>
  ((rows[0]?.nodes as Plain[] | undefined) ?? []).map(toGraphNode);

function intIn(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(`${field} must be an integer from ${min} to ${max}`, { field, value, min, max });
  }
  return value;
}

async function mustResolve(db: Database, tx: ManagedTransaction, input: string, field: string) {
  const id = await resolveId(db, input, undefined, tx);
  if (id === null) throw notFound(`No entity matches ${field} "${input}"`, { field, value: input });
  return id;
}

/** Nodes by id, in one statement. */
async function nodesByIds(
  db: Database,
  tx: ManagedTransaction,
  ids: string[],
  withProperties = true,
): Promise<GraphNode[]> {
  const rows = await db.run(tx, nodesByIdsCypher(withProperties ? NODE_PROJECTION('n') : NODE_NAME_ONLY), {
    ids,
  });
  return graphNodesOf(rows);
}

export interface NeighborhoodArgs extends SubgraphFilters {
  id: string;
  depth?: number | null;
  first?: number | null;
}

export interface NeighborhoodOptions {
  /**
   * Bring every property of the nodes and edges (GraphNode.properties, GraphEdge.properties). Without,
   * a node brings its name only and an edge nothing: a graph view asking for ids, labels and names of
   * 200 deals and countries reads a fraction of what their properties weigh.
   */
  withProperties?: boolean;
}

/** A node with its name only: `properties` then holds just that. */
const NODE_NAME_ONLY = NODE_PROJECTION('n', '{ name: n.name }');

/** A relationship without its properties. */
const EDGE_BARE = (r: string, a: string, b: string) => EDGE_PROJECTION(r, a, b, '{}');

/**
 * The order in which a neighbourhood keeps what it finds, most important first, so that a cut drops
 * the least telling neighbours: entities other than deals (alliances, programmes, parties, systems:
 * few, and the frame of the picture) by how many relationships tie them to the level before, then
 * deals by delivered TIV, then by recency of order; the id only breaks what is still tied, so a cut
 * result is the same every time. Cutting by id alone let imported `sipri-*` ids crowd out a
 * country's own curated deals.
 */
const IMPORTANCE_ORDER = `CASE WHEN b:Deal THEN 1 ELSE 0 END,
  CASE WHEN b:Deal THEN 0 ELSE links END DESC,
  coalesce(toFloat(b.tivTotal), -1.0) DESC,
  coalesce(b.orderYear, -1) DESC,
  b.id`;

/**
 * The entities within `depth` hops of one entity (relationships followed either way), and every
 * relationship among them. Breadth first, one statement per level inside one read transaction, so the
 * work is bounded by the caps: each level keeps at most the room left, most important first
 * (IMPORTANCE_ORDER), and counts what it left out by kind (`omitted`: a lower bound, since levels past
 * the cut are not explored). The start node is always included, whatever `labels`. The list of ids
 * seen so far goes in as a parameter, which Neo4j checks membership in by hash (a list built inside one
 * statement is scanned on every row): so a statement per level, and the nodes and the relationships
 * among them in one last statement.
 */
export async function neighborhood(
  db: Database,
  args: NeighborhoodArgs,
  { withProperties = true }: NeighborhoodOptions = {},
): Promise<Subgraph> {
  const depth = intIn(args.depth ?? 1, 1, MAX_DEPTH, 'depth');
  const nodeCap = intIn(args.first ?? 200, 1, MAX_NODES, 'first');
  const edgeCap = nodeCap * EDGES_PER_NODE;
  const filters = filterParams(args);
  return db.readTx(async (tx) => {
    const start = await mustResolve(db, tx, args.id, 'id');
    const seen = [start];
    const truncatedBy = new Set<SubgraphCap>();
    const omitted = new Map<string, number>();
    let frontier = [start];
    for (let level = 1; level <= depth && frontier.length > 0; level++) {
      const room = nodeCap - seen.length;
      if (room <= 0) break;
      const rows = await db.run(
        tx,
        `UNWIND $frontier AS fid
         MATCH (a:Entity {id: fid})-[r]-(b:Entity)
         WHERE ${live('r')} AND ${live('b')} AND ${typeOk('r')} AND ${labelOk('b')} AND NOT b.id IN $seen
         WITH b, count(r) AS links
         ORDER BY ${IMPORTANCE_ORDER}
         WITH collect(b) AS found
         RETURN [b IN found[..toInteger($room)] | b.id] AS kept,
                [b IN found[toInteger($room)..] | head([l IN labels(b) WHERE l <> 'Entity'])] AS left`,
        { frontier, seen, room, ...filters },
      );
      const kept = ((rows[0]?.kept as string[] | undefined) ?? []).map(String);
      const left = (rows[0]?.left as string[] | undefined) ?? [];
      if (left.length > 0) {
        truncatedBy.add('NODES');
        for (const kind of left) omitted.set(String(kind), (omitted.get(String(kind)) ?? 0) + 1);
      }
      seen.push(...kept);
      frontier = kept;
    }
    const { nodes, edges, edgesCut } = await inducedSubgraph(
      db,
      tx,
      seen,
      edgeCap,
      filters.types,
      withProperties,
    );
    if (edgesCut) truncatedBy.add('EDGES');
    return {
      nodes,
      edges,
      truncated: truncatedBy.size > 0,
      truncatedBy: [...truncatedBy],
      nodeCap,
      edgeCap,
      omitted: [...omitted].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count),
    };
  });
}

/** The nodes `ids` (in id order) and the live relationships among them, at most `edgeCap` (in id order). */
async function inducedSubgraph(
  db: Database,
  tx: ManagedTransaction,
  ids: string[],
  edgeCap: number,
  types: string[] | null,
  withProperties: boolean,
): Promise<{ nodes: GraphNode[]; edges: GraphEdge[]; edgesCut: boolean }> {
  const nodes = await nodesByIds(db, tx, ids, withProperties);
  const rows = await db.run(
    tx,
    `UNWIND $ids AS id
     MATCH (a:Entity {id: id})-[r]->(b:Entity)
     WHERE b.id IN $ids AND ${live('r')} AND ${typeOk('r')}
     WITH ${withProperties ? EDGE_PROJECTION('r', 'a', 'b') : EDGE_BARE('r', 'a', 'b')} AS e
     ORDER BY e[0] LIMIT toInteger($edgeCap) + 1
     RETURN collect(e) AS edges`,
    { ids, edgeCap, types },
  );
  const edgeRows = (rows[0]?.edges as Plain[] | undefined) ?? [];
  const edgesCut = edgeRows.length > edgeCap;
  if (edgesCut) edgeRows.length = edgeCap;
  return { nodes, edges: edgeRows.map(toGraphEdge), edgesCut };
}

export interface InducedArgs {
  ids: readonly string[];
}

/**
 * Given entities (ids, names or aliases; at most MAX_NODES) and every live relationship among them: a
 * client that chose what to draw (a partner's deals, from Query.deals) gets the real edges, with their
 * ids, properties and sources. Unknown ids are refused (NOT_FOUND), like every other id argument.
 */
export async function induced(db: Database, args: InducedArgs): Promise<Subgraph> {
  if (args.ids.length > MAX_NODES) {
    throw badInput(`ids takes at most ${MAX_NODES} entities`, { field: 'ids', max: MAX_NODES });
  }
  const edgeCap = MAX_NODES * EDGES_PER_NODE;
  return db.readTx(async (tx) => {
    // Clients send ids: those are checked in one statement; only what is not an id is resolved by name.
    const given = [...new Set(args.ids)];
    const rows = await db.run(
      tx,
      `UNWIND $given AS g OPTIONAL MATCH (n:Entity {id: g}) RETURN g, n IS NOT NULL AS known`,
      { given },
    );
    const ids: string[] = [];
    for (const r of rows) {
      ids.push(r.known === true ? String(r.g) : await mustResolve(db, tx, String(r.g), 'ids'));
    }
    const { nodes, edges, edgesCut } = await inducedSubgraph(db, tx, [...new Set(ids)], edgeCap, null, true);
    return {
      nodes,
      edges,
      truncated: edgesCut,
      truncatedBy: edgesCut ? ['EDGES'] : [],
      nodeCap: MAX_NODES,
      edgeCap,
    };
  });
}

export interface PathsArgs extends SubgraphFilters {
  from: string;
  to: string;
  maxHops?: number | null;
}

/**
 * Every shortest path (relationships followed either way, at most `maxHops` long) between two
 * entities, as one subgraph: the union of the paths' nodes and relationships. At most MAX_PATHS
 * paths (then `truncated`, cap PATHS). `labels` restricts the nodes in between; the ends always pass.
 */
export async function paths(db: Database, args: PathsArgs): Promise<Subgraph> {
  const maxHops = intIn(args.maxHops ?? 4, 1, MAX_HOPS, 'maxHops');
  const filters = filterParams(args);
  const nodeCap = MAX_PATHS * (maxHops + 1);
  const edgeCap = MAX_PATHS * maxHops;
  return db.readTx(async (tx) => {
    const from = await mustResolve(db, tx, args.from, 'from');
    const to = await mustResolve(db, tx, args.to, 'to');
    const empty = { edges: [], truncated: false, truncatedBy: [], nodeCap, edgeCap };
    if (from === to) return { ...empty, nodes: await nodesByIds(db, tx, [from]) };
    // A quantifier bound must be a literal: maxHops is a checked integer from 1 to MAX_HOPS, never text.
    const rows = await db.run(
      tx,
      `MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
       MATCH p = ALL SHORTEST (a) (()-[r]-(x:Entity)
         WHERE ${live('r')} AND ${live('x')} AND ${typeOk('r')} AND (x.id = $to OR ${labelOk('x')})){1,${maxHops}} (b)
       WITH p LIMIT toInteger($maxPaths) + 1
       RETURN [n IN nodes(p) | n.id] AS ids,
              [r IN relationships(p) | ${EDGE_PROJECTION('r', 'startNode(r)', 'endNode(r)')}] AS edges`,
      { from, to, maxPaths: MAX_PATHS, ...filters },
    );
    const truncatedBy: SubgraphCap[] = [];
    if (rows.length > MAX_PATHS) {
      truncatedBy.push('PATHS');
      rows.length = MAX_PATHS;
    }
    const ids = new Set<string>();
    const edges = new Map<string, GraphEdge>();
    for (const row of rows) {
      for (const id of row.ids as string[]) ids.add(id);
      for (const e of row.edges as Plain[]) {
        const edge = toGraphEdge(e);
        edges.set(edge.id, edge);
      }
    }
    return {
      nodes: await nodesByIds(db, tx, [...ids]),
      edges: [...edges.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
      truncated: truncatedBy.length > 0,
      truncatedBy,
      nodeCap,
      edgeCap,
    };
  });
}
