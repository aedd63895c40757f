// Links to the service's streamed exports (/export/...) of the neighbourhood of the focused entity,
// in the formats graph tools read. The routes belong to the exports (issue #5 item 2); the page
// only builds their addresses.
import type { PanelLink } from './side-panel';

const FORMATS: Array<{ format: string; label: string }> = [
  { format: 'cytoscape', label: 'Cytoscape.js JSON' },
  { format: 'node-link', label: 'node-link JSON (D3, NetworkX)' },
  { format: 'graphml', label: 'GraphML (yEd, Gephi)' },
  { format: 'gexf', label: 'GEXF (Gephi)' },
  { format: 'nodes.csv', label: 'CSV nodes (Gephi)' },
  { format: 'edges.csv', label: 'CSV edges (Gephi)' },
];

export function exportLinks(id: string, depth: number): PanelLink[] {
  return FORMATS.map(({ format, label }) => {
    const q = new URLSearchParams({ around: id, depth: String(depth) });
    return { label, href: `/export/${format}?${q.toString()}`, download: true };
  });
}
