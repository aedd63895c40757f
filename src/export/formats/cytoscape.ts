import type { ExportFormat, GraphWriter } from '../format';
import { edgeJson, labelsJson, listSeparator, nodeJson, type OwnFields } from './json-members';

const EDGE_FIELDS: OwnFields = (name) =>
  name === 'id' || name === 'source' || name === 'target' || name === 'label' || name === 'type';

/** A node's `classes` (its labels, space-separated), made once per distinct label list. */
const classLists = new Map<string, string>();
function classesJson(labels: string[]): string {
  const key = labelsJson(labels);
  let json = classLists.get(key);
  if (json === undefined) {
    json = JSON.stringify(labels.join(' '));
    if (classLists.size < 1_000) classLists.set(key, json);
  }
  return json;
}

/** Cytoscape.js elements JSON, in the shape of Cytoscape desktop's .cyjs (both read `elements`). */
export const cytoscape: ExportFormat = {
  name: 'cytoscape',
  label: 'Cytoscape.js JSON',
  mediaType: 'application/json; charset=utf-8',
  extension: 'cytoscape.json',
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
          `{"format_version":"1.0","generated_by":"armsgraph","target_cytoscapejs_version":"~3",` +
            `"data":${JSON.stringify({ name: `armsgraph ${meta.selection}`, selection: meta.selection, generated: meta.generated })},\n` +
            `"elements":{"nodes":[\n`,
        );
      },
      node(n) {
        out(`${prefix()}{"data":${nodeJson(n)},"classes":${classesJson(n.labels)}}`);
      },
      edgesStart() {
        out('\n],"edges":[\n');
        reset();
      },
      edge(e) {
        const id = JSON.stringify(e.id);
        const type = JSON.stringify(e.type);
        const fields =
          `"id":${id},"source":${JSON.stringify(e.source)},"target":${JSON.stringify(e.target)},` +
          `"label":${type},"type":${type}`;
        out(`${prefix()}{"data":${edgeJson(e, EDGE_FIELDS, fields)},"classes":${type}}`);
      },
      end() {
        out('\n]}}\n');
      },
    };
  },
};
