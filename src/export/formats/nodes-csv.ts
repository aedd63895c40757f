import { csvCell, csvRow } from '../csv';
import type { ExportFormat, GraphWriter } from '../format';
import { labelsCell } from './csv-cells';

/** Gephi's spreadsheet import: nodes.csv with Id and Label first, then one column per property. */
export const nodesCsv: ExportFormat = {
  name: 'nodes.csv',
  label: 'CSV nodes (Gephi)',
  mediaType: 'text/csv; charset=utf-8; header=present',
  extension: 'nodes.csv',
  items: 'nodes',
  network: true,
  neighbourhood: true,
  csvBundle: true,
  writer(out): GraphWriter {
    /** Positions of the written properties among the declared values (`name` is the Label column). */
    let positions: number[] = [];
    return {
      reads: 'graph',
      parts: { schema: true, nodes: true, edges: false },
      edgeTime: false,
      start(schema) {
        const keys = schema?.node ?? [];
        positions = keys.flatMap((k, i) => (k.name === 'name' ? [] : [i]));
        out(csvRow(['Id', 'Label', 'Labels', ...positions.map((i) => keys[i]?.name ?? '')]));
      },
      node(n) {
        let s = `${csvCell(n.id)},${csvCell(n.name)},${labelsCell(n.labels)}`;
        for (let i = 0; i < positions.length; i++) s += ',' + csvCell(n.row[n.at + (positions[i] as number)]);
        out(s + '\r\n');
      },
      edgesStart() {},
      edge() {},
      end() {},
    };
  },
};
