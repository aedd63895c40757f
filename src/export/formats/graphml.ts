import { lastEscaped, xmlAttr, xmlText } from '../escape';
import { graphFormat, graphWriter } from '../format';
import {
  ALL_PARTS,
  declare,
  declaredText,
  EDGE_BUILTIN,
  NODE_BUILTIN,
  type Declared,
} from './declared-attributes';

/** GraphML (yEd, Gephi, NetworkX, graphology): declared keys with standard types, directed, edge ids. */
export const graphml = graphFormat({
  name: 'graphml',
  label: 'GraphML (yEd, Gephi)',
  mediaType: 'application/graphml+xml; charset=utf-8',
  extension: 'graphml',
  writer(out, meta) {
    let nodeKeys: Declared[] = [];
    let edgeKeys: Declared[] = [];
    let nodeOpens: string[] = [];
    let edgeOpens: string[] = [];
    const source = lastEscaped(xmlAttr);
    return graphWriter(ALL_PARTS, {
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
        out(
          `<node id="${xmlAttr(n.id)}">${declaredText(nodeKeys, nodeOpens, '</data>', xmlText, n)}</node>\n`,
        );
      },
      edge(e) {
        out(
          `<edge id="${xmlAttr(e.id)}" source="${source(e.source)}" target="${xmlAttr(e.target)}">` +
            `${declaredText(edgeKeys, edgeOpens, '</data>', xmlText, e)}</edge>\n`,
        );
      },
      end() {
        out('</graph>\n</graphml>\n');
      },
    });
  },
});
