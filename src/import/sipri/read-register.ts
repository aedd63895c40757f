import { parse } from 'csv-parse';
import fs from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
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
}

/** One data row: its 1-based line number in the file and its fields by header name. */
export interface RegisterLine {
  line: number;
  fields: Record<string, string>;
}

const SAMPLE_BYTES = 1 << 20;
/** Stands in for a line the CSV parser would choke on, so only that line is rejected. */
const BROKEN_LINE = '\u0001broken-quotes';

/**
 * True when a line's quotes are well formed the way csv-parse (with relax_quotes) reads them: a quote
 * opens a field only at its start, `""` is a quote inside, and a closing quote ends the field. Checked
 * per line because an unclosed quote would otherwise swallow every following line, or stop the import.
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

function detectEncoding(sample: Buffer): Encoding {
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
    };
  }
  throw new ArmsgraphError(
    ErrorCode.BAD_USER_INPUT,
    'Not a SIPRI Arms Transfers Database export: no header line starting "SIPRI AT Database ID," or "Recipient,Supplier,Year of order," was found',
  );
}

/**
 * Decodes bytes, drops the preamble (everything before the header) and the closing `;` of each line,
 * and passes whole lines on to the CSV parser. SIPRI's fields hold no line breaks, so lines are rows.
 */
class LineCleaner extends Transform {
  private readonly decoder: TextDecoder;
  private rest = '';
  private line = 0;

  constructor(private readonly variant: Variant) {
    super({ decodeStrings: true, encoding: 'utf8' });
    this.decoder = new TextDecoder(variant.encoding === 'utf-8' ? 'utf-8' : 'latin1');
  }

  private pushLines(text: string, final: boolean): void {
    const parts = (this.rest + text).split('\n');
    this.rest = final ? '' : (parts.pop() ?? '');
    const out: string[] = [];
    for (const part of parts) {
      this.line++;
      if (this.line < this.variant.headerLine) continue;
      let line = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (this.variant.trailingSemicolon && line.endsWith(';')) line = line.slice(0, -1);
      if (line.includes('"') && !quotesBalanced(line, this.variant.delimiter)) line = BROKEN_LINE;
      out.push(line);
    }
    if (out.length > 0) this.push(out.join('\n') + '\n');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pushLines(this.decoder.decode(chunk, { stream: true }), false);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.pushLines(this.decoder.decode(), true);
    done();
  }
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
  let read = 0;
  const input = open(false);
  // The pipeline is built before the byte counter listens, so no chunk flows past the parser.
  const parser = input.pipe(new LineCleaner(variant)).pipe(
    parse({
      delimiter: variant.delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  input.on('data', (chunk: Buffer | string) => (read += chunk.length));
  return { variant, lines: rows(parser, variant), totalBytes, bytesRead: () => read };
}

async function* rows(parser: Readable, variant: Variant): AsyncGenerator<RegisterLine> {
  let header: string[] | undefined;
  // Lines before the header were dropped: parser line numbers start at the header.
  const offset = variant.headerLine - 1;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = headerNames(item.record);
      continue;
    }
    if (item.record[0] === BROKEN_LINE) {
      yield {
        line: item.info.lines + offset,
        fields: { '#broken': 'a quoted field is not closed properly' },
      };
      continue;
    }
    const fields: Record<string, string> = {};
    for (const [i, name] of header.entries()) fields[name] = (item.record[i] ?? '').trim();
    if (item.record.length > header.length) fields['#extra'] = item.record.slice(header.length).join(',');
    yield { line: item.info.lines + offset, fields };
  }
}

/** Opens an export file. */
export function readRegister(file: string): Promise<Register> {
  if (!fs.existsSync(file)) throw new ArmsgraphError(ErrorCode.NOT_FOUND, `No such file: ${file}`);
  return readRegisterStream(
    (sampleOnly) => fs.createReadStream(file, sampleOnly ? { start: 0, end: SAMPLE_BYTES - 1 } : {}),
    fs.statSync(file).size,
  );
}
