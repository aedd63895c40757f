import {
  importInBatches,
  MAX_LISTED_REJECTED,
  RejectedRows,
  type Importer,
  type Rejected,
} from '../../src/import/importer';

/** Lines as an importer reads them: numbered text. */
async function* linesOf(texts: string[]): AsyncIterable<{ line: number; text: string }> {
  for (const [i, text] of texts.entries()) yield { line: i + 1, text };
}

/**
 * An importer of numbers: a non-number is rejected when mapped, and a number its batches already
 * wrote is refused when written (as the graph refuses a repeated delivery year).
 */
function numbers(): {
  importer: Importer<{ line: number; text: string }, { line: number; n: number }>;
  batches: number[][];
  inFlight: number[];
} {
  const batches: number[][] = [];
  const inFlight: number[] = [];
  const written = new Set<number>();
  let writing = 0;
  const importer: Importer<{ line: number; text: string }, { line: number; n: number }> = {
    map: ({ line, text }) =>
      /^\d+$/.test(text)
        ? { ok: true, row: { line, n: Number(text) } }
        : { ok: false, rejected: { line, reason: `"${text}" is not a number` } },
    write: async (rows) => {
      writing++;
      inFlight.push(writing);
      await new Promise((r) => setTimeout(r, 5));
      const refused: Rejected[] = [];
      const kept: number[] = [];
      for (const r of rows) {
        if (written.has(r.n)) refused.push({ line: r.line, reason: `${r.n} again` });
        else kept.push(r.n);
      }
      for (const n of kept) written.add(n);
      batches.push(kept);
      writing--;
      return refused;
    },
  };
  return { importer, batches, inFlight };
}

describe('importInBatches (the importers’ shared batching writer)', () => {
  it('writes batches of the given size in order, one at a time, and counts read = imported + rejected', async () => {
    const { importer, batches, inFlight } = numbers();
    const progress: number[] = [];
    const counts = await importInBatches(linesOf(['1', '2', 'x', '3', '2', '4', '5', 'y', '1']), importer, {
      batchSize: 3,
      onProgress: (n) => progress.push(n),
    });
    expect(batches).toEqual([[1, 2, 3], [4, 5], []]);
    expect(inFlight.every((n) => n === 1)).toBe(true);
    expect(counts.rowsRead).toBe(9);
    expect(counts.rowsImported).toBe(5);
    // Rejected when mapped (x, y) and refused by the writer (2, 1 again), in line order.
    expect(counts.rejected.map((r) => r.line)).toEqual([3, 5, 8, 9]);
    expect(counts.rowsImported + counts.rejected.length).toBe(counts.rowsRead);
    // After each committed batch: the lines read up to its end.
    expect(progress).toEqual([4, 7, 9]);
  });

  it('a failing batch fails the import', async () => {
    const importer: Importer<{ line: number; text: string }, number> = {
      map: ({ text }) => ({ ok: true, row: Number(text) }),
      write: (rows) => (rows.includes(3) ? Promise.reject(new Error('batch failed')) : Promise.resolve([])),
    };
    await expect(
      importInBatches(linesOf(['1', '2', '3', '4', '5']), importer, { batchSize: 2 }),
    ).rejects.toThrow('batch failed');
  });

  it('reads at most one batch ahead of the write in flight, however long the source', async () => {
    const batchSize = 50;
    let pulled = 0;
    let committed = 0;
    let ahead = 0;
    async function* source(): AsyncIterable<{ line: number; text: string }> {
      for (let i = 1; i <= 20_000; i++) {
        pulled++;
        // Lines read but not yet in a committed batch: what the importer holds at this moment.
        ahead = Math.max(ahead, pulled - committed);
        yield { line: i, text: String(i) };
      }
    }
    const importer: Importer<{ line: number; text: string }, number> = {
      map: ({ text }) => ({ ok: true, row: Number(text) }),
      write: async (rows) => {
        // A slow writer: the source could run far ahead if nothing held it back.
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        committed += rows.length;
        return [];
      },
    };
    const counts = await importInBatches(source(), importer, { batchSize });
    expect(counts.rowsImported).toBe(20_000);
    // The batch being written, the batch being read, and the line that fills the second.
    expect(ahead).toBeLessThanOrEqual(2 * batchSize + 1);
    // Reading did go on while a batch was written (pipelined, not one batch at a time).
    expect(ahead).toBeGreaterThan(batchSize + 1);
  });

  it('counts every rejected row but lists only the first MAX_LISTED_REJECTED, in line order', async () => {
    // Every fifth line a number (written), every other line rejected when mapped.
    const lines = Array.from({ length: 5 * MAX_LISTED_REJECTED + 7 }, (_, i) =>
      i % 5 === 4 ? String(i) : 'x',
    );
    const { importer } = numbers();
    const counts = await importInBatches(linesOf(lines), importer, { batchSize: 100 });
    const rejectedLines = lines.flatMap((t, i) => (t === 'x' ? [i + 1] : []));
    expect(counts.rowsImported).toBe(lines.length - rejectedLines.length);
    expect(counts.rejectedRows).toBe(rejectedLines.length);
    expect(counts.rowsImported + counts.rejectedRows).toBe(counts.rowsRead);
    expect(counts.rejected.map((r) => r.line)).toEqual(rejectedLines.slice(0, MAX_LISTED_REJECTED));
  });
});

describe('RejectedRows', () => {
  it('holds at most twice its bound whatever the order rows arrive in, and keeps the lowest lines', () => {
    const bound = 10;
    const list = new RejectedRows(bound);
    let most = 0;
    // Lines in a scrambled order, as refusals of one batch arrive after rejections of the next.
    const lines = Array.from({ length: 1000 }, (_, i) => ((i * 389) % 1000) + 1);
    for (const line of lines) {
      list.add([{ line, reason: 'bad' }]);
      most = Math.max(most, list.held);
    }
    expect(list.count).toBe(1000);
    expect(most).toBeLessThanOrEqual(2 * bound);
    expect(list.list().map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
