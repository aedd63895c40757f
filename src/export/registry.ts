import type { ExportFormat } from './format';
import { cytoscape } from './formats/cytoscape';
import { dealsCsv } from './formats/deals-csv';
import { edgesCsv } from './formats/edges-csv';
import { gexf } from './formats/gexf';
import { graphml } from './formats/graphml';
import { nodeLink } from './formats/node-link';
import { nodesCsv } from './formats/nodes-csv';

/**
 * Every export format, in the order they are listed everywhere: GET /export/:format, `armsgraph
 * export --format`, the explorer's download links and the README's table all read this list. The
 * explorer's bundle imports it too, so a format file imports nothing that would not run in a browser.
 */
export const EXPORT_FORMATS: readonly ExportFormat[] = [
  cytoscape,
  nodeLink,
  graphml,
  gexf,
  nodesCsv,
  edgesCsv,
  dealsCsv,
];

export const EXPORT_FORMAT_NAMES: readonly string[] = EXPORT_FORMATS.map((f) => f.name);

export function findExportFormat(name: string): ExportFormat | undefined {
  return EXPORT_FORMATS.find((f) => f.name === name);
}
