import { parse as parseSync } from 'csv-parse/sync';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { ArmsgraphError, ErrorCode } from '../../errors';

/**
 * Reads SIPRI Arms Transfers Database exports as they really come: a preamble, then a header and
 * rows; UTF-8 or Latin-1; LF or CRLF; sometimes a `;` closing every line; the current layout
 * (`SIPRI AT Database ID,Supplier,Recipient,...`, one row per deal and delivery year) or the older
 * trade-register layout (`Recipient,Supplier,Year of order,...`). The variant is detected from the
 * file itself, and rows are streamed, never held all at once.
 */

export type Layout = 'current' | 'trade-register';
export type Encoding = 'utf-8' | 'latin1';

export interface Variant {
  layout: Layout;
  encoding: Encoding;
  lineEnding: 'LF' | 'CRLF';
  delimiter: ',' | ';';
  /** Every line ends with a `;` that is not a field. */
  trailingSemicolon: boolean;
  /** 1-based line number of the header. */
  headerLine: number;
  /** The export's "Data generated" date (ISO yyyy-mm-dd), when the preamble states it. */
  dataGenerated: string | undefined;
  /** The lines before the header, unquoted (the release's scope is read from them: release-preamble.ts). */
  preamble: string[];
}

/** One data row: its 1-based line number in the file and its fields by header name. */
export interface RegisterLine {
  line: number;
  fields: Record<string, string>;
}

const SAMPLE_BYTES = 1 << 20;
/**
 * Input bounds. SIPRI's longest real line is about 1,500 characters and its longest field (the
 * description) a few hundred: a row beyond these is not SIPRI's and is rejected whole, with its line
 * number, instead of being imported as a 50 MB deal description. A line over the bound is never held
 * in memory: its bytes are dropped as they arrive until its end.
 */
export const MAX_LINE_CHARS = 64 * 1024;
export const MAX_FIELD_CHARS = 8 * 1024;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "3 Jan 2025 9:16:02 PM" (and ISO dates) → "2025-01-03". */
export function parseGeneratedDate(text: string): string | undefined {
  const iso = /(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[2] ?? '').toLowerCase());
  if (month < 0) return undefined;
  return `${m[3]}-${String(month + 1).padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`;
}

const refuseEncoding = (name: string) =>
  new ArmsgraphError(
    ErrorCode.BAD_USER_INPUT,
    `The file is ${name}; SIPRI exports are UTF-8 or Latin-1: save it as UTF-8 (e.g. iconv -f ${name.startsWith('UTF-16') ? 'UTF-16' : 'UTF-32'} -t UTF-8) and import that`,
    { encoding: name },
  );

/** UTF-8 or Latin-1, the encodings SIPRI exports come in; UTF-16 and UTF-32 are refused by name. */
export function detectEncoding(sample: Buffer): Encoding {
  if (sample[0] === 0xff && sample[1] === 0xfe && sample[2] === 0 && sample[3] === 0)
    throw refuseEncoding('UTF-32 (little-endian, with a byte-order mark)');
  if (sample[0] === 0 && sample[1] === 0 && sample[2] === 0xfe && sample[3] === 0xff)
    throw refuseEncoding('UTF-32 (big-endian, with a byte-order mark)');
  if (sample[0] === 0xff && sample[1] === 0xfe)
    throw refuseEncoding('UTF-16 (little-endian, with a byte-order mark)');
  if (sample[0] === 0xfe && sample[1] === 0xff)
    throw refuseEncoding('UTF-16 (big-endian, with a byte-order mark)');
  // Text without a byte-order mark that is a quarter or more NUL bytes is UTF-16/32, not CSV.
  const head = sample.subarray(0, 4096);
  let nuls = 0;
  for (const b of head) if (b === 0) nuls++;
  if (head.length >= 16 && nuls * 4 >= head.length)
    throw refuseEncoding(
      head[0] === 0
        ? 'UTF-16 (big-endian, no byte-order mark)'
        : 'UTF-16 (little-endian, no byte-order mark)',
    );
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  try {
    // stream: true tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    // Not valid UTF-8: SIPRI's older exports are Windows/Latin-1.
    return 'latin1';
  }
}

const unquote = (line: string) =>
  line
    .replace(/^\uFEFF/, '')
    .replace(/"/g, '')
    .trim();

/** Detects the variant from the file's first bytes (decoded text of at most 1 MiB). */
export function detectVariant(sample: Buffer): Variant {
  const encoding = detectEncoding(sample);
  const text = new TextDecoder(encoding === 'utf-8' ? 'utf-8' : 'latin1').decode(sample);
  const lines = text.split('\n');
  let dataGenerated: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = unquote(raw);
    const generated = /^Data generated:\s*(.*)$/i.exec(line);
    if (generated) dataGenerated = parseGeneratedDate(generated[1] ?? '');
    const layout: Layout | undefined = /^SIPRI AT Database ID[,;]/i.test(line)
      ? 'current'
      : /^Recipient[,;]\s*Supplier[,;]\s*Year of order/i.test(line)
        ? 'trade-register'
        : undefined;
    if (!layout) continue;
    const body = line.replace(/\r$/, '');
    const delimiter = (body.match(/;/g) ?? []).length > (body.match(/,/g) ?? []).length ? ';' : ',';
    return {
      layout,
      encoding,
      lineEnding: raw.endsWith('\r') ? 'CRLF' : 'LF',
      delimiter,
      trailingSemicolon: delimiter === ',' && body.endsWith(';'),
      headerLine: i + 1,
      dataGenerated,
      preamble: lines.slice(0, i).map((l) => unquote(l).replace(/;$/, '')),
    };
  }
  throw new ArmsgraphError(
    ErrorCode.BAD_USER_INPUT,
    'Not a SIPRI Arms Transfers Database export: no header line starting "SIPRI AT Database ID," or "Recipient,Supplier,Year of order," was found',
  );
}

/**
 * Splits one line into fields. SIPRI's exports quote nothing, so a line without `"` is split on the
 * delimiter directly (the import's hot path: several times faster than a general CSV parser); a line
 * with quotes goes through csv-parse, as lenient about stray quotes as before.
 */
export function splitLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const records = parseSync(line, { delimiter, relax_column_count: true, relax_quotes: true }) as string[][];
  return records[0] ?? [];
}

/**
 * True when a line's quotes are well formed the way csv-parse (with relax_quotes) reads them: a quote
 * opens a field only at its start, `""` is a quote inside, and a closing quote ends the field. Lines
 * are rows (SIPRI's fields hold no line breaks), so a line that fails this is rejected on its own
 * instead of swallowing the lines after it or stopping the import.
 */
export function quotesBalanced(line: string, delimiter: string): boolean {
  let i = 0;
  while (i <= line.length) {
    if (line[i] !== '"') {
      const next = line.indexOf(delimiter, i);
      if (next < 0) return true;
      i = next + 1;
      continue;
    }
    i++;
    for (;;) {
      const q = line.indexOf('"', i);
      if (q < 0) return false;
      if (line[q + 1] === '"') {
        i = q + 2;
        continue;
      }
      if (q + 1 === line.length) return true;
      if (line[q + 1] !== delimiter) return false;
      i = q + 2;
      break;
    }
  }
  return true;
}

/** Header names made unique: the old layout's unnamed "?" columns become "<previous> ?". */
function headerNames(raw: string[]): string[] {
  const names: string[] = [];
  for (const [i, h] of raw.entries()) {
    const name = h.replace(/^\uFEFF/, '').trim();
    names.push(name === '' && i > 0 ? `${names[i - 1] ?? ''} ?` : name);
  }
  return names;
}

export interface Register {
  variant: Variant;
  lines: AsyncGenerator<RegisterLine>;
  /** Size of the input when known (files), for a progress bar. */
  totalBytes: number | undefined;
  /** Bytes read so far. */
  bytesRead(): number;
}

/** Opens an export from a stream factory (called once for the sample, once for the rows). */
export async function readRegisterStream(
  open: (sampleOnly: boolean) => Readable,
  totalBytes?: number,
): Promise<Register> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of open(true)) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buf);
    size += buf.length;
    if (size >= SAMPLE_BYTES) break;
  }
  const variant = detectVariant(Buffer.concat(chunks).subarray(0, SAMPLE_BYTES));
  const counter = { read: 0 };
  return { variant, lines: rows(open(false), variant, counter), totalBytes, bytesRead: () => counter.read };
}

const tooLong = (line: number): RegisterLine => ({
  line,
  fields: { '#broken': `the line is longer than ${MAX_LINE_CHARS} characters` },
});

/**
 * Decodes bytes, drops the preamble (everything before the header) and the closing `;` of each
 * line, and yields each data row with its 1-based line number in the file.
 */
async function* rows(
  input: Readable,
  variant: Variant,
  counter: { read: number },
): AsyncGenerator<RegisterLine> {
  const decoder = new TextDecoder(variant.encoding === 'utf-8' ? 'utf-8' : 'latin1');
  let header: string[] | undefined;
  let rest = '';
  let lineNo = 0;

  function row(line: string): RegisterLine | undefined {
    if (line.trim() === '') return undefined;
    if (header && line.length > MAX_LINE_CHARS) return tooLong(lineNo);
    if (header && line.includes('"') && !quotesBalanced(line, variant.delimiter)) {
      return { line: lineNo, fields: { '#broken': 'a quoted field is not closed properly' } };
    }
    const record = splitLine(line, variant.delimiter);
    if (!header) {
      header = headerNames(record);
      return undefined;
    }
    const fields: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) fields[header[i] as string] = (record[i] ?? '').trim();
    const big = header.find((h) => (fields[h] ?? '').length > MAX_FIELD_CHARS);
    if (big !== undefined) {
      const reason = `field "${big}" holds ${(fields[big] ?? '').length} characters; the most a field may hold is ${MAX_FIELD_CHARS}`;
      return { line: lineNo, fields: { '#broken': reason } };
    }
    if (record.length > header.length) fields['#extra'] = record.slice(header.length).join(',');
    return { line: lineNo, fields };
  }

  function* take(parts: string[]): Generator<RegisterLine> {
    for (const part of parts) {
      lineNo++;
      if (lineNo < variant.headerLine) continue;
      let line = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (variant.trailingSemicolon && line.endsWith(';')) line = line.slice(0, -1);
      const r = row(line);
      if (r) yield r;
    }
  }

  // While a line runs past MAX_LINE_CHARS its text is dropped, not kept: `overlong` remembers it.
  let overlong = false;
  for await (const chunk of input) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    counter.read += buf.length;
    const text = decoder.decode(buf, { stream: true });
    const parts = (overlong ? text : rest + text).split('\n');
    if (overlong) {
      if (parts.length === 1) continue;
      parts.shift();
      overlong = false;
      lineNo++;
      if (lineNo >= variant.headerLine) yield tooLong(lineNo);
    }
    rest = parts.pop() ?? '';
    yield* take(parts);
    if (rest.length > MAX_LINE_CHARS) {
      rest = '';
      overlong = true;
    }
  }
  if (overlong) {
    lineNo++;
    if (lineNo >= variant.headerLine) yield tooLong(lineNo);
  }
  const tail = rest + decoder.decode();
  yield* take(tail === '' ? [] : [tail]);
}

/** Opens an export file. */
export function readRegister(file: string): Promise<Register> {
  if (!fs.existsSync(file)) throw new ArmsgraphError(ErrorCode.NOT_FOUND, `No such file: ${file}`);
  if (fs.statSync(file).isDirectory())
    throw new ArmsgraphError(ErrorCode.BAD_USER_INPUT, `${file} is a directory, not an export file`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ArmsgraphError(ErrorCode.BAD_USER_INPUT, `${file} cannot be read (${reason})`);
  }
  return readRegisterStream(
    (sampleOnly) => fs.createReadStream(file, sampleOnly ? { start: 0, end: SAMPLE_BYTES - 1 } : {}),
    fs.statSync(file).size,
  );
}
