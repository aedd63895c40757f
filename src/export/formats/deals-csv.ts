import type { Plain } from '../../db/mapper';
import { csvRow, UTF8_BOM } from '../csv';
import { CSV_MEDIA_TYPE, type DealsWriter, type ExportFormat } from '../format';

/**
 * deals.csv: one row per deal, for spreadsheets (the columns the selection names: DEAL_COLUMNS in
 * src/db/export-queries.ts). It starts with a UTF-8 byte-order mark unless `bom` is false: without it
 * Excel shows "Türkiye" garbled.
 */
export const dealsCsv: ExportFormat = {
  name: 'deals.csv',
  label: 'CSV deals (spreadsheets)',
  mediaType: CSV_MEDIA_TYPE,
  extension: 'deals.csv',
  items: 'deals',
  network: false,
  neighbourhood: false,
  csvBundle: true,
  writer(out, meta): DealsWriter {
    return {
      reads: 'deals',
      start(columns) {
        out((meta.bom ? UTF8_BOM : '') + csvRow(columns));
      },
      deal(row: Plain[]) {
        out(csvRow(row));
      },
      end() {},
    };
  },
};
