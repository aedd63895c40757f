import { importInBatches, type Importer, type Rejected } from '../../src/import/importer';

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
});
