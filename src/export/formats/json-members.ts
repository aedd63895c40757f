import { graphFormat, graphWriter, JSON_MEDIA_TYPE, type ExportFormat, type ExportMeta } from '../format';
import type { EdgeView, NodeView } from '../selection';

/** What the JSON formats share: property members, a node's object, an edge's object, list commas. */

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

/** Strings that repeat on item after item (relation types) as JSON, made once each. */
const repeatedStrings = new Map<string, string>();
export function repeatedJson(text: string): string {
  let json = repeatedStrings.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    if (repeatedStrings.size < 10_000) repeatedStrings.set(text, json);
  }
  return json;
}

/** Which properties a format writes itself (they win over a property of the same name). */
export type OwnFields = (name: string) => boolean;

const NO_SOURCES = '"sourceIds":[],';

/**
 * The JSON members of a node or edge's properties, each followed by a comma, in the order of its
 * keys (its kind's, sorted by name), less those it does not have, the format's own fields and, when
 * `dated`, `start` and `end` (the interval wins), with `sourceIds` [] in its place when it has none.
 */
function jsonProperties(v: NodeView | EdgeView, own: OwnFields, start: boolean, end: boolean): string {
  let s = '';
  let sources = false;
  const { keys, row, at } = v;
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i] as string;
    const value = row[at + i];
    if (!sources && name >= 'sourceIds') {
      sources = true;
      if (name === 'sourceIds') {
        s += value === null || value === undefined ? NO_SOURCES : `"sourceIds":${JSON.stringify(value)},`;
        continue;
      }
      s += NO_SOURCES;
    }
    if (value === null || value === undefined) continue;
    if (own(name) || (start && name === 'start') || (end && name === 'end')) continue;
    s += jsonName(name) + JSON.stringify(value) + ',';
  }
  return sources ? s : s + NO_SOURCES;
}

const NODE_FIELDS: OwnFields = (name) => name === 'id' || name === 'label' || name === 'labels';

/** A node's labels as JSON, made once per distinct label list (a graph has a handful). */
const labelLists = new Map<string, string>();
export function labelsJson(labels: string[]): string {
  // One label (nearly every node) is its own key, without a joined copy.
  const joined = labels.length === 1 ? (labels[0] as string) : labels.join('\u0000');
  let json = labelLists.get(joined);
  if (json === undefined) {
    json = JSON.stringify(labels);
    if (labelLists.size < 1_000) labelLists.set(joined, json);
  }
  return json;
}

/** JSON object of a node for the JSON formats: its properties, then the fields that must win. */
export function nodeJson(n: NodeView): string {
  return (
    `{${jsonProperties(n, NODE_FIELDS, false, false)}"id":${JSON.stringify(n.id)},` +
    `"label":${JSON.stringify(n.name)},"labels":${labelsJson(n.labels)}}`
  );
}

/**
 * JSON object of an edge: its properties, the fields a format names (`fields`, rendered; `own` tells
 * their names apart), then its time span.
 */
export function edgeJson(e: EdgeView, own: OwnFields, fields: string): string {
  const t = e.time;
  const start = t?.start;
  const end = t?.end;
  let s = `{${jsonProperties(e, own, !!start, !!end)}${fields}`;
  if (start) s += `,"start":"${start}"`;
  if (end) s += `,"end":"${end}"`;
  return s + '}';
}

/** `,\n` before every item of a JSON list but its first (`prefix()`); `reset` starts the next list. */
export function listSeparator(): { prefix: () => string; reset: () => void } {
  let first = true;
  return {
    prefix: () => {
      if (!first) return ',\n';
      first = false;
      return '';
    },
    reset: () => {
      first = true;
    },
  };
}

/** A JSON graph format: its text before the nodes, between nodes and edges, after the edges, and each item's. */
export interface JsonGraphShape {
  name: string;
  label: string;
  extension: string;
  head(meta: ExportMeta): string;
  node(n: NodeView): string;
  between: string;
  edge(e: EdgeView): string;
  tail: string;
}

/**
 * A JSON graph format (nodes, then edges, as two lists with commas between items); it reads no schema
 * (JSON declares nothing up front) and gives every edge its time.
 */
export function jsonGraphFormat(shape: JsonGraphShape): ExportFormat {
  const { head, node, between, edge, tail, ...names } = shape;
  return graphFormat({
    ...names,
    mediaType: JSON_MEDIA_TYPE,
    writer(out, meta) {
      const { prefix, reset } = listSeparator();
      return graphWriter(
        { schema: false, nodes: true, edges: true },
        {
          edgeTime: true,
          start: () => out(head(meta)),
          node: (n) => out(prefix() + node(n)),
          edgesStart() {
            out(between);
            reset();
          },
          edge: (e) => out(prefix() + edge(e)),
          end: () => out(tail),
        },
      );
    },
  });
}
