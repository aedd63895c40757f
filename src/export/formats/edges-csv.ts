import { csvCell, csvRow } from '../csv';
import { CSV_MEDIA_TYPE, graphFormat, graphWriter } from '../format';

/** Gephi's spreadsheet import: edges.csv with Source, Target, Type (Directed), Id, Label (relation). */
export const edgesCsv = graphFormat({
  name: 'edges.csv',
  label: 'CSV edges (Gephi)',
  mediaType: CSV_MEDIA_TYPE,
  extension: 'edges.csv',
  items: 'edges',
  csvBundle: true,
  writer(out) {
    let columns = 0;
    return graphWriter(
      { schema: true, nodes: false, edges: true },
      {
        start(schema) {
          const keys = schema?.edge ?? [];
          columns = keys.length;
          out(csvRow(['Source', 'Target', 'Type', 'Id', 'Label', ...keys.map((k) => k.name)]));
        },
        edge(e) {
          let s = `${csvCell(e.source)},${csvCell(e.target)},Directed,${csvCell(e.id)},${csvCell(e.type)}`;
          for (let i = 0; i < columns; i++) s += ',' + csvCell(e.row[e.at + i]);
          out(s + '\r\n');
        },
      },
    );
  },
});
