import type { Params, Statement } from './database';
import type { Plain } from './mapper';
import { compileDealFilter, resolveDealParties, type DealFilter } from './deal-filter';
import type { Database } from './database';
import { cypherList } from './cypher-text';
import { int } from './integers';
import { DEAL_PARTY_PATTERN, DEAL_PARTY_TYPES } from '../model';
import { edgeIdCypher, edgeIdOf, live } from './subgraph-queries';

/**
 * The Cypher of the streamed exports (src/export). A selection is a set of `:Entity` nodes and every
 * live relationship between two of them; each selection gives statements that run one after the
 * other in one read transaction: the node property keys of each kind with their value types, the edge
 * property keys likewise (kept between exports: src/export/key-cache.ts), the nodes, the edges. Nothing is collected or sorted on our side, so memory does not grow with the graph.
 *
 * Nodes and edges come back as flat lists, not maps: the driver decodes a map key by key with a
 * property definition each, and an export decodes hundreds of thousands of them. Nodes come many to a
 * record (NODE_RECORD_MAX), edges a source's edges to a record (EDGE_RECORD). Every format asks for
 * values by key, in the order of the key passes' keys (RowKeys): one that declared its keys for
 * exactly those, the JSON formats for each kind's own keys. No row carries key names: those were a
 * string for the driver to decode per key per row, and their order was Neo4j's internal one.
 */
export interface SelectionStatements {
  /** The node property keys of each kind of node, with their value types (KEY_ROW). */
  nodeKeys: Statement;
  /** Likewise for each relationship type. */
  edgeKeys: Statement;
  /** Records of up to NODE_RECORD_MAX node rows (NODE_ROW), each with the values `keys` asks for. */
  nodes(keys: RowKeys): Statement;
  /** As `nodes`, source by source (EDGE_RECORD); `time`: also the dates of a deal the edges leave. */
  edges(keys: RowKeys, time: boolean): Statement;
  deals: Statement;
}

/**
 * Which property values the rows of a node or edge pass carry, in what order: a row of kind `i` has
 * the values of `lists[i]`. A format that declared its keys has one list, which every row reads (kind
 * 0). The JSON formats have a list per kind (a node's labels, an edge's type), so that a row carries
 * only values its kind may have, not the nulls of every other kind's keys; `kinds` gives a kind's
 * index by its name as the key passes return it (KEY_ROW.kind). `hidden`: the keys no list holds,
 * which a row's count of its own keys leaves out (NODE_ROW.keys).
 */
export interface RowKeys {
  lists: readonly (readonly string[])[];
  kinds: Readonly<Record<string, number>> | null;
  hidden: readonly string[];
}

/** Key names in one defined order: by UTF-16 code units (not the locale's, not Neo4j's storage order). */
export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The RowKeys of a format that declared `keys` (of every kind) for its nodes or edges. */
export function declaredKeys(of: 'node' | 'edge', keys: readonly string[]): RowKeys {
  return {
    lists: [keys],
    kinds: null,
    hidden: of === 'node' ? NOT_DECLARED_NODE_KEYS : NOT_DECLARED_EDGE_KEYS,
  };
}

/**
 * The JSON formats' RowKeys: each kind's keys in the key pass rows `rows` (KEY_ROW), sorted by name.
 * A node's `id` property is left out (its own id field, the same value, wins), as are the lookup
 * fields; an edge keeps every key (Cytoscape writes an edge's `key` property; node-link's own wins).
 */
export function kindKeys(of: 'node' | 'edge', rows: Plain[][]): RowKeys {
  const hidden = of === 'node' ? NOT_DECLARED_NODE_KEYS : [];
  const byKind = new Map<string, string[]>();
  for (const row of rows) {
    const name = String(row[KEY_ROW.key]);
    if (hidden.includes(name)) continue;
    const kind = String(row[KEY_ROW.kind]);
    let keys = byKind.get(kind);
    if (!keys) byKind.set(kind, (keys = []));
    keys.push(name);
  }
  const kinds: Record<string, number> = {};
  const lists: string[][] = [];
  for (const [kind, keys] of byKind) {
    kinds[kind] = lists.length;
    lists.push(keys.sort(byName));
  }
  return { lists, kinds, hidden };
}

/** Node properties that only serve lookups: never exported (as in the API). */
export const HIDDEN_NODE_KEYS = ['nameKeys', 'nameKeysText', 'searchText'];

/** Node keys a format never declares as attributes: the lookup fields and the id (its own field). */
export const NOT_DECLARED_NODE_KEYS = [...HIDDEN_NODE_KEYS, 'id'];
/** An edge's `key` is its id (declared as such); an attribute named key also breaks NetworkX's GEXF reader. */
export const NOT_DECLARED_EDGE_KEYS = ['key'];

/**
 * Positions in a node row: id, labels (without `Entity`), name, the number of its keys (all but
 * RowKeys.hidden), its kind (RowKeys: 0 with declared keys; null when the key passes did not see
 * it: one without properties, or written since), then its values from `values` on, those of its kind's key list in that order. The count is the
 * number of values present, unless a write added a key after the keys were read. A count, not the
 * names: testing each key against the declared list cost Neo4j about 0.2 s of CPU per 50,000 nodes.
 */
export const NODE_ROW = { id: 0, labels: 1, name: 2, keys: 3, kind: 4, values: 5 } as const;
/**
 * The most node rows one record of the node pass carries (a record is a list of NODE_ROWs). Neo4j and
 * the driver pay per record about what they pay for its values, so nodes travel in slices of the
 * selection's node list, not one to a record.
 */
export const NODE_RECORD_MAX = 10;
/**
 * Records an export fetches a round trip. Neo4j stops at the end of each fetch until the driver asks
 * for the next, so every fetch costs a round trip during which Neo4j waits: at 100 records the edge
 * pass of 150,000 edges (50,000 records) took 500 of them, and Neo4j's worker was idle for about a
 * third of the pass (1.13 s wall for 0.74 s of its CPU; 0.82 s at 1,000 records, same CPU). The driver
 * hands over every record of a fetch even while the export waits for a slow client, so a fetch is
 * what the service may hold beyond its chunks: with records of at most 10 rows (NODE_RECORD_MAX,
 * EDGE_RECORD_MAX), at most 10,000 nodes or edges, as their text (a few MiB), not as objects.
 */
export const EXPORT_FETCH_RECORDS = 1000;
/**
 * Positions in an edge record: the source's id, its deal dates ([orderDate, orderYear,
 * deliveryEndYear] when the source is a deal and times were asked, else null), and its edges, each a
 * list laid out as EDGE_ROW. The edges come source by source, at most EDGE_RECORD_MAX to a record:
 * Neo4j and the driver pay per record (Bolt framing, the driver's record object and bookkeeping) about
 * what they pay for its values, so a deal's three edges cost one record instead of three, and a dense
 * source is split so that no record holds an unbounded list.
 */
export const EDGE_RECORD = { source: 0, dealTime: 1, edges: 2 } as const;
/** Positions in one edge of an edge record: id, type, target id, key count and kind (as in NODE_ROW), values. */
export const EDGE_ROW = { id: 0, type: 1, target: 2, keys: 3, kind: 4, values: 5 } as const;
/** The most edges one record carries (see EXPORT_FETCH_RECORDS). */
export const EDGE_RECORD_MAX = 10;

/**
 * A node's kind as the key passes and the node rows name it: its labels (in Neo4j's order, the same
 * for every node of one label set). Only ever a key, never shown.
 */
const nodeKind = (v: string) => `reduce(s = '', l IN labels(${v}) | s + ':' + l)`;
/** An edge's kind: its type. */
const edgeKind = (v: string) => `type(${v})`;

/** Positions in a key pass row: a kind (nodeKind, edgeKind), one of its property keys, the value types it holds. */
export const KEY_ROW = { kind: 0, key: 1, types: 2 } as const;

/**
 * Property keys of each kind with every Cypher value type they hold (valueType(): 'INTEGER NOT NULL',
 * ...): KEY_ROW. Formats that declare their keys take every kind's keys together; the JSON formats
 * read each kind's own.
 */
const keysOf = (v: string, kind: string) =>
  `WITH ${kind} AS kind, properties(${v}) AS p UNWIND keys(p) AS k WITH DISTINCT kind, k, valueType(p[k]) AS t
  WITH kind, k, collect(t) AS types RETURN [kind, k, types] AS row`;

/**
 * A row's kind (`kind`: the Cypher of its name) and its values (over the property map `p`), as
 * `RowKeys` asks for them, under the parameters `$<prefix>Kinds` and `$<prefix>Keys`.
 */
function rowValues(keys: RowKeys, prefix: string, kind: string): { kind: string; values: string } {
  if (!keys.kinds) return { kind: '0', values: `[k IN $${prefix}Keys | p[k]]` };
  return {
    kind: `$${prefix}Kinds[${kind}]`,
    // A kind the key passes did not see has no list: it has no properties, or it was written since
    // (its row then has keys but no values, which the export refuses).
    values: `[k IN coalesce($${prefix}Keys[kind], []) | p[k]]`,
  };
}

/** The parameters of rowValues. */
const rowParams = (keys: RowKeys, prefix: string) => ({
  [`${prefix}Keys`]: keys.kinds ? keys.lists : (keys.lists[0] ?? []),
  [`${prefix}Hidden`]: keys.hidden,
  // As integers: a JavaScript number is a float to Neo4j, which indexes no list.
  ...(keys.kinds
    ? { [`${prefix}Kinds`]: Object.fromEntries(Object.entries(keys.kinds).map(([k, i]) => [k, int(i)])) }
    : {}),
});

/** When the edge leaves a deal, the deal's dates travel with it (GEXF gives such edges the deal's interval). */
const DEAL_TIME = `CASE WHEN a:Deal THEN [a.orderDate, a.orderYear, a.deliveryEndYear] END`;

/** The number of keys of the property map `p` a format may declare: those not in `hidden` (NODE_ROW). */
const ownKeys = (hidden: string) => `size(keys(p)) - size([k IN ${hidden} WHERE p[k] IS NOT NULL])`;

// Values are read from `properties(...)` once, not with `n[k]` key by key: each of those walks the
// entity's property chain again. Likewise a row's key list is made once (`keys(p)` makes a new list
// at every use).

/**
 * The node records of the nodes `match` binds as `n`: slices of at most NODE_RECORD_MAX rows, each
 * `[id, labels, name, count, kind] + values` (NODE_ROW). The nodes are collected first (references
 * only, in the order the match found them) so that they can be sliced: Neo4j holds the selection's
 * node list for the statement, the service one slice a record.
 */
function nodeRecords(match: string, keys: RowKeys, params: Params): Statement {
  const head = `p.id, [l IN labels(n) WHERE l <> 'Entity'], p.name`;
  const row = rowValues(keys, 'exportNode', nodeKind('n'));
  return {
    cypher: `${match} WITH collect(n) AS ns
    UNWIND range(0, size(ns) - 1, $exportNodeMax) AS at
    CALL (ns, at) {
      UNWIND ns[at..at + $exportNodeMax] AS n
      WITH n, properties(n) AS p, ${row.kind} AS kind
      RETURN collect([${head}, ${ownKeys('$exportNodeHidden')}, kind] + ${row.values}) AS nodes
    }
    RETURN nodes AS row`,
    params: { ...params, exportNodeMax: NODE_RECORD_MAX, ...rowParams(keys, 'exportNode') },
  };
}

/**
 * The edge records (EDGE_RECORD) of the sources `sources` binds as `a`: `out` matches each one's
 * edges `r` to `b` from `a`. Each source's edges are collected (their number is the source's degree)
 * and sent in slices of EDGE_RECORD_MAX; a source without edges sends nothing.
 */
function edgeRecords(sources: string, out: string, keys: RowKeys, time: boolean, params: Params): Statement {
  const edge = `${edgeIdOf('r', 'p.key', 'source', 'target')}, type(r), target`;
  const row = rowValues(keys, 'exportEdge', edgeKind('r'));
  return {
    cypher: `${sources}
    WITH a, a.id AS source, ${time ? DEAL_TIME : 'null'} AS dealTime
    CALL (a, source) {
      ${out}
      WITH r, b.id AS target, properties(r) AS p, ${row.kind} AS kind
      RETURN collect([${edge}, ${ownKeys('$exportEdgeHidden')}, kind] + ${row.values}) AS edges
    }
    WITH source, dealTime, edges WHERE size(edges) > 0
    UNWIND range(0, size(edges) - 1, $exportEdgeMax) AS at
    RETURN [source, dealTime, edges[at..at + $exportEdgeMax]] AS row`,
    params: { ...params, exportEdgeMax: EDGE_RECORD_MAX, ...rowParams(keys, 'exportEdge') },
  };
}

/**
 * One row of deals.csv: the column, and the Cypher of its value (over the deal `d` and its `buyer`,
 * `seller` and `system` as `[id, name]`). Money and TIV stay in separate columns.
 */
export const DEAL_COLUMNS: readonly (readonly [string, string])[] = [
  ['deal_id', 'd.id'],
  ['deal', 'd.name'],
  ['buyer_id', 'buyer[0]'],
  ['buyer', 'buyer[1]'],
  ['seller_id', 'seller[0]'],
  ['seller', 'seller[1]'],
  ['system_id', 'system[0]'],
  ['system', 'system[1]'],
  ['category', 'd.category'],
  ['status', 'd.status'],
  ['order_year', 'd.orderYear'],
  ['order_year_estimated', 'd.orderYearEstimated'],
  ['order_date', 'd.orderDate'],
  ['delivery_start_year', 'd.deliveryStartYear'],
  ['delivery_end_year', 'd.deliveryEndYear'],
  ['quantity', 'd.quantity'],
  ['quantity_estimated', 'd.quantityEstimated'],
  ['quantity_description', 'd.quantityDescription'],
  ['delivered', 'd.delivered'],
  ['delivered_estimated', 'd.deliveredEstimated'],
  ['value_amount', 'd.valueAmount'],
  ['value_currency', 'd.valueCurrency'],
  ['tiv_unit', 'd.tivUnit'],
  ['tiv_total', 'd.tivTotal'],
  ['sipri_id', 'd.sipriId'],
  ['sources', 'coalesce(d.sourceIds, [])'],
  ['description', 'd.description'],
];

/** The column names of deals.csv, in order. */
export const DEAL_COLUMN_NAMES: readonly string[] = DEAL_COLUMNS.map(([name]) => name);

/** The deals.csv row of deal `d`, as a list in DEAL_COLUMNS order. */
const DEAL_ROW = `WITH d,
    head([(d)-[r:BUYER]->(b) WHERE ${live('r')} | [b.id, b.name]]) AS buyer,
    head([(d)-[r:SELLER]->(s) WHERE ${live('r')} | [s.id, s.name]]) AS seller,
    head([(d)-[r:COVERS]->(w) WHERE ${live('r')} | [w.id, w.name]]) AS system
  RETURN [${DEAL_COLUMNS.map(([, cypher]) => cypher).join(', ')}] AS row`;

/** The whole live entity graph. */
export function wholeGraphStatements(): SelectionStatements {
  const nodes = `MATCH (n:Entity) WHERE ${live('n')}`;
  const edges = `MATCH (a:Entity)-[r]->(b:Entity) WHERE ${live('r')} AND ${live('a')} AND ${live('b')}`;
  const sources = `MATCH (a:Entity) WHERE ${live('a')}`;
  const out = `MATCH (a)-[r]->(b:Entity) WHERE ${live('r')} AND ${live('b')}`;
  return {
    nodeKeys: { cypher: `${nodes} ${keysOf('n', nodeKind('n'))}`, params: {} },
    edgeKeys: { cypher: `${edges} ${keysOf('r', edgeKind('r'))}`, params: {} },
    nodes: (keys) => nodeRecords(nodes, keys, {}),
    edges: (keys, time) => edgeRecords(sources, out, keys, time, {}),
    deals: { cypher: `MATCH (d:Deal) WHERE ${live('d')} ${DEAL_ROW}`, params: {} },
  };
}

/**
 * The deals a DealFilter selects (Query.deals' own condition: the same compiled filter, the same
 * anchor), their buyers, sellers and systems, and every relationship among those nodes. The node set
 * is a UNION (Neo4j removes duplicates); an edge is kept when it leaves a node of the set for another
 * node of the set, tested by the same condition. `ids`: the filter's parties resolved
 * (resolveDealParties), which the statements take as parameters.
 */
export function dealSelectionStatements(
  filter: DealFilter,
  ids: Record<string, string>,
): SelectionStatements {
  const c = compileDealFilter(filter, 'parameter');
  const anchor = c.anchor('d');
  const where = (v: string, options?: { withoutLead?: boolean }) =>
    [live(v), ...c.conditions(v, options)].join(' AND ');
  // The anchor has matched the lead party: the deals it binds need only the other conditions.
  const selected = `${anchor} WHERE ${where('d', { withoutLead: true })}`;
  const nodeSet = `CALL () {
      ${selected} RETURN d AS n
      UNION
      ${selected}
      MATCH (d)-[p:${DEAL_PARTY_PATTERN}]->(n:Entity) WHERE ${live('p')} AND ${live('n')} RETURN n
    }`;
  const inSet = (v: string) => `${live(v)} AND ((${v}:Deal AND ${where(v)}) OR EXISTS {
      MATCH (${v})<-[p2:${DEAL_PARTY_PATTERN}]-(d2:Deal) WHERE ${live('p2')} AND ${where('d2')} })`;
  // A deal of the set reaches its parties and system by definition of the set, so those edges need no
  // test; only the other edges (among parties and systems) pay for the membership test. Two branches,
  // because the planner evaluates both sides of an OR.
  const sources = `${nodeSet} WITH n AS a`;
  const out = `CALL (a) {
      WITH a WHERE a:Deal
      MATCH (a)-[r:${DEAL_PARTY_PATTERN}]->(b:Entity) WHERE ${live('r')} AND ${live('b')}
      RETURN r, b
      UNION
      MATCH (a)-[r]->(b:Entity)
      WHERE NOT (a:Deal AND type(r) IN ${cypherList(DEAL_PARTY_TYPES)}) AND ${live('r')} AND ${inSet('b')}
      RETURN r, b
    }`;
  const edges = `${sources} ${out} WITH a, r, b`;
  const params = { ...c.params, ...ids };
  return {
    nodeKeys: { cypher: `${nodeSet} ${keysOf('n', nodeKind('n'))}`, params },
    edgeKeys: { cypher: `${edges} ${keysOf('r', edgeKind('r'))}`, params },
    nodes: (keys) => nodeRecords(nodeSet, keys, params),
    edges: (keys, time) => edgeRecords(sources, out, keys, time, params),
    deals: { cypher: `${selected} ${DEAL_ROW}`, params },
  };
}

/** The statements of a filtered export, the filter checked and its names resolved first (one round trip). */
export async function prepareDealSelection(
  db: Database,
  filter: DealFilter,
): Promise<{ statements: SelectionStatements; ids: Record<string, string> }> {
  const ids = await resolveDealParties(db, filter, compileDealFilter(filter, 'parameter'));
  return { statements: dealSelectionStatements(filter, ids), ids };
}

/**
 * A neighbourhood already computed (Query.neighborhood's nodes and edges, at most MAX_NODES and its
 * edge cap), streamed by id so the export holds exactly the subgraph the API returns.
 */
export function neighborhoodStatements(nodeIds: string[], edgeIds: string[]): SelectionStatements {
  const nodes = `UNWIND $ids AS id MATCH (n:Entity {id: id})`;
  const sources = `UNWIND $ids AS id MATCH (a:Entity {id: id})`;
  const out = `MATCH (a)-[r]->(b:Entity) WHERE b.id IN $ids AND ${edgeIdCypher('r', 'a', 'b')} IN $edgeIds`;
  const params = { ids: nodeIds, edgeIds };
  return {
    nodeKeys: { cypher: `${nodes} ${keysOf('n', nodeKind('n'))}`, params },
    edgeKeys: { cypher: `${sources} ${out} ${keysOf('r', edgeKind('r'))}`, params },
    nodes: (keys) => nodeRecords(nodes, keys, params),
    edges: (keys, time) => edgeRecords(sources, out, keys, time, params),
    deals: { cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) WHERE ${live('d')} ${DEAL_ROW}`, params },
  };
}

/**
 * A supplier → recipient network already computed (Query.transferNetwork): its parties by id, and its
 * SUPPLIED edges (not stored relationships) with their `weight` (a float: TIV) and `deals` (an integer).
 */
export function networkStatements(
  nodeIds: string[],
  edges: { id: string; source: string; target: string; [key: string]: unknown }[],
): SelectionStatements {
  const nodes = `UNWIND $ids AS id MATCH (n:Entity {id: id})`;
  const params = {
    ids: nodeIds,
    edges: edges.map((e) => ({ ...e, weight: Number(e.weight), deals: int(Number(e.deals)) })),
  };
  // One record per edge: a network is small (MAX_NETWORK_EDGES).
  const head = "e.id, 'SUPPLIED', e.target";
  return {
    nodeKeys: { cypher: `${nodes} ${keysOf('n', nodeKind('n'))}`, params },
    edgeKeys: {
      cypher: `UNWIND CASE WHEN size($edges) > 0 THEN [['SUPPLIED', 'deals', ['INTEGER NOT NULL']], ['SUPPLIED', 'weight', ['FLOAT NOT NULL']]] ELSE [] END AS row RETURN row`,
      params,
    },
    nodes: (keys) => nodeRecords(nodes, keys, params),
    edges: (keys) => {
      // Every edge is of one kind (SUPPLIED): its list is known here.
      const kind = keys.kinds ? (keys.kinds.SUPPLIED ?? null) : 0;
      const list = kind === null ? [] : (keys.lists[kind] ?? []);
      return {
        cypher: `UNWIND $edges AS e RETURN [e.source, null, [[${head}, size([k IN $exportEdgeKeys WHERE e[k] IS NOT NULL]), $exportEdgeKind] + [k IN $exportEdgeKeys | e[k]]]] AS row`,
        params: { ...params, exportEdgeKeys: list, exportEdgeKind: kind === null ? null : int(kind) },
      };
    },
    deals: { cypher: 'UNWIND [] AS row RETURN row', params },
  };
}
