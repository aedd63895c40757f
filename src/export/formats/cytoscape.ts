import { lastEscaped } from '../escape';
import {
  edgeJson,
  jsonGraphFormat,
  labelsJson,
  nodeJson,
  repeatedJson,
  type OwnFields,
} from './json-members';

const EDGE_FIELDS: OwnFields = (name) =>
  name === 'id' || name === 'source' || name === 'target' || name === 'label' || name === 'type';

const sourceJson = lastEscaped(JSON.stringify);

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
export const cytoscape = jsonGraphFormat({
  name: 'cytoscape',
  label: 'Cytoscape.js JSON',
  extension: 'cytoscape.json',
  head: (meta) =>
    `{"format_version":"1.0","generated_by":"armsgraph","target_cytoscapejs_version":"~3",` +
    `"data":${JSON.stringify({ name: `armsgraph ${meta.selection}`, selection: meta.selection, generated: meta.generated })},\n` +
    `"elements":{"nodes":[\n`,
  node: (n) => `{"data":${nodeJson(n)},"classes":${classesJson(n.labels)}}`,
  between: '\n],"edges":[\n',
  edge(e) {
    const id = JSON.stringify(e.id);
    const type = repeatedJson(e.type);
    const fields =
      `"id":${id},"source":${sourceJson(e.source)},"target":${JSON.stringify(e.target)},` +
      `"label":${type},"type":${type}`;
    return `{"data":${edgeJson(e, EDGE_FIELDS, fields)},"classes":${type}}`;
  },
  tail: '\n]}}\n',
});
