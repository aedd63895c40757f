/**
 * What every importer (one folder per source under src/import/) is: it reads its files into lines,
 * maps each line to a row it can write (or rejects it with its line number and reason), and writes
 * rows in batches through the graph writer (src/db/graph-writer.ts), one transaction per batch. The
 * batching, the pipelining of reading with writing and the counts of the report are shared here, so
 * a new register is a reader, a mapper and a batch writer.
 */

/** A line the importer did not write, and why. */
export interface Rejected {
  line: number;
  reason: string;
}

/**
 * How many rejected rows a report lists by line and reason. A file of millions of bad rows must not
 * cost a list of millions: beyond these, rejected rows are only counted (`rejectedRows`).
 */
export const MAX_LISTED_REJECTED = 1000;

/** The part of an import's report every importer has, and the CLI prints first. */
export interface ImportCounts {
  rowsRead: number;
  /** Rows written (read less rejected). */
  rowsImported: number;
  /** Every row rejected: rowsRead = rowsImported + rejectedRows. */
  rejectedRows: number;
  /** The first MAX_LISTED_REJECTED rejected rows (all of them when there are no more), in line order. */
  rejected: Rejected[];
  durationMs: number;
}

/**
 * The rejected rows of an import: all counted, the lowest MAX_LISTED_REJECTED line numbers kept.
 * Rows arrive out of line order (a batch's refusals come back while the next batch is mapped), so the
 * list is trimmed to its lowest lines whenever it doubles: never more than twice the bound is held.
 */
export class RejectedRows {
  count = 0;
  private kept: Rejected[] = [];

  constructor(private readonly bound = MAX_LISTED_REJECTED) {}

  add(rows: readonly Rejected[]): void {
    this.count += rows.length;
    for (const r of rows) this.kept.push(r);
    if (this.kept.length >= 2 * this.bound) this.trim();
  }

  /** How many rows are held to be listed (at most twice the bound at any time). */
  get held(): number {
    return this.kept.length;
  }

  /** The listed rows, in line order. */
  list(): Rejected[] {
    this.trim();
    return this.kept;
  }

  private trim(): void {
    this.kept.sort((a, b) => a.line - b.line);
    if (this.kept.length > this.bound) this.kept = this.kept.slice(0, this.bound);
  }
}

/** A mapped line: a row to write, or why the line is rejected. */
export type Mapped<Row> = { ok: true; row: Row } | { ok: false; rejected: Rejected };

export interface Importer<Line, Row> {
  /** Maps one line; may keep what it learns about the source (names seen, ids given). */
  map(line: Line): Mapped<Row>;
  /**
   * Writes a batch of rows in one transaction and returns the rows the graph refused (a repeated
   * fact the database already holds from an earlier batch). Called with one batch at a time: the
   * previous batch is committed before the next is written.
   */
  write(rows: Row[]): Promise<Rejected[]>;
}

export interface BatchOptions {
  /** Rows per write transaction. */
  batchSize: number;
  /** Called after each committed batch with the lines read up to the end of that batch. */
  onProgress?: (rowsRead: number) => void;
}

/**
 * Reads, maps and writes every line in batches. Reading is pipelined with writing: while one batch is
 * in flight the next one is read and mapped, and at most one batch waits, so memory is bounded by
 * two batches whatever the size of the source. Nothing else is kept per row: counts, and at most
 * MAX_LISTED_REJECTED rejected rows (twice that while trimming).
 */
export async function importInBatches<Line, Row>(
  lines: AsyncIterable<Line>,
  importer: Importer<Line, Row>,
  opts: BatchOptions,
): Promise<Omit<ImportCounts, 'durationMs'>> {
  const counts = { rowsRead: 0, rowsImported: 0 };
  const rejected = new RejectedRows();
  let batch: Row[] = [];
  // The batch being written while the next is read; its failure surfaces at the next flush or the end.
  let inflight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    const read = counts.rowsRead;
    batch = [];
    await inflight;
    inflight = importer.write(rows).then((refused) => {
      rejected.add(refused);
      counts.rowsImported += rows.length - refused.length;
      opts.onProgress?.(read);
    });
    // Awaited at the next flush or at the end; until then a failure must not count as unhandled.
    inflight.catch(() => undefined);
  };
  for await (const line of lines) {
    counts.rowsRead++;
    const mapped = importer.map(line);
    if (!mapped.ok) {
      rejected.add([mapped.rejected]);
      continue;
    }
    batch.push(mapped.row);
    if (batch.length >= opts.batchSize) await flush();
  }
  await flush();
  await inflight;
  return { ...counts, rejectedRows: rejected.count, rejected: rejected.list() };
}
