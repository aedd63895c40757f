import type { Database, Statement } from '../db/database';
import { DEAL_FILTER_PARAMS, dealFilterFromText, type DealFilter } from '../db/deal-filter';
import { checkCategory, intText, listParam, valueFromText } from '../db/filter-fields';
import {
  DEAL_COLUMN_NAMES,
  EDGE_RECORD,
  EDGE_ROW,
  EXPORT_FETCH_RECORDS,
  byName,
  declaredKeys,
  KEY_ROW,
  kindKeys,
  NOT_DECLARED_EDGE_KEYS,
  NOT_DECLARED_NODE_KEYS,
  neighborhoodStatements,
  networkStatements,
  NODE_ROW,
  prepareDealSelection,
  wholeGraphStatements,
  type RowKeys,
  type SelectionStatements,
} from '../db/export-queries';
import { resolveId } from '../db/entities';
import type { Plain } from '../db/mapper';
import { MAX_DEPTH, MAX_NODES, neighborhood, type SubgraphCap } from '../db/subgraph-queries';
import { transferNetwork, type NetworkArgs } from '../db/transfer-network';
import { TRANSFER_FILTER_FIELDS, type TransferFilter } from '../db/transfer-totals';
import { ArmsgraphError, badInput, ErrorCode } from '../errors';
import { interval, type Interval } from './intervals';
import { keyRowsCache } from './key-cache';

/**
 * What an export writes: the whole graph, the deals a filter selects (Query.deals' filter) with their
 * parties, systems and the relations among them, or the neighbourhood of one entity. Shared by
 * GET /export/:format and `armsgraph export`.
 */
export type Selection =
  | { kind: 'all' }
  | { kind: 'network'; args: NetworkArgs }
  | { kind: 'deals'; filter: DealFilter }
  | {
      kind: 'around';
      id: string;
      depth: number;
      first: number;
      types: string[] | null;
      labels: string[] | null;
    };

/** A declared attribute: its name and its type in GraphML / GEXF terms. */
export interface AttrKey {
  name: string;
  type: 'string' | 'long' | 'double' | 'boolean';
}

export interface GraphSchema {
  node: AttrKey[];
  edge: AttrKey[];
}

/**
 * A node as the writers see it: a view over the row Neo4j sent (`row`, laid out as NODE_ROW), valid
 * only during the writer's call (the stream reuses it for the next node). Property `keys[i]` has the
 * value `row[at + i]` (null or undefined: the node has no such property); `keys` is the declared key
 * list when the format declared its keys, else the keys of the node's kind, sorted by name.
 */
export interface NodeView {
  id: string;
  labels: string[];
  name: string;
  keys: readonly string[];
  row: Plain[];
  at: number;
}

/**
 * An edge as the writers see it, valid only during the writer's call, like NodeView: `row` is the
 * edge's own list in its record (EDGE_ROW), `source` and `time` come from the record's head.
 */
export interface EdgeView {
  id: string;
  type: string;
  source: string;
  target: string;
  /** The interval of the fact, when the writer asked for times and it has dates (deal edges: their deal's). */
  time: Interval | undefined;
  keys: readonly string[];
  row: Plain[];
  at: number;
}

/** The value of property `name` in a view (undefined when it has none): for the few named lookups. */
export function valueOf(
  v: { keys: readonly string[]; row: Plain[]; at: number },
  name: string,
): Plain | undefined {
  const i = v.keys.indexOf(name);
  return i < 0 ? undefined : v.row[v.at + i];
}

/**
 * What a selection streams into: a format's writer. `start` gets the schema (null when the format
 * declares no keys) before any node; `edgeTime`, read after `start`, says whether edges need their
 * interval.
 */
export interface GraphConsumer {
  parts: GraphParts;
  start(schema: GraphSchema | null): void;
  readonly edgeTime: boolean;
  node(n: NodeView): void;
  /** Called once, between the last node and the first edge (also when there are no edges). */
  edgesStart(): void;
  edge(e: EdgeView): void;
}

export interface DealRow {
  [key: string]: Plain;
}

export interface PreparedSelection {
  kind: Selection['kind'];
  /** A short name for file names: `all`, `deals-buyer-TUR-2010-2020`, `around-TUR-depth-2`. */
  name: string;
  /** Caps that cut a neighbourhood (empty for the other selections, which are never cut). */
  truncatedBy: SubgraphCap[];
  /** The nodes and edges it holds, when known before streaming (a neighbourhood is computed first). */
  total?: { nodes: number; edges: number };
  /**
   * Streams the schema (when asked), the nodes, then the edges (those asked) into `writer`, read in one
   * transaction. `after` runs after every node and edge; when it returns a promise (the sink waits for
   * its reader) reading pauses until it settles.
   */
  graph(writer: GraphConsumer, after: (kind: 'node' | 'edge') => void | Promise<void>): Promise<void>;
  /**
   * The selection's deals (deals.csv): the column names (DEAL_COLUMNS) to `columns` first, then each
   * deal as a row in that order to `onDeal`, handed over like `graph`.
   */
  deals(
    columns: (names: readonly string[]) => void,
    onDeal: (row: Plain[]) => void | Promise<void>,
  ): Promise<void>;
}

/** Exports run longer than API requests: one read transaction may stream a whole graph. */
export const EXPORT_TIMEOUT_MS = 30 * 60_000;

/** A deal selection's parameters: the deal filter's fields (src/db/deal-filter.ts), by name. */
const FILTER_PARAMS = DEAL_FILTER_PARAMS;
const AROUND_PARAMS = ['around', 'depth', 'first', 'types', 'labels'] as const;

export type SelectionParams = Record<string, string | undefined>;

const intParam = (params: SelectionParams, name: string, fallback: number | null) =>
  intText(name, params[name]) ?? fallback;

const list = listParam;

/**
 * Reads a selection from flat parameters (HTTP query or CLI options): `around` (+ depth, first,
 * types, labels) for a neighbourhood, any deal filter for a filtered set, nothing for the whole graph.
 * Lists (status, types, labels) are comma-separated. Unknown or mixed parameters are refused.
 */
export function selectionFromParams(params: SelectionParams): Selection {
  if (params.network !== undefined) return networkFromParams(params);
  const given = Object.keys(params).filter((k) => params[k] !== undefined);
  const unknown = given.filter(
    (k) =>
      !(FILTER_PARAMS as readonly string[]).includes(k) && !(AROUND_PARAMS as readonly string[]).includes(k),
  );
  if (unknown.length > 0) {
    throw badInput(
      `Unknown parameter ${unknown.join(', ')}; a selection takes ${FILTER_PARAMS.join(', ')}, or around with depth, first, types, labels`,
      { unknown },
    );
  }
  const filters = given.filter((k) => (FILTER_PARAMS as readonly string[]).includes(k));
  const around = given.filter((k) => (AROUND_PARAMS as readonly string[]).includes(k));
  if (around.length > 0) {
    if (filters.length > 0)
      throw badInput('around selects a neighbourhood; it cannot be combined with deal filters', {
        filters,
      });
    const id = params.around;
    if (id === undefined || id === '')
      throw badInput('depth, first, types and labels need around=<id>', { field: 'around' });
    return {
      kind: 'around',
      id,
      depth: intParam(params, 'depth', 1) ?? 1,
      first: intParam(params, 'first', MAX_NODES) ?? MAX_NODES,
      types: list(params.types),
      labels: list(params.labels),
    };
  }
  if (filters.length === 0) return { kind: 'all' };
  return { kind: 'deals', filter: dealFilterFromText(params) };
}

const NETWORK_PARAMS: readonly string[] = [
  'network',
  ...TRANSFER_FILTER_FIELDS.map((f) => f.field),
  'deliveredFrom',
  'deliveredTo',
  'minTiv',
];

/**
 * `network=true` (+ the TransferFilter fields as comma lists, deliveredFrom, deliveredTo, minTiv):
 * Query.transferNetwork's supplier → recipient network.
 */
function networkFromParams(params: SelectionParams): Selection {
  const unknown = Object.keys(params).filter((k) => params[k] !== undefined && !NETWORK_PARAMS.includes(k));
  if (unknown.length > 0)
    throw badInput(`Unknown parameter ${unknown.join(', ')}; a network takes ${NETWORK_PARAMS.join(', ')}`, {
      unknown,
    });
  if (params.network !== 'true') throw badInput('network must be true', { field: 'network' });
  // Each field read from its text as the transfer tables' filter declares it (lists comma-separated).
  const filter = Object.fromEntries(
    TRANSFER_FILTER_FIELDS.map((f) => [f.field, valueFromText(f.field, f.value, f.list, params[f.field])]),
  ) as TransferFilter;
  const minTiv = params.minTiv === undefined || params.minTiv === '' ? 0 : Number(params.minTiv);
  if (!Number.isFinite(minTiv)) throw badInput('minTiv must be a number', { field: 'minTiv' });
  return {
    kind: 'network',
    args: {
      filter,
      deliveredFrom: intParam(params, 'deliveredFrom', null),
      deliveredTo: intParam(params, 'deliveredTo', null),
      minTiv,
    },
  };
}

/** Cypher value types of one key → the attribute type every value fits. */
function attrType(types: string[]): AttrKey['type'] {
  const base = types.map((t) => t.replace(/ NOT NULL$/, ''));
  if (base.length > 0 && base.every((t) => t === 'INTEGER')) return 'long';
  if (base.length > 0 && base.every((t) => t === 'INTEGER' || t === 'FLOAT')) return 'double';
  if (base.length > 0 && base.every((t) => t === 'BOOLEAN')) return 'boolean';
  return 'string';
}

/** The keys of every kind in the key pass rows `rows` (KEY_ROW), less `skip`, declared by name. */
function toKeys(rows: Plain[][], skip: Set<string>): AttrKey[] {
  const types = new Map<string, string[]>();
  for (const row of rows) {
    const name = String(row[KEY_ROW.key]);
    if (skip.has(name)) continue;
    const own = (row[KEY_ROW.types] as string[] | null) ?? [];
    types.set(name, [...(types.get(name) ?? []), ...own]);
  }
  return [...types.keys()].sort(byName).map((name) => ({ name, type: attrType(types.get(name) ?? []) }));
}

/**
 * What a node or edge pass asks its rows for, and the types to check their values against: the keys
 * the format declared (every kind's), or, for a format that declares none, each kind's own keys from
 * the key pass rows `rows` (unchecked types).
 */
function passKeys(
  of: 'node' | 'edge',
  declared: AttrKey[] | undefined,
  rows: Plain[][],
): [RowKeys, AttrKey['type'][] | null] {
  if (!declared) return [kindKeys(of, rows), null];
  return [
    declaredKeys(
      of,
      declared.map((k) => k.name),
    ),
    declared.map((k) => k.type),
  ];
}

/** The dates a deal's edge record carries (EDGE_RECORD dealTime: orderDate, orderYear, deliveryEndYear). */
function dealTimeInterval(t: Plain[]): Interval | undefined {
  return interval(t[0], t[1], t[2]);
}

/** A dated relationship's interval: since/until (memberships, participation), or its date. */
function edgeInterval(e: EdgeView): Interval | undefined {
  // A declaring format's row has `since` null (not undefined) on an edge without it when other edges of
  // the selection have one: that edge's date still counts.
  const since = valueOf(e, 'since');
  return interval(since ?? valueOf(e, 'date'), undefined, valueOf(e, 'until'));
}

function safeName(parts: (string | number | null | undefined)[]): string {
  return parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 120);
}

/** A filtered export's file name: the fields given, parties by the ids their names resolved to. */
function dealSelectionName(f: DealFilter, ids: Record<string, string>): string {
  const given = (v: unknown) => v !== undefined && v !== null;
  const range = (from: number | null | undefined, to: number | null | undefined) =>
    given(from) || given(to) ? `${from ?? ''}_${to ?? ''}` : null;
  return safeName([
    'deals',
    ids.buyerId && `buyer-${ids.buyerId}`,
    ids.sellerId && `seller-${ids.sellerId}`,
    ids.systemId && `system-${ids.systemId}`,
    f.status?.join('+'),
    f.category && checkCategory(f.category),
    range(f.orderedFrom, f.orderedTo),
    f.source && `source-${f.source}`,
    given(f.deliveredFrom) || given(f.deliveredTo)
      ? `delivered-${f.deliveredFrom ?? 0}_${f.deliveredTo ?? 9999}`
      : null,
    f.condition?.join('+'),
    given(f.localProduction) ? `local-${String(f.localProduction)}` : null,
  ]);
}

/**
 * Checks and resolves a selection (unknown names are NOT_FOUND, bad values BAD_USER_INPUT) before
 * anything is written, so an HTTP export can still answer with an error status.
 */
export async function prepareSelection(db: Database, selection: Selection): Promise<PreparedSelection> {
  let statements: SelectionStatements;
  let name: string;
  let truncatedBy: SubgraphCap[] = [];
  let total: PreparedSelection['total'];
  if (selection.kind === 'all') {
    statements = wholeGraphStatements();
    name = 'all';
  } else if (selection.kind === 'network') {
    // A network is bounded (MAX_NETWORK_EDGES): computed first, then streamed.
    const net = await transferNetwork(db, selection.args);
    statements = networkStatements(
      net.nodes.map((n) => n.id),
      net.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, ...e.properties })),
    );
    truncatedBy = net.truncatedBy;
    const { deliveredFrom: from, deliveredTo: to } = selection.args;
    name = safeName(['network', from != null || to != null ? `${from ?? ''}_${to ?? ''}` : null]);
  } else if (selection.kind === 'deals') {
    const prepared = await prepareDealSelection(db, selection.filter);
    statements = prepared.statements;
    name = dealSelectionName(selection.filter, prepared.ids);
  } else {
    // A neighbourhood is bounded (at most MAX_NODES nodes): computed first, then streamed by id.
    if (!Number.isInteger(selection.depth) || selection.depth < 1 || selection.depth > MAX_DEPTH)
      throw badInput(`depth must be an integer from 1 to ${MAX_DEPTH}`, { field: 'depth' });
    const sub = await neighborhood(db, selection);
    const start = (await resolveId(db, selection.id)) ?? selection.id;
    statements = neighborhoodStatements(
      sub.nodes.map((n) => n.id),
      sub.edges.map((e) => e.id),
    );
    truncatedBy = sub.truncatedBy;
    total = { nodes: sub.nodes.length, edges: sub.edges.length };
    name = safeName(['around', start, `depth-${selection.depth}`]);
  }
  return {
    kind: selection.kind,
    name,
    truncatedBy,
    ...(total ? { total } : {}),
    graph: (writer, after) => streamGraph(db, statements, writer, after),
    deals: async (columns, onDeal) => {
      columns(DEAL_COLUMN_NAMES);
      await db.streamRowsTx([statements.deals], EXPORT_TIMEOUT_MS, (_, row) => onDeal(row));
    },
  };
}

/** Whether a value may stand in an attribute declared as `type` (null: the row has no such value). */
function fits(type: AttrKey['type'], v: Plain | undefined): boolean {
  if (v === null || v === undefined || type === 'string') return true;
  if (type === 'boolean') return typeof v === 'boolean';
  if (type === 'double') return typeof v === 'number';
  // An integer beyond 2^53 arrives as its digits (src/db/mapper.ts).
  return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));
}

/**
 * A row holds, at `ownAt`, the number of its property keys (all but RowKeys.hidden), and from `at`
 * on the values of the `size` keys it was asked for: all must be present, and fit the declared types
 * when the format declared its keys (which the writers have already written). They disagree only when
 * a write committed while the export read (a key added: more keys than values present, also when it
 * made a kind the key passes did not see, which has no key list; a value type widened): the export
 * then stops rather than leave that property out or write a value its declared type cannot read.
 * Exporting again reads the new keys.
 */
function checkRow(
  row: Plain[],
  ownAt: number,
  at: number,
  size: number,
  types: AttrKey['type'][] | null,
): void {
  let present = 0;
  let ok = true;
  for (let i = 0; ok && i < size; i++) {
    const v = row[at + i];
    if (v === null || v === undefined) continue;
    present++;
    if (types) ok = fits(types[i] as AttrKey['type'], v);
  }
  if (!ok || present !== row[ownAt])
    throw new ArmsgraphError(
      ErrorCode.CONFLICT_RETRY,
      'the graph changed while it was being exported (a property key or value type the export had ' +
        'already declared differs); export it again',
    );
}

/**
 * The waits of the rows of one record as one (undefined: none): every wait is kept, since none may
 * reject unheard, and the stream resumes when all have settled.
 */
function joined(wait: Promise<void> | undefined, pending: void | Promise<void>): Promise<void> | undefined {
  if (!pending) return wait;
  return wait ? Promise.all([wait, pending]).then(() => undefined) : pending;
}

/**
 * Which passes a format needs: nodes, edges, and whether it declares its keys (GraphML, GEXF, CSV:
 * `schema`, rows carry every kind's keys) or not (JSON: each row carries its kind's keys).
 */
export interface GraphParts {
  schema: boolean;
  nodes: boolean;
  edges: boolean;
}

const NO_KEYS: readonly string[] = [];

async function streamGraph(
  db: Database,
  s: SelectionStatements,
  writer: GraphConsumer,
  after: (kind: 'node' | 'edge') => void | Promise<void>,
): Promise<void> {
  const { parts } = writer;
  let mark: string | null = null;
  let nodeKeyRows: Plain[][] = [];
  let edgeKeyRows: Plain[][] = [];
  let schema: GraphSchema | null = null;
  let started = false;
  const start = () => {
    started = true;
    if (parts.schema) {
      schema = {
        node: toKeys(nodeKeyRows, new Set(NOT_DECLARED_NODE_KEYS)),
        edge: toKeys(edgeKeyRows, new Set(NOT_DECLARED_EDGE_KEYS)),
      };
    }
    writer.start(schema);
  };
  const node: NodeView = { id: '', labels: [], name: '', keys: NO_KEYS, row: [], at: NODE_ROW.values };
  const edge: EdgeView = {
    id: '',
    type: '',
    source: '',
    target: '',
    time: undefined,
    keys: NO_KEYS,
    row: [],
    at: EDGE_ROW.values,
  };
  let nodeKeys: RowKeys = { lists: [], kinds: null, hidden: [] };
  let edgeKeys: RowKeys = nodeKeys;
  let edgeTime = false;
  /** The declared types of the node and edge values, to check every row against (checkRow). */
  let nodeTypes: AttrKey['type'][] | null = null;
  let edgeTypes: AttrKey['type'][] | null = null;
  // The statements are made as the transaction reaches them: the node and edge statements ask for the
  // keys the key passes found.
  type Pass = 'nodeKeys' | 'edgeKeys' | 'nodes' | 'edges';
  const passes: Pass[] = [];
  async function* statements(): AsyncGenerator<Statement> {
    // Key rows read since the graph last changed are taken from the cache (src/export/key-cache.ts).
    // The mark is taken once the export's transaction has begun, right before its first statement: a
    // write committed before it changes the mark, so its keys are read again. A write committed after
    // it, while the export reads, can reach the rows (Neo4j reads committed data, statement by
    // statement, with or without the cache): every row is checked against the keys asked for.
    mark = parts.nodes || parts.edges ? await db.stateMark() : null;
    const cachedNodeKeys = parts.nodes ? keyRowsCache.get(mark, s.nodeKeys) : undefined;
    const cachedEdgeKeys = parts.edges ? keyRowsCache.get(mark, s.edgeKeys) : undefined;
    nodeKeyRows = cachedNodeKeys ?? [];
    edgeKeyRows = cachedEdgeKeys ?? [];
    if (parts.nodes && !cachedNodeKeys) passes.push('nodeKeys');
    if (parts.edges && !cachedEdgeKeys) passes.push('edgeKeys');
    if (parts.nodes) passes.push('nodes');
    if (parts.edges) passes.push('edges');
    for (const pass of passes) {
      if (pass === 'nodeKeys' || pass === 'edgeKeys') {
        yield s[pass];
        continue;
      }
      if (!started) start();
      const declared = schema as GraphSchema | null;
      if (pass === 'nodes') {
        [nodeKeys, nodeTypes] = passKeys('node', declared?.node, nodeKeyRows);
        yield s.nodes(nodeKeys);
      } else {
        writer.edgesStart();
        [edgeKeys, edgeTypes] = passKeys('edge', declared?.edge, edgeKeyRows);
        edgeTime = writer.edgeTime;
        yield s.edges(edgeKeys, edgeTime);
      }
    }
  }
  /** One record of the pass `statement`: a few nodes, a source's edges, or a key row. */
  function onRecord(statement: number, row: Plain[]): Promise<void> | undefined {
    const pass = passes[statement];
    if (pass === 'nodes') {
      // A slice of the nodes (NODE_RECORD_MAX rows), each a NODE_ROW.
      let wait: Promise<void> | undefined;
      const { lists } = nodeKeys;
      for (let i = 0; i < row.length; i++) {
        const n = row[i] as Plain[];
        node.id = n[NODE_ROW.id] as string;
        node.labels = n[NODE_ROW.labels] as string[];
        const name = n[NODE_ROW.name];
        node.name = name === null ? node.id : String(name);
        // A kind without a list has no properties (the key passes list no key of it), or is new.
        const keys = lists[n[NODE_ROW.kind] as number] ?? NO_KEYS;
        checkRow(n, NODE_ROW.keys, NODE_ROW.values, keys.length, nodeTypes);
        node.keys = keys;
        node.row = n;
        writer.node(node);
        wait = joined(wait, after('node'));
      }
      return wait;
    }
    if (pass === 'edges') {
      // One source's edges: its id and its deal's interval are shared by all of them.
      edge.source = row[EDGE_RECORD.source] as string;
      const dealTime = row[EDGE_RECORD.dealTime];
      const sourceTime = edgeTime && dealTime ? dealTimeInterval(dealTime as Plain[]) : undefined;
      const edges = row[EDGE_RECORD.edges] as Plain[][];
      const { lists } = edgeKeys;
      let wait: Promise<void> | undefined;
      for (let i = 0; i < edges.length; i++) {
        const e = edges[i] as Plain[];
        edge.id = e[EDGE_ROW.id] as string;
        edge.type = e[EDGE_ROW.type] as string;
        edge.target = e[EDGE_ROW.target] as string;
        const keys = lists[e[EDGE_ROW.kind] as number] ?? NO_KEYS;
        checkRow(e, EDGE_ROW.keys, EDGE_ROW.values, keys.length, edgeTypes);
        edge.keys = keys;
        edge.row = e;
        if (edgeTime) edge.time = dealTime ? sourceTime : edgeInterval(edge);
        writer.edge(edge);
        wait = joined(wait, after('edge'));
      }
      return wait;
    }
    (pass === 'nodeKeys' ? nodeKeyRows : edgeKeyRows).push(row);
    return undefined;
  }
  const endMark = await db.streamRowsTx(statements(), EXPORT_TIMEOUT_MS, onRecord, EXPORT_FETCH_RECORDS);
  // Nothing was committed between the mark and the end of the transaction: the keys read are those of
  // that state.
  if (endMark === mark) {
    if (passes.includes('nodeKeys')) keyRowsCache.set(mark, s.nodeKeys, nodeKeyRows);
    if (passes.includes('edgeKeys')) keyRowsCache.set(mark, s.edgeKeys, edgeKeyRows);
  }
  // An empty pass list (no nodes, no edges asked) still starts and ends the document.
  if (!started) start();
  if (!parts.edges) writer.edgesStart();
}
