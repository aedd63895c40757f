import type { Plain } from '../../db/mapper';
import { plainText } from '../escape';
import type { AttrKey, EdgeView, NodeView } from '../selection';

/** What GraphML and GEXF share: attributes declared up front, and each row's values of them as text. */

/** A typed value as text for GraphML / GEXF, or null to leave it out. */
function typedText(value: Plain | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // Numbers and booleans as plainText spells them, without its checks (most typed values are these).
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length === 0) return null;
  return plainText(value);
}

/**
 * A declared attribute and where a row holds its value: `from` ≥ 0 is the position among the
 * declared property values, a negative `from` one of the fields the writer adds itself.
 */
export interface Declared {
  id: string;
  key: AttrKey;
  from: number;
}

export const LABEL = -1;
export const LABELS = -2;
export const TYPE = -3;

/** Attribute keys the writers add themselves, ahead of the properties. */
export const NODE_BUILTIN: [AttrKey, number][] = [
  [{ name: 'label', type: 'string' }, LABEL],
  [{ name: 'labels', type: 'string' }, LABELS],
];
export const EDGE_BUILTIN: [AttrKey, number][] = [[{ name: 'type', type: 'string' }, TYPE]];

export function declare(prefix: string, builtin: [AttrKey, number][], keys: AttrKey[]): Declared[] {
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

/**
 * The text of every declared attribute a node or edge has, each as `opens[i]` + escaped text +
 * `close`: one string per row, no object.
 */
export function declaredText(
  keys: Declared[],
  opens: string[],
  close: string,
  escape: (text: string) => string,
  v: NodeView | EdgeView,
): string {
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const from = (keys[i] as Declared).from;
    // Most declared values of a row are absent (the keys are those of every kind of node or edge).
    const value = from >= 0 ? v.row[v.at + from] : declaredValue(keys[i] as Declared, v);
    if (value === null || value === undefined) continue;
    const text = typedText(value);
    if (text !== null) s += (opens[i] as string) + escape(text) + close;
  }
  return s;
}

/** What the formats that declare their attributes read: the schema first, then nodes and edges. */
export const ALL_PARTS = { schema: true, nodes: true, edges: true } as const;
