import { lastEscaped, xmlAttr, xmlText } from '../escape';
import { graphFormat, type GraphWriter } from '../format';
import { interval, type Interval } from '../intervals';
import type { AttrKey, EdgeView, NodeView } from '../selection';
import { ALL_PARTS, declare, declaredText, EDGE_BUILTIN, LABELS, type Declared } from './declared-attributes';

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
export const gexf = graphFormat({
  name: 'gexf',
  label: 'GEXF (Gephi)',
  mediaType: 'application/gexf+xml; charset=utf-8',
  extension: 'gexf',
  writer(out, meta): GraphWriter {
    let nodeKeys: Declared[] = [];
    let edgeKeys: Declared[] = [];
    let nodeOpens: string[] = [];
    let edgeOpens: string[] = [];
    let dynamic = false;
    /** Positions of a deal's dates among the node values (-1: not declared). */
    let dealDates: [number, number, number] = [-1, -1, -1];
    /** Position of a numeric `weight` among the edge values (-1: none). */
    let weightAt = -1;
    const source = lastEscaped(xmlAttr);
    // The edges of a deal share its interval (one object): their spells are written once.
    const edgeSpells = lastEscaped(spells);
    const attvalues = (keys: Declared[], opens: string[], v: NodeView | EdgeView) => {
      const s = declaredText(keys, opens, '"/>', xmlAttr, v);
      return s ? `<attvalues>${s}</attvalues>` : '';
    };
    const dealTime = (n: NodeView): Interval | undefined => {
      const at = (i: number) => (i < 0 ? null : (n.row[n.at + i] ?? null));
      return interval(at(dealDates[0]), at(dealDates[1]), at(dealDates[2]));
    };
    return {
      reads: 'graph',
      parts: ALL_PARTS,
      // Whether edges carry times is known once the schema is read (a dynamic graph).
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
          `<edge id="${xmlAttr(e.id)}" source="${source(e.source)}" target="${xmlAttr(e.target)}" ` +
            `label="${type}" kind="${type}"${typeof weight === 'number' ? ` weight="${weight}"` : ''}>` +
            `${attvalues(edgeKeys, edgeOpens, e)}${edgeSpells(dynamic ? e.time : undefined)}</edge>\n`,
        );
      },
      end() {
        out('</edges>\n</graph>\n</gexf>\n');
      },
    };
  },
});
