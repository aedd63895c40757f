import type { Plain } from '../db/mapper';
import type { GraphNode } from '../db/subgraph-queries';
import { csvRow, plainText, xmlAttr, xmlText } from './escape';
import {
  dealInterval,
  type AttrKey,
  type ExportEdge,
  type GraphParts,
  type GraphSchema,
  type Interval,
} from './selection';

/**
 * The export formats. Each graph writer is fed the schema (when it asked for one), every node, then
 * every edge, and writes text as it goes: nothing is held but the declared keys.
 */
export const EXPORT_FORMATS = [
  'cytoscape',
  'node-link',
  'graphml',
  'gexf',
  'nodes.csv',
  'edges.csv',
  'deals.csv',
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface FormatInfo {
  contentType: string;
  /** File name ending, after `armsgraph-<selection>`. */
  extension: string;
}

export const FORMAT_INFO: Record<ExportFormat, FormatInfo> = {
  cytoscape: { contentType: 'application/json; charset=utf-8', extension: 'cytoscape.json' },
  'node-link': { contentType: 'application/json; charset=utf-8', extension: 'node-link.json' },
  graphml: { contentType: 'application/graphml+xml; charset=utf-8', extension: 'graphml' },
  gexf: { contentType: 'application/gexf+xml; charset=utf-8', extension: 'gexf' },
  'nodes.csv': { contentType: 'text/csv; charset=utf-8; header=present', extension: 'nodes.csv' },
  'edges.csv': { contentType: 'text/csv; charset=utf-8; header=present', extension: 'edges.csv' },
  'deals.csv': { contentType: 'text/csv; charset=utf-8; header=present', extension: 'deals.csv' },
};

export interface ExportMeta {
  /** The selection's name (`all`, `around-TUR-depth-2`, ...). */
  selection: string;
  generated: string;
}

export interface GraphWriter {
  parts: GraphParts;
  start(schema: GraphSchema | null): void;
  node(n: GraphNode): void;
  /** Called once, between the last node and the first edge (also when there are no edges). */
  edgesStart(): void;
  edge(e: ExportEdge): void;
  end(): void;
}

type Out = (text: string) => void;

const ALL_PARTS: GraphParts = { schema: false, nodes: true, edges: true };

/** A node's label list without the `:Entity` marker, and its main kind. */
const kindOf = (n: GraphNode) => n.labels[0] ?? '';

/** JSON members of a node for the JSON formats: its properties, then the fields that must win. */
function nodeData(n: GraphNode): Record<string, Plain> {
  return { ...n.properties, id: n.id, label: n.name, labels: n.labels };
}

/** JSON members of an edge: its properties, the fields a format names (they win), then its time span. */
function edgeData(e: ExportEdge, fields: Record<string, Plain>): Record<string, Plain> {
  const data: Record<string, Plain> = { ...e.properties, ...fields };
  if (e.time?.start) data.start = e.time.start;
  if (e.time?.end) data.end = e.time.end;
  return data;
}

/** Writes `,\n` before every item of a JSON list but its first; `reset` starts the next list. */
function listSeparator(out: Out): { sep: () => void; reset: () => void } {
  let first = true;
  return {
    sep: () => {
      if (first) first = false;
      else out(',\n');
    },
    reset: () => {
      first = true;
    },
  };
}

/** Cytoscape.js elements JSON, in the shape of Cytoscape desktop's .cyjs (both read `elements`). */
function cytoscapeWriter(out: Out, meta: ExportMeta): GraphWriter {
  const { sep, reset } = listSeparator(out);
  return {
    parts: ALL_PARTS,
    start() {
      out(
        `{"format_version":"1.0","generated_by":"armsgraph","target_cytoscapejs_version":"~3",` +
          `"data":${JSON.stringify({ name: `armsgraph ${meta.selection}`, selection: meta.selection, generated: meta.generated })},\n` +
          `"elements":{"nodes":[\n`,
      );
    },
    node(n) {
      sep();
      out(JSON.stringify({ data: nodeData(n), classes: n.labels.join(' ') }));
    },
    edgesStart() {
      out('\n],"edges":[\n');
      reset();
    },
    edge(e) {
      sep();
      const data = edgeData(e, { id: e.id, source: e.source, target: e.target, label: e.type, type: e.type });
      out(JSON.stringify({ data, classes: e.type }));
    },
    end() {
      out('\n]}}\n');
    },
  };
}

/**
 * Node-link JSON as D3 and NetworkX's node_link_graph read it: `directed`, `multigraph`, `nodes` with
 * `id`, `links` with `source`, `target` and `key` (the edge id, which keeps parallel edges apart).
 */
function nodeLinkWriter(out: Out, meta: ExportMeta): GraphWriter {
  const { sep, reset } = listSeparator(out);
  return {
    parts: ALL_PARTS,
    start() {
      out(
        `{"directed":true,"multigraph":true,` +
          `"graph":${JSON.stringify({ name: 'armsgraph', selection: meta.selection, generated: meta.generated })},\n"nodes":[\n`,
      );
    },
    node(n) {
      sep();
      out(JSON.stringify(nodeData(n)));
    },
    edgesStart() {
      out('\n],"links":[\n');
      reset();
    },
    edge(e) {
      sep();
      out(
        JSON.stringify(
          edgeData(e, { source: e.source, target: e.target, key: e.id, id: e.id, type: e.type }),
        ),
      );
    },
    end() {
      out('\n]}\n');
    },
  };
}

/** A typed value as text for GraphML / GEXF, or null to leave it out. */
function typedText(value: Plain | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value) && value.length === 0) return null;
  return plainText(value);
}

interface Declared {
  id: string;
  key: AttrKey;
}

/** Attribute keys the writers add themselves, ahead of the properties. */
const NODE_BUILTIN: AttrKey[] = [
  { name: 'label', type: 'string' },
  { name: 'labels', type: 'string' },
];
const EDGE_BUILTIN: AttrKey[] = [{ name: 'type', type: 'string' }];

function declare(prefix: string, builtin: AttrKey[], keys: AttrKey[]): Declared[] {
  const names = new Set(builtin.map((k) => k.name));
  return [...builtin, ...keys.filter((k) => !names.has(k.name))].map((key, i) => ({
    id: `${prefix}${i}`,
    key,
  }));
}

/** GraphML (yEd, Gephi, NetworkX, graphology): declared keys with standard types, directed, edge ids. */
function graphmlWriter(out: Out, meta: ExportMeta): GraphWriter {
  let nodeKeys: Declared[] = [];
  let edgeKeys: Declared[] = [];
  const data = (keys: Declared[], values: Record<string, Plain | undefined>) => {
    let s = '';
    for (const { id, key } of keys) {
      const text = typedText(values[key.name]);
      if (text !== null) s += `<data key="${id}">${xmlText(text)}</data>`;
    }
    return s;
  };
  return {
    parts: { schema: true, nodes: true, edges: true },
    start(schema) {
      nodeKeys = declare('d', NODE_BUILTIN, schema?.node ?? []);
      edgeKeys = declare('e', EDGE_BUILTIN, schema?.edge ?? []);
      out(
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
          '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" ' +
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
          'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n' +
          `<!-- armsgraph export: ${xmlText(meta.selection).replace(/--/g, '- -')}, ${meta.generated} -->\n`,
      );
      for (const [what, keys] of [
        ['node', nodeKeys],
        ['edge', edgeKeys],
      ] as const) {
        for (const { id, key } of keys) {
          out(`<key id="${id}" for="${what}" attr.name="${xmlAttr(key.name)}" attr.type="${key.type}"/>\n`);
        }
      }
      out(`<graph id="armsgraph" edgedefault="directed">\n`);
    },
    node(n) {
      out(
        `<node id="${xmlAttr(n.id)}">${data(nodeKeys, { ...n.properties, label: n.name, labels: n.labels })}</node>\n`,
      );
    },
    edgesStart() {},
    edge(e) {
      out(
        `<edge id="${xmlAttr(e.id)}" source="${xmlAttr(e.source)}" target="${xmlAttr(e.target)}">` +
          `${data(edgeKeys, { ...e.properties, type: e.type })}</edge>\n`,
      );
    },
    end() {
      out('</graph>\n</graphml>\n');
    },
  };
}

const spells = (t: Interval | undefined) =>
  t
    ? `<spells><spell${t.start ? ` start="${t.start}"` : ''}${t.end ? ` end="${t.end}"` : ''}/></spells>`
    : '';

/**
 * GEXF 1.3 (Gephi, graphology, NetworkX ≥ 3): declared attributes, directed edges with ids and `kind`
 * (the relation type, which GEXF 1.3 uses to keep parallel edges apart), and, when the selection has
 * dated facts, a dynamic graph: a deal and its edges live from the order to the last delivery,
 * memberships and other dated relations from `since` to `until`.
 */
function gexfWriter(out: Out, meta: ExportMeta): GraphWriter {
  let nodeKeys: Declared[] = [];
  let edgeKeys: Declared[] = [];
  let dynamic = false;
  const attvalues = (keys: Declared[], values: Record<string, Plain | undefined>) => {
    let s = '';
    for (const { id, key } of keys) {
      const text = typedText(values[key.name]);
      if (text !== null) s += `<attvalue for="${id}" value="${xmlAttr(text)}"/>`;
    }
    return s ? `<attvalues>${s}</attvalues>` : '';
  };
  return {
    parts: { schema: true, nodes: true, edges: true },
    start(schema) {
      const nodeProps = schema?.node ?? [];
      const edgeProps = schema?.edge ?? [];
      const has = (keys: AttrKey[], ...names: string[]) => keys.some((k) => names.includes(k.name));
      dynamic = has(nodeProps, 'orderYear', 'orderDate') || has(edgeProps, 'since', 'until', 'date');
      // The label is GEXF's own node attribute; the properties are declared attributes.
      nodeKeys = declare('n', [{ name: 'labels', type: 'string' }], nodeProps);
      edgeKeys = declare('e', EDGE_BUILTIN, edgeProps);
      out(
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
          '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
          'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n' +
          `<meta lastmodifieddate="${meta.generated.slice(0, 10)}"><creator>armsgraph</creator>` +
          `<description>${xmlText(`armsgraph export: ${meta.selection}`)}</description></meta>\n` +
          `<graph defaultedgetype="directed" ${
            dynamic ? 'mode="dynamic" timeformat="date" timerepresentation="interval"' : 'mode="static"'
          }>\n`,
      );
      for (const [what, keys] of [
        ['node', nodeKeys],
        ['edge', edgeKeys],
      ] as const) {
        out(`<attributes class="${what}" mode="static">\n`);
        for (const { id, key } of keys) {
          out(`<attribute id="${id}" title="${xmlAttr(key.name)}" type="${key.type}"/>\n`);
        }
        out('</attributes>\n');
      }
      out('<nodes>\n');
    },
    node(n) {
      const time = dynamic && kindOf(n) === 'Deal' ? dealInterval(n.properties) : undefined;
      out(
        `<node id="${xmlAttr(n.id)}" label="${xmlAttr(n.name)}">` +
          `${attvalues(nodeKeys, { ...n.properties, labels: n.labels })}${spells(time)}</node>\n`,
      );
    },
    edgesStart() {
      out('</nodes>\n<edges>\n');
    },
    edge(e) {
      out(
        `<edge id="${xmlAttr(e.id)}" source="${xmlAttr(e.source)}" target="${xmlAttr(e.target)}" ` +
          `label="${xmlAttr(e.type)}" kind="${xmlAttr(e.type)}">` +
          `${attvalues(edgeKeys, { ...e.properties, type: e.type })}${spells(dynamic ? e.time : undefined)}</edge>\n`,
      );
    },
    end() {
      out('</edges>\n</graph>\n</gexf>\n');
    },
  };
}

/** Gephi's spreadsheet import: nodes.csv with Id and Label first, then one column per property. */
function nodesCsvWriter(out: Out): GraphWriter {
  let keys: AttrKey[] = [];
  return {
    parts: { schema: true, nodes: true, edges: false },
    start(schema) {
      keys = (schema?.node ?? []).filter((k) => k.name !== 'name');
      out(csvRow(['Id', 'Label', 'Labels', ...keys.map((k) => k.name)]));
    },
    node(n) {
      out(csvRow([n.id, n.name, n.labels, ...keys.map((k) => n.properties[k.name] ?? null)]));
    },
    edgesStart() {},
    edge() {},
    end() {},
  };
}

/** Gephi's spreadsheet import: edges.csv with Source, Target, Type (Directed), Id, Label (relation). */
function edgesCsvWriter(out: Out): GraphWriter {
  let keys: AttrKey[] = [];
  return {
    parts: { schema: true, nodes: false, edges: true },
    start(schema) {
      keys = schema?.edge ?? [];
      out(csvRow(['Source', 'Target', 'Type', 'Id', 'Label', ...keys.map((k) => k.name)]));
    },
    node() {},
    edgesStart() {},
    edge(e) {
      out(
        csvRow([
          e.source,
          e.target,
          'Directed',
          e.id,
          e.type,
          ...keys.map((k) => e.properties[k.name] ?? null),
        ]),
      );
    },
    end() {},
  };
}

export function graphWriter(
  format: Exclude<ExportFormat, 'deals.csv'>,
  out: Out,
  meta: ExportMeta,
): GraphWriter {
  switch (format) {
    case 'cytoscape':
      return cytoscapeWriter(out, meta);
    case 'node-link':
      return nodeLinkWriter(out, meta);
    case 'graphml':
      return graphmlWriter(out, meta);
    case 'gexf':
      return gexfWriter(out, meta);
    case 'nodes.csv':
      return nodesCsvWriter(out);
    case 'edges.csv':
      return edgesCsvWriter(out);
  }
}

/** deals.csv: one row per deal, for spreadsheets. Money and TIV stay in separate columns. */
export const DEALS_CSV_COLUMNS: [string, (d: Record<string, Plain>) => Plain][] = [
  ['deal_id', (d) => d.id ?? null],
  ['deal', (d) => d.name ?? null],
  ['buyer_id', (d) => party(d.buyer, 'id')],
  ['buyer', (d) => party(d.buyer, 'name')],
  ['seller_id', (d) => party(d.seller, 'id')],
  ['seller', (d) => party(d.seller, 'name')],
  ['system_id', (d) => party(d.system, 'id')],
  ['system', (d) => party(d.system, 'name')],
  ['category', (d) => d.category ?? null],
  ['status', (d) => d.status ?? null],
  ['order_year', (d) => d.orderYear ?? null],
  ['order_year_estimated', (d) => d.orderYearEstimated ?? null],
  ['order_date', (d) => d.orderDate ?? null],
  ['delivery_start_year', (d) => d.deliveryStartYear ?? null],
  ['delivery_end_year', (d) => d.deliveryEndYear ?? null],
  ['quantity', (d) => d.quantity ?? null],
  ['quantity_estimated', (d) => d.quantityEstimated ?? null],
  ['quantity_description', (d) => d.quantityDescription ?? null],
  ['delivered', (d) => d.delivered ?? null],
  ['delivered_estimated', (d) => d.deliveredEstimated ?? null],
  ['value_amount', (d) => d.valueAmount ?? null],
  ['value_currency', (d) => d.valueCurrency ?? null],
  ['tiv_unit', (d) => d.tivUnit ?? null],
  ['tiv_total', (d) => d.tivTotal ?? null],
  ['sipri_id', (d) => d.sipriId ?? null],
  ['sources', (d) => d.sourceIds ?? null],
  ['description', (d) => d.description ?? null],
];

function party(value: Plain | undefined, field: 'id' | 'name'): Plain {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return null;
  return value[field] ?? null;
}

export const dealsCsvHeader = () => csvRow(DEALS_CSV_COLUMNS.map(([name]) => name));
export const dealsCsvRow = (d: Record<string, Plain>) => csvRow(DEALS_CSV_COLUMNS.map(([, get]) => get(d)));
