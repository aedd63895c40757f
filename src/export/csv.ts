import type { Plain } from '../db/mapper';
import { plainText } from './escape';

/** The UTF-8 byte-order mark: Excel reads a CSV file as UTF-8 only when it starts with one. */
export const UTF8_BOM = '\uFEFF';

/** Text that needs neither quotes nor a formula guard: nearly every cell of an export. */
const PLAIN_CELL = /^[^=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20",\n][^",\r\n]*$/;

/**
 * One CSV cell, byte for byte as csv-stringify wrote it with this project's options (RFC 4180: a field
 * with a comma, quote or line break quoted, quotes doubled), written here because csv-stringify
 * normalises its options and builds a record object on every call, which made it the largest cost of
 * a CSV export. `escape_formulas` is kept: text beginning with =, +, -, @, tab or CR (or their
 * full-width forms) gets a leading `'`, so that Excel, LibreOffice and Google Sheets show it as text
 * instead of running it (OWASP "CSV injection"); numbers, negative ones too, are left as they are.
 * Lists are `a|b` (as in GraphML and GEXF), booleans `true`/`false`, null and empty text nothing.
 * tests/unit/export-csv.test.ts checks it against csv-stringify itself.
 */
export function csvCell(value: Plain | undefined): string {
  if (typeof value === 'string') {
    if (value === '' || PLAIN_CELL.test(value)) return value;
    return quotedCell(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '';
  return quotedCell(plainText(value));
}

function quotedCell(text: string): string {
  if (text === '') return '';
  switch (text.charCodeAt(0)) {
    case 0x3d: // =
    case 0x2b: // +
    case 0x2d: // -
    case 0x40: // @
    case 0x09: // tab
    case 0x0d: // CR
    case 0xff1d:
    case 0xff0b:
    case 0xff0d:
    case 0xff20:
      text = `'${text}`;
  }
  const quote = text.includes('"');
  if (quote) text = text.replace(/"/g, '""');
  return quote || text.includes(',') || text.includes('\n') || text.includes('\r') ? `"${text}"` : text;
}

/** One CSV record with its CRLF line break. */
export function csvRow(values: readonly (Plain | undefined)[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) s += i === 0 ? csvCell(values[i]) : ',' + csvCell(values[i]);
  return s + '\r\n';
}
