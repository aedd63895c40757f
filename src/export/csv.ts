import { stringify, type Options } from 'csv-stringify/sync';
import type { Plain } from '../db/mapper';
import { plainText } from './escape';

/** The UTF-8 byte-order mark: Excel reads a CSV file as UTF-8 only when it starts with one. */
export const UTF8_BOM = '\uFEFF';

/**
 * RFC 4180 as csv-stringify writes it: CRLF, fields with a comma, quote or line break quoted, quotes
 * doubled. `escape_formulas` defuses spreadsheet formula injection (OWASP "CSV injection"): text
 * beginning with =, +, -, @, tab or CR (or their full-width forms) gets a leading `'`, so Excel,
 * LibreOffice and Google Sheets show it as text; numbers, negative ones too, are left as they are.
 */
const OPTIONS: Options = {
  record_delimiter: '\r\n',
  // Given a record_delimiter, csv-stringify stops quoting fields with a bare LF or CR unless told to.
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: {
    // Lists as `a|b` (as in GraphML and GEXF), booleans as JSON spells them (csv-stringify's own: 1 or '').
    boolean: (value) => String(value),
    object: (value) => plainText(value as Plain),
  },
};

/** One CSV record with its line break. */
export function csvRow(values: Plain[]): string {
  return stringify([values], OPTIONS);
}
