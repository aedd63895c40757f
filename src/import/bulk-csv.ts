import fs from 'node:fs';
import path from 'node:path';
import neo4j, { type Integer } from 'neo4j-driver';

/**
 * Node and relationship files in the format of Neo4j's offline importer (`neo4j-admin database import
 * full`, run by the launcher: neo4j/src/main/java/armsgraph/BulkImport.java). Each file has a fixed
 * list of typed columns: the importer reads rows by position, so every row must have them all, and a
 * property's type is the column's. A value the columns do not declare, or of another type than its
 * column, is a programming error and throws: the bulk path must store what the transactional path
 * stores, property for property (a JavaScript number is a float there too, an Integer a long).
 *
 * Written with synchronous appends through a fixed buffer (FileAppender): the files are the importer's
 * input, read once complete; a synchronous write is its own backpressure, and encoding each row into
 * the buffer as it comes leaves no large string to collect, so memory stays flat whatever their size.
 */

export type ColumnType = 'string' | 'long' | 'double' | 'boolean' | 'string[]' | 'long[]';

/** Separates a string array's elements in a field: a control character no SIPRI text contains. */
export const ARRAY_DELIMITER = '\u001f';

/** One file of nodes of some labels, or of relationships of one type between two id spaces. */
export type BulkFileSpec =
  | {
      kind: 'nodes';
      labels: readonly string[];
      idSpace: string;
      columns: Record<string, ColumnType>;
      /** Whether the id is also the node's `id` property (default); nodes keyed otherwise have none. */
      idProperty?: boolean;
    }
  | {
      kind: 'relationships';
      type: string;
      from: string;
      to: string;
      columns: Record<string, ColumnType>;
    };

const BUFFER_BYTES = 1 << 18;

/**
 * Appends text to a file through one fixed buffer, encoded (UTF-8) as it is added. Text accumulated in
 * a string instead outlives the young generation's collections and is promoted, so V8 piles up old
 * garbage at the rate rows are written; here every row's string dies young and the buffer is reused.
 */
export class FileAppender {
  private readonly fd: number;
  private readonly buf: Buffer;
  private used = 0;

  constructor(
    readonly file: string,
    bytes = BUFFER_BYTES,
  ) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.allocUnsafe(bytes);
  }

  write(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 > this.buf.length) {
      this.flush();
      if (text.length * 3 > this.buf.length) {
        fs.writeSync(this.fd, text);
        return;
      }
    }
    this.used += this.buf.write(text, this.used);
  }

  flush(): void {
    for (let at = 0; at < this.used;) at += fs.writeSync(this.fd, this.buf, at, this.used - at);
    this.used = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/**
 * The lines of a UTF-8 file, read through one buffer (`bytes`, grown only for a longer line): never
 * the whole file in memory, whatever its size.
 */
export function* fileLines(file: string, bytes = 1 << 20): Generator<string> {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(bytes);
    let start = 0;
    let end = 0;
    for (;;) {
      const read = fs.readSync(fd, buf, end, buf.length - end, null);
      end += read;
      const filled = buf.subarray(0, end);
      let nl: number;
      while ((nl = filled.indexOf(10, start)) !== -1) {
        if (nl > start) yield buf.toString('utf8', start, nl);
        start = nl + 1;
      }
      if (read === 0) {
        if (end > start) yield buf.toString('utf8', start, end);
        return;
      }
      // Keep the unfinished line at the buffer's start; a line longer than the buffer doubles it.
      if (start === 0 && end === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, end);
        buf = bigger;
      } else {
        buf.copy(buf, 0, start, end);
        end -= start;
        start = 0;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function quoted(text: string): string {
  // Most text holds no quote: no replace (and its regular expression) for it.
  return text.indexOf('"') === -1 ? `"${text}"` : `"${text.replace(/"/g, '""')}"`;
}

/**
 * A Neo4j integer in decimal. Integer.toString emulates 64-bit division (several Integer objects a
 * digit group); a value in JavaScript's safe range, as every year, count and TIV here is, prints exactly
 * as its number.
 */
function decimal(value: Integer): string {
  return value.inSafeRange() ? String(value.toNumber()) : value.toString();
}

function cell(name: string, type: ColumnType, value: unknown): string {
  if (value === null || value === undefined) return '';
  const wrong = () => new Error(`bulk file: property ${name} (${type}) cannot hold ${JSON.stringify(value)}`);
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw wrong();
      return quoted(value);
    case 'long':
      if (!neo4j.isInt(value)) throw wrong();
      return decimal(value);
    case 'double':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value ? 'true' : 'false';
    case 'string[]': {
      if (!Array.isArray(value)) throw wrong();
      for (const v of value) if (typeof v !== 'string' || v.includes(ARRAY_DELIMITER)) throw wrong();
      // An empty list is stored as one: the importer reads an empty quoted field of an array column so.
      return quoted((value as string[]).join(ARRAY_DELIMITER));
    }
    case 'long[]': {
      if (!Array.isArray(value)) throw wrong();
      let text = '';
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (!neo4j.isInt(v)) throw wrong();
        text += i === 0 ? decimal(v) : ARRAY_DELIMITER + decimal(v);
      }
      return `"${text}"`;
    }
  }
}

/** Property `name` of `{ ...props, ...more }`. */
export function valueOf(
  name: string,
  props: Readonly<Record<string, unknown>>,
  more: Readonly<Record<string, unknown>> | undefined,
): unknown {
  return more !== undefined && Object.hasOwn(more, name) ? more[name] : props[name];
}

/** A file being written: rows go to its body, the header is written beside it when it is closed. */
export class BulkFile {
  readonly body: string;
  readonly header: string;
  rows = 0;
  private readonly out: FileAppender;
  private readonly names: string[];
  private readonly types: ColumnType[];

  constructor(
    dir: string,
    name: string,
    readonly spec: BulkFileSpec,
  ) {
    this.body = path.join(dir, `${name}.csv`);
    this.header = path.join(dir, `${name}.header.csv`);
    this.out = new FileAppender(this.body);
    this.names = Object.keys(spec.columns);
    this.types = Object.values(spec.columns);
  }

  /**
   * A node (its id and properties) or a relationship (its ends and properties): `props`, and `more`
   * over them as `{ ...props, ...more }` would be, without building that object for every row.
   */
  add(
    ids: readonly string[],
    props: Readonly<Record<string, unknown>>,
    more?: Readonly<Record<string, unknown>>,
  ): void {
    this.check(props);
    if (more) this.check(more);
    // One string a row, built by concatenation (no array of cells to join).
    let line = quoted(ids[0]!);
    for (let i = 1; i < ids.length; i++) line += ',' + quoted(ids[i]!);
    for (let i = 0; i < this.names.length; i++) {
      const n = this.names[i]!;
      line += ',' + cell(n, this.types[i]!, valueOf(n, props, more));
    }
    this.out.write(line + '\n');
    this.rows++;
  }

  private check(props: Readonly<Record<string, unknown>>): void {
    for (const key in props)
      if (!(key in this.spec.columns) && props[key] !== null && props[key] !== undefined)
        throw new Error(`bulk file ${path.basename(this.body)}: no column for property ${key}`);
  }

  /** Flushes the body and writes the header; returns the importer's option for this file. */
  close(): string {
    this.out.close();
    const s = this.spec;
    const props = Object.entries(s.columns).map(([n, t]) => `${n}:${t}`);
    const ids =
      s.kind === 'nodes'
        ? [`${s.idProperty === false ? '' : 'id'}:ID(${s.idSpace})`]
        : [`:START_ID(${s.from})`, `:END_ID(${s.to})`];
    fs.writeFileSync(this.header, [...ids, ...props].join(',') + '\n');
    return s.kind === 'nodes'
      ? `--nodes=${s.labels.join(':')}=${this.header},${this.body}`
      : `--relationships=${s.type}=${this.header},${this.body}`;
  }
}

/** The importer's options besides the files: how they are written (see BulkFile). */
export const BULK_FORMAT_OPTIONS = [
  `--array-delimiter=${ARRAY_DELIMITER}`,
  '--quote="',
  // Comments and descriptions may span lines.
  '--multiline-fields=true',
  '--id-type=string',
];
