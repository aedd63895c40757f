import { csvCell, csvRow } from '../csv';
import { CSV_MEDIA_TYPE, graphFormat, graphWriter } from '../format';
import { labelsCell } from './csv-cells';

/** Gephi's spreadsheet import: nodes.csv with Id and Label first, then one column per property. */
export const nodesCsv = graphFormat({
  name: 'nodes.csv',
  label: 'CSV nodes (Gephi)',
  mediaType: CSV_MEDIA_TYPE,
  extension: 'nodes.csv',
  items: 'nodes',
  csvBundle: true,
  writer(out) {
    /** Positions of the written properties among the declared values (`name` is the Label column). */
    let positions: number[] = [];
    return graphWriter(
      { schema: true, nodes: true, edges: false },
      {
        start(schema) {
          const keys = schema?.node ?? [];
          positions = keys.flatMap((k, i) => (k.name === 'name' ? [] : [i]));
          out(csvRow(['Id', 'Label', 'Labels', ...positions.map((i) => keys[i]?.name ?? '')]));
        },
        node(n) {
          let s = `${csvCell(n.id)},${csvCell(n.name)},${labelsCell(n.labels)}`;
          for (let i = 0; i < positions.length; i++)
            s += ',' + csvCell(n.row[n.at + (positions[i] as number)]);
          out(s + '\r\n');
        },
      },
    );
  },
});
