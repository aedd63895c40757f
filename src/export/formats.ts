import { DEAL_COLUMNS } from '../db/export-queries';
import type { Plain } from '../db/mapper';
import { csvRow, UTF8_BOM } from './csv';
import { plainText, xmlAttr, xmlText } from './escape';
import {
  dealInterval,
  type AttrKey,
  type EdgeView,
  type GraphConsumer,
  type GraphParts,
  type Interval,
  type NodeView,
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

export interface GraphWriter extends GraphConsumer {
  end(): void;
}

type Out = (text: string) => void;

const ALL_PARTS: GraphParts = { schema: false, nodes: true, edges: true };

/** Property names as JSON member names (`"name":`), made once each: a graph has few distinct names. */
const jsonNames = new Map<string, string>();
function jsonName(name: string): string {
  let member = jsonNames.get(name);
  if (member === undefined) {
    member = `${JSON.stringify(name)}:`;
    if (jsonNames.size < 10_000) jsonNames.set(name, member);
  }
  return member;
}

/**
 * The JSON members of a node or edge's properties, each followed by a comma, less the names in `skip`
 * (the fields a format writes itself, which win), with `sourceIds` [] when it has none.
 */
function jsonProperties(v: NodeView | EdgeView, skip: (name: string) => boolean): string {
  let s = '';
  let sources = false;
  const { keys, row, at } = v;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i] as string;
    if (skip(name)) continue;
    if (name === 'sourceIds') sources = true;
    s += jsonName(name) + JSON.stringify(row[at + i]) + ',';
  }
  return sources ? s : s + '"sourceIds":[],';
}

const NODE_FIELDS = (name: string) => name === 'id' || name === 'label' || name === 'labels';

/** JSON object of a node for the JSON formats: its properties, then the fields that must win. */
function nodeJson(n: NodeView): string {
  return (
    `{${jsonProperties(n, NODE_FIELDS)}"id":${JSON.stringify(n.id)},` +
    `"label":${JSON.stringify(n.name)},"labels":${JSON.stringify(n.labels)}}`
  );
}

/**
 * JSON object of an edge: its properties, the fields a format names (`fields`, rendered, each
 * followed by a comma; `named` tells their names apart), then its time span.
 */
function edgeJson(e: EdgeView, named: (name: string) => boolean, fields: string): string {
  const t = e.time;
  const skip = t
    ? (name: string) => named(name) || (name === 'start' && !!t.start) || (name === 'end' && !!t.end)
    : named;
  let s = `{${jsonProperties(e, skip)}${fields}`;
  if (t?.start) s += `,"start":"${t.start}"`;
  if (t?.end) s += `,"end":"${t.end}"`;
  return s + '}';
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

const CYTOSCAPE_EDGE_FIELDS = (name: string) =>
  name === 'id' || name === 'source' || name === 'target' || name === 'label' || name === 'type';

/** Cytoscape.js elements JSON, in the shape of Cytoscape desktop's .cyjs (both read `elements`). */
function cytoscapeWriter(out: Out, meta: ExportMeta): GraphWriter {
  const { sep, reset } = listSeparator(out);
  return {
    parts: ALL_PARTS,
    edgeTime: true,
    start() {
      out(
        `{"format_version":"1.0","generated_by":"armsgraph","target_cytoscapejs_version":"~3",` +
          `"data":${JSON.stringify({ name: `armsgraph ${meta.selection}`, selection: meta.selection, generated: meta.generated })},\n` +
          `"elements":{"nodes":[\n`,
      );
    },
    node(n) {
      sep();
      out(`{"data":${nodeJson(n)},"classes":${JSON.stringify(n.labels.join(' '))}}`);
    },
    edgesStart() {
      out('\n],"edges":[\n');
      reset();
    },
    edge(e) {
      sep();
      const id = JSON.stringify(e.id);
      const type = JSON.stringify(e.type);
      const fields =
        `"id":${id},"source":${JSON.stringify(e.source)},"target":${JSON.stringify(e.target)},` +
        `"label":${type},"type":${type}`;
      out(`{"data":${edgeJson(e, CYTOSCAPE_EDGE_FIELDS, fields)},"classes":${type}}`);
    },
    end() {
      out('\n]}}\n');
    },
  };
}

const NODE_LINK_EDGE_FIELDS = (name: string) =>
  name === 'source' || name === 'target' || name === 'key' || name === 'id' || name === 'type';

/**
 * Node-link JSON as D3 and NetworkX's node_link_graph read it: `directed`, `multigraph`, `nodes` with
 * `id`, `links` with `source`, `target` and `key` (the edge id, which keeps parallel edges apart).
 */
function nodeLinkWriter(out: Out, meta: ExportMeta): GraphWriter {
  const { sep, reset } = listSeparator(out);
  return {
    parts: ALL_PARTS,
    edgeTime: true,
    start() {
      out(
        `{"directed":true,"multigraph":true,` +
          `"graph":${JSON.stringify({ name: 'armsgraph', selection: meta.selection, generated: meta.generated })},\n"nodes":[\n`,
      );
    },
    node(n) {
      sep();
      out(nodeJson(n));
    },
    edgesStart() {
      out('\n],"links":[\n');
      reset();
    },
    edge(e) {
      sep();
      const id = JSON.stringify(e.id);
      const fields =
        `"source":${JSON.stringify(e.source)},"target":${JSON.stringify(e.target)},` +
        `"key":${id},"id":${id},"type":${JSON.stringify(e.type)}`;
      out(edgeJson(e, NODE_LINK_EDGE_FIELDS, fields));
    },
    end() {
      out('\n]}\n');
    },
  };
}

/** A typed value as text for GraphML / GEXF, or null to leave it out. */
function typedText(value: Plain | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 0) return null;
  return plainText(value);
}

/**
 * A declared attribute and where a row holds its value: `from` ≥ 0 is the position among the
 * declared property values, a negative `from` one of the fields the writer adds itself.
 */
interface Declared {
  id: string;
  key: AttrKey;
  from: number;
}

const LABEL = -1;
const LABELS = -2;
const TYPE = -3;

/** Attribute keys the writers add themselves, ahead of the properties. */
const NODE_BUILTIN: [AttrKey, number][] = [
  [{ name: 'label', type: 'string' }, LABEL],
  [{ name: 'labels', type: 'string' }, LABELS],
];
const EDGE_BUILTIN: [AttrKey, number][] = [[{ name: 'type', type: 'string' }, TYPE]];

function declare(prefix: string, builtin: [AttrKey, number][], keys: AttrKey[]): Declared[] {
  const names = new Set(builtin.map(([k]) => k.name));
  const own: [AttrKey, number][] = [];
  keys.forEach((k, i) => {
    if (!names.has(k.name)) own.push([k, i]);
  });
  return [...builtin, ...own].map(([key, from], i) => ({ id: `${prefix}${i}`, key, from }));
}

/** The value of a declared attribute for a node or edge. */
function declaredValue(d: Declared, v: NodeView | EdgeView): Plain | undefined {
  if (d.from >= 0) return v.row[v.at + d.from];
  if (d.from === LABEL) return (v as NodeView).name;
  if (d.from === LABELS) return (v as NodeView).labels;
  return (v as EdgeView).type;
}

/** The text of every declared attribute a node or edge has, each as `open` + escaped text + `close`. */
function declaredText(
  keys: Declared[],
  opens: string[],
  close: string,
  escape: (text: string) => string,
  v: NodeView | EdgeView,
): string {
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const text = typedText(declaredValue(keys[i] as Declared, v));
    if (text !== null) s += (opens[i] as string) + escape(text) + close;
  }
  return s;
}

/** GraphML (yEd, Gephi, NetworkX, graphology): declared keys with standard types, directed, edge ids. */
function graphmlWriter(out: Out, meta: ExportMeta): GraphWriter {
  let nodeKeys: Declared[] = [];
  let edgeKeys: Declared[] = [];
  let nodeOpens: string[] = [];
  let edgeOpens: string[] = [];
  return {
    parts: { schema: true, nodes: true, edges: true },
    edgeTime: false,
    start(schema) {
      nodeKeys = declare('d', NODE_BUILTIN, schema?.node ?? []);
      edgeKeys = declare('e', EDGE_BUILTIN, schema?.edge ?? []);
      nodeOpens = nodeKeys.map(({ id }) => `<data key="${id}">`);
      edgeOpens = edgeKeys.map(({ id }) => `<data key="${id}">`);
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
      out(`<node id="${xmlAttr(n.id)}">${declaredText(nodeKeys, nodeOpens, '</data>', xmlText, n)}</node>\n`);
    },
    edgesStart() {},
    edge(e) {
      out(
        `<edge id="${xmlAttr(e.id)}" source="${xmlAttr(e.source)}" target="${xmlAttr(e.target)}">` +
          `${declaredText(edgeKeys, edgeOpens, '</data>', xmlText, e)}</edge>\n`,
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
  let nodeOpens: string[] = [];
  let edgeOpens: string[] = [];
  let dynamic = false;
  /** Positions of a deal's dates among the node values (-1: not declared). */
  let dealDates: [number, number, number] = [-1, -1, -1];
  /** Position of a numeric `weight` among the edge values (-1: none). */
  let weightAt = -1;
  const attvalues = (keys: Declared[], opens: string[], v: NodeView | EdgeView) => {
    const s = declaredText(keys, opens, '"/>', xmlAttr, v);
    return s ? `<attvalues>${s}</attvalues>` : '';
  };
  const dealTime = (n: NodeView): Interval | undefined => {
    const at = (i: number) => (i < 0 ? undefined : n.row[n.at + i]);
    return dealInterval({
      orderDate: at(dealDates[0]) ?? null,
      orderYear: at(dealDates[1]) ?? null,
      deliveryEndYear: at(dealDates[2]) ?? null,
    });
  };
  return {
    parts: { schema: true, nodes: true, edges: true },
    get edgeTime() {
      return dynamic;
    },
    start(schema) {
      const nodeProps = schema?.node ?? [];
      const edgeProps = schema?.edge ?? [];
      const has = (keys: AttrKey[], ...names: string[]) => keys.some((k) => names.includes(k.name));
      dynamic = has(nodeProps, 'orderYear', 'orderDate') || has(edgeProps, 'since', 'until', 'date');
      const nodeIndex = (name: string) => nodeProps.findIndex((k) => k.name === name);
      // A numeric `weight` (a network's TIV) is GEXF's own edge weight, which Gephi and NetworkX read as such.
      weightAt = edgeProps.findIndex(
        (k) => k.name === 'weight' && (k.type === 'double' || k.type === 'long'),
      );
      dealDates = [nodeIndex('orderDate'), nodeIndex('orderYear'), nodeIndex('deliveryEndYear')];
      // The label is GEXF's own node attribute; the properties are declared attributes.
      nodeKeys = declare('n', [[{ name: 'labels', type: 'string' }, LABELS]], nodeProps);
      edgeKeys = declare('e', EDGE_BUILTIN, edgeProps).filter((d) => !(d.from >= 0 && d.from === weightAt));
      nodeOpens = nodeKeys.map(({ id }) => `<attvalue for="${id}" value="`);
      edgeOpens = edgeKeys.map(({ id }) => `<attvalue for="${id}" value="`);
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
      const time = dynamic && n.labels[0] === 'Deal' ? dealTime(n) : undefined;
      out(
        `<node id="${xmlAttr(n.id)}" label="${xmlAttr(n.name)}">` +
          `${attvalues(nodeKeys, nodeOpens, n)}${spells(time)}</node>\n`,
      );
    },
    edgesStart() {
      out('</nodes>\n<edges>\n');
    },
    edge(e) {
      const type = xmlAttr(e.type);
      const weight = weightAt < 0 ? null : e.row[e.at + weightAt];
      out(
        `<edge id="${xmlAttr(e.id)}" source="${xmlAttr(e.source)}" target="${xmlAttr(e.target)}" ` +
          `label="${type}" kind="${type}"${typeof weight === 'number' ? ` weight="${weight}"` : ''}>` +
          `${attvalues(edgeKeys, edgeOpens, e)}${spells(dynamic ? e.time : undefined)}</edge>\n`,
      );
    },
    end() {
      out('</edges>\n</graph>\n</gexf>\n');
    },
  };
}

/** The declared values at `positions`. */
function values(v: NodeView | EdgeView, positions: number[]): Plain[] {
  return positions.map((i) => v.row[v.at + i] ?? null);
}

/** Gephi's spreadsheet import: nodes.csv with Id and Label first, then one column per property. */
function nodesCsvWriter(out: Out): GraphWriter {
  let positions: number[] = [];
  return {
    parts: { schema: true, nodes: true, edges: false },
    edgeTime: false,
    start(schema) {
      const keys = schema?.node ?? [];
      positions = keys.flatMap((k, i) => (k.name === 'name' ? [] : [i]));
      out(csvRow(['Id', 'Label', 'Labels', ...positions.map((i) => (keys[i] as AttrKey).name)]));
    },
    node(n) {
      out(csvRow([n.id, n.name, n.labels, ...values(n, positions)]));
    },
    edgesStart() {},
    edge() {},
    end() {},
  };
}

/** Gephi's spreadsheet import: edges.csv with Source, Target, Type (Directed), Id, Label (relation). */
function edgesCsvWriter(out: Out): GraphWriter {
  let positions: number[] = [];
  return {
    parts: { schema: true, nodes: false, edges: true },
    edgeTime: false,
    start(schema) {
      const keys = schema?.edge ?? [];
      positions = keys.map((_, i) => i);
      out(csvRow(['Source', 'Target', 'Type', 'Id', 'Label', ...keys.map((k) => k.name)]));
    },
    node() {},
    edgesStart() {},
    edge(e) {
      out(csvRow([e.source, e.target, 'Directed', e.id, e.type, ...values(e, positions)]));
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

/**
 * deals.csv: one row per deal, for spreadsheets (the columns of DEAL_COLUMNS, in their order). It starts
 * with a UTF-8 byte-order mark unless `bom` is false: without it Excel shows "Türkiye" garbled.
 */
export const dealsCsvHeader = (bom = true) =>
  (bom ? UTF8_BOM : '') + csvRow(DEAL_COLUMNS.map(([name]) => name));
export const dealsCsvRow = (row: Plain[]) => csvRow(row);
