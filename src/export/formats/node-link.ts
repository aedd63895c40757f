import { lastEscaped } from '../escape';
import { edgeJson, jsonGraphFormat, nodeJson, repeatedJson, type OwnFields } from './json-members';

const sourceJson = lastEscaped(JSON.stringify);

const EDGE_FIELDS: OwnFields = (name) =>
  name === 'source' || name === 'target' || name === 'key' || name === 'id' || name === 'type';

/**
 * Node-link JSON as D3 and NetworkX's node_link_graph read it: `directed`, `multigraph`, `nodes` with
 * `id`, `links` with `source`, `target` and `key` (the edge id, which keeps parallel edges apart).
 */
export const nodeLink = jsonGraphFormat({
  name: 'node-link',
  label: 'node-link JSON (D3, NetworkX)',
  extension: 'node-link.json',
  head: (meta) =>
    `{"directed":true,"multigraph":true,` +
    `"graph":${JSON.stringify({ name: 'armsgraph', selection: meta.selection, generated: meta.generated })},\n"nodes":[\n`,
  node: nodeJson,
  between: '\n],"links":[\n',
  edge(e) {
    const id = JSON.stringify(e.id);
    const fields =
      `"source":${sourceJson(e.source)},"target":${JSON.stringify(e.target)},` +
      `"key":${id},"id":${id},"type":${repeatedJson(e.type)}`;
    return edgeJson(e, EDGE_FIELDS, fields);
  },
  tail: '\n]}\n',
});
