import type { ExportFormat, GraphWriter } from '../format';
import { edgeJson, listSeparator, nodeJson, type OwnFields } from './json-members';

const EDGE_FIELDS: OwnFields = (name) =>
  name === 'source' || name === 'target' || name === 'key' || name === 'id' || name === 'type';

/**
 * Node-link JSON as D3 and NetworkX's node_link_graph read it: `directed`, `multigraph`, `nodes` with
 * `id`, `links` with `source`, `target` and `key` (the edge id, which keeps parallel edges apart).
 */
export const nodeLink: ExportFormat = {
  name: 'node-link',
  label: 'node-link JSON (D3, NetworkX)',
  mediaType: 'application/json; charset=utf-8',
  extension: 'node-link.json',
  items: 'graph',
  network: true,
  neighbourhood: true,
  csvBundle: false,
  writer(out, meta): GraphWriter {
    const { prefix, reset } = listSeparator();
    return {
      reads: 'graph',
      parts: { schema: false, nodes: true, edges: true },
      edgeTime: true,
      start() {
        out(
          `{"directed":true,"multigraph":true,` +
            `"graph":${JSON.stringify({ name: 'armsgraph', selection: meta.selection, generated: meta.generated })},\n"nodes":[\n`,
        );
      },
      node(n) {
        out(prefix() + nodeJson(n));
      },
      edgesStart() {
        out('\n],"links":[\n');
        reset();
      },
      edge(e) {
        const id = JSON.stringify(e.id);
        const fields =
          `"source":${JSON.stringify(e.source)},"target":${JSON.stringify(e.target)},` +
          `"key":${id},"id":${id},"type":${JSON.stringify(e.type)}`;
        out(prefix() + edgeJson(e, EDGE_FIELDS, fields));
      },
      end() {
        out('\n]}\n');
      },
    };
  },
};
