import { csvCell, csvRow } from '../csv';
import type { ExportFormat, GraphWriter } from '../format';

/** Gephi's spreadsheet import: edges.csv with Source, Target, Type (Directed), Id, Label (relation). */
export const edgesCsv: ExportFormat = {
  name: 'edges.csv',
  label: 'CSV edges (Gephi)',
  mediaType: 'text/csv; charset=utf-8; header=present',
  extension: 'edges.csv',
  items: 'edges',
  network: true,
  neighbourhood: true,
  csvBundle: true,
  writer(out): GraphWriter {
    let columns = 0;
    return {
      reads: 'graph',
      parts: { schema: true, nodes: false, edges: true },
      edgeTime: false,
      start(schema) {
        const keys = schema?.edge ?? [];
        columns = keys.length;
        out(csvRow(['Source', 'Target', 'Type', 'Id', 'Label', ...keys.map((k) => k.name)]));
      },
      node() {},
      edgesStart() {},
      edge(e) {
        let s = `${csvCell(e.source)},${csvCell(e.target)},Directed,${csvCell(e.id)},${csvCell(e.type)}`;
        for (let i = 0; i < columns; i++) s += ',' + csvCell(e.row[e.at + i]);
        out(s + '\r\n');
      },
      end() {},
    };
  },
};
