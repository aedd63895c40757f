import type { Database, Row, Statement } from '../db/database';
import { resolveDealFilter, type DealFilter, type DealStatus } from '../db/deal-queries';
import {
  dealSelectionStatements,
  neighborhoodStatements,
  wholeGraphStatements,
  type SelectionStatements,
} from '../db/export-queries';
import { resolveId } from '../db/entities';
import type { Plain } from '../db/mapper';
import {
  MAX_DEPTH,
  MAX_NODES,
  neighborhood,
  toGraphEdge,
  toGraphNode,
  type GraphEdge,
  type GraphNode,
  type SubgraphCap,
} from '../db/subgraph-queries';
import { badInput } from '../errors';

/**
 * What an export writes: the whole graph, the deals a filter selects (Query.deals' filter) with their
 * parties, systems and the relations among them, or the neighbourhood of one entity. Shared by
 * GET /export/:format and `armsgraph export`.
 */
export type Selection =
  | { kind: 'all' }
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

/** A time interval (ISO dates, either end open): a deal from its order to its last delivery. */
export interface Interval {
  start?: string;
  end?: string;
}

export interface ExportEdge extends GraphEdge {
  /** The interval of the fact, when it has dates (deal edges: their deal's). */
  time?: Interval;
}

export type GraphItem =
  | { kind: 'schema'; schema: GraphSchema }
  | { kind: 'node'; node: GraphNode }
  | { kind: 'edge'; edge: ExportEdge };

export interface DealRow {
  [key: string]: Plain;
}

export interface PreparedSelection {
  /** A short name for file names: `all`, `deals-buyer-TUR-2010-2020`, `around-TUR-depth-2`. */
  name: string;
  /** Caps that cut a neighbourhood (empty for the other selections, which are never cut). */
  truncatedBy: SubgraphCap[];
  /** The schema (when asked), then the nodes, then the edges (those asked), read in one transaction. */
  graph(parts: GraphParts): AsyncGenerator<GraphItem>;
  /** The selection's deals as flat rows (deals.csv). */
  deals(): AsyncGenerator<DealRow>;
}

/** Exports run longer than API requests: one read transaction may stream a whole graph. */
export const EXPORT_TIMEOUT_MS = 30 * 60_000;

const DEAL_STATUSES: readonly DealStatus[] = ['OFFERED', 'PENDING', 'DELIVERING', 'COMPLETED', 'CANCELLED'];
const FILTER_PARAMS = [
  'buyer',
  'seller',
  'system',
  'status',
  'category',
  'orderedFrom',
  'orderedTo',
  'source',
] as const;
const AROUND_PARAMS = ['around', 'depth', 'first', 'types', 'labels'] as const;

export type SelectionParams = Record<string, string | undefined>;

function intParam(params: SelectionParams, name: string, fallback: number | null): number | null {
  const text = params[name];
  if (text === undefined || text === '') return fallback;
  if (!/^-?\d+$/.test(text)) throw badInput(`${name} must be an integer`, { field: name, value: text });
  return Number(text);
}

const list = (text: string | undefined): string[] | null =>
  text === undefined || text.trim() === ''
    ? null
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/**
 * Reads a selection from flat parameters (HTTP query or CLI options): `around` (+ depth, first,
 * types, labels) for a neighbourhood, any deal filter for a filtered set, nothing for the whole graph.
 * Lists (status, types, labels) are comma-separated. Unknown or mixed parameters are refused.
 */
export function selectionFromParams(params: SelectionParams): Selection {
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
  const status = list(params.status);
  const badStatus = (status ?? []).filter((s) => !(DEAL_STATUSES as readonly string[]).includes(s));
  if (badStatus.length > 0)
    throw badInput(`Unknown status ${badStatus.join(', ')}; known: ${DEAL_STATUSES.join(', ')}`, {
      field: 'status',
    });
  return {
    kind: 'deals',
    filter: {
      buyer: params.buyer ?? null,
      seller: params.seller ?? null,
      system: params.system ?? null,
      status: status as DealStatus[] | null,
      category: params.category ?? null,
      orderedFrom: intParam(params, 'orderedFrom', null),
      orderedTo: intParam(params, 'orderedTo', null),
      source: params.source ?? null,
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

/** Lookup-only node properties, never exported (as in the API). */
const INTERNAL_KEYS = new Set(['nameKeys', 'nameKeysText', 'searchText']);

function toKeys(rows: Row[], skip: Set<string>): AttrKey[] {
  return rows
    .map((r) => ({ name: String(r.k), type: attrType((r.types as string[]) ?? []) }))
    .filter((k) => !skip.has(k.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `1952`, `1952-02-18`, `2019-07-17T...` → an ISO date; anything else → undefined. */
export function isoDate(value: Plain | undefined, end = false): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return `${value}-${end ? '12-31' : '01-01'}`;
  if (typeof value !== 'string') return undefined;
  if (/^\d{4}$/.test(value)) return `${value}-${end ? '12-31' : '01-01'}`;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m?.[1];
}

/** A deal's interval: from its order (date, else year) to the end of its last delivery year. */
export function dealInterval(p: { [key: string]: Plain } | null | undefined): Interval | undefined {
  if (!p) return undefined;
  const start = isoDate(p.orderDate) ?? isoDate(p.orderYear);
  let end = isoDate(p.deliveryEndYear, true);
  if (start && end && end < start) end = undefined;
  if (!start && !end) return undefined;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** A dated relationship's interval: since/until (memberships, participation), or its date. */
function edgeInterval(p: { [key: string]: Plain }): Interval | undefined {
  const start = isoDate(p.since) ?? isoDate(p.date);
  let end = isoDate(p.until, true);
  if (start && end && end < start) end = undefined;
  if (!start && !end) return undefined;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

function safeName(parts: (string | number | null | undefined)[]): string {
  return parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 120);
}

/**
 * Checks and resolves a selection (unknown names are NOT_FOUND, bad values BAD_USER_INPUT) before
 * anything is written, so an HTTP export can still answer with an error status.
 */
export async function prepareSelection(db: Database, selection: Selection): Promise<PreparedSelection> {
  let statements: SelectionStatements;
  let name: string;
  let truncatedBy: SubgraphCap[] = [];
  if (selection.kind === 'all') {
    statements = wholeGraphStatements();
    name = 'all';
  } else if (selection.kind === 'deals') {
    const f = await resolveDealFilter(db, selection.filter);
    statements = dealSelectionStatements(f);
    name = safeName([
      'deals',
      f.buyer && `buyer-${f.buyer}`,
      f.seller && `seller-${f.seller}`,
      f.system && `system-${f.system}`,
      f.status?.join('+'),
      f.category,
      f.orderedFrom !== null || f.orderedTo !== null ? `${f.orderedFrom ?? ''}_${f.orderedTo ?? ''}` : null,
      f.source && `source-${f.source}`,
    ]);
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
    name = safeName(['around', start, `depth-${selection.depth}`]);
  }
  return {
    name,
    truncatedBy,
    graph: (parts) => streamGraph(db, statements, parts),
    deals: () => streamDeals(db, statements.deals),
  };
}

/** Which passes a format needs: its declared keys (GraphML, GEXF, CSV), nodes, edges. */
export interface GraphParts {
  schema: boolean;
  nodes: boolean;
  edges: boolean;
}

async function* streamGraph(
  db: Database,
  s: SelectionStatements,
  parts: GraphParts,
): AsyncGenerator<GraphItem> {
  const tagged: [string, Statement][] = [];
  if (parts.schema && parts.nodes) tagged.push(['nodeKeys', s.nodeKeys]);
  if (parts.schema && parts.edges) tagged.push(['edgeKeys', s.edgeKeys]);
  if (parts.nodes) tagged.push(['nodes', s.nodes]);
  if (parts.edges) tagged.push(['edges', s.edges]);
  const nodeKeyRows: Row[] = [];
  const edgeKeyRows: Row[] = [];
  let schemaSent = !parts.schema;
  const schema = (): GraphItem => ({
    kind: 'schema',
    schema: {
      node: toKeys(nodeKeyRows, new Set([...INTERNAL_KEYS, 'id'])),
      // An edge's `key` is its id (declared as such); an attribute named key also breaks NetworkX's GEXF reader.
      edge: toKeys(edgeKeyRows, new Set(['key'])),
    },
  });
  for await (const [i, row] of db.streamTx(
    tagged.map(([, st]) => st),
    EXPORT_TIMEOUT_MS,
  )) {
    const which = tagged[i]?.[0];
    if (which === 'nodeKeys') nodeKeyRows.push(row);
    else if (which === 'edgeKeys') edgeKeyRows.push(row);
    else {
      if (!schemaSent) {
        schemaSent = true;
        yield schema();
      }
      if (which === 'nodes') yield { kind: 'node', node: toGraphNode(row.n ?? null) };
      else {
        const edge: ExportEdge = toGraphEdge(row.e ?? null);
        const time = row.t ? dealInterval(row.t as { [key: string]: Plain }) : edgeInterval(edge.properties);
        if (time) edge.time = time;
        yield { kind: 'edge', edge };
      }
    }
  }
  // An empty selection still declares its schema.
  if (!schemaSent) yield schema();
}

async function* streamDeals(db: Database, statement: Statement): AsyncGenerator<DealRow> {
  for await (const [, row] of db.streamTx([statement], EXPORT_TIMEOUT_MS)) {
    yield row.d as DealRow;
  }
}
