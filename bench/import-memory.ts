/**
 * The importer's own memory, without a database: `npm run bench:import-memory` (IMPORT_ROWS=1900000
 * by default, or IMPORT_FILE=<export>). It runs the node side of a SIPRI import as it is: the
 * streaming reader, the mapper, the shared batching writer with its back-pressure, and each batch's
 * statement parameters built as they would be sent (src/import/sipri/sipri-batch.ts); only the
 * sending is left out, so what it measures is what node keeps between batches, at millions of rows in
 * minutes instead of the hours a loaded Neo4j takes. Node's memory is sampled after every batch; run
 * with node --expose-gc and IMPORT_LIVE_HEAP=1 to collect garbage before each sample. The full import
 * with Neo4j is `npm run bench:import`, which samples the same way.
 * IMPORT_PATH=bulk measures the node side of the bulk first load instead: the offline importer's files
 * written (src/import/sipri/bulk-files.ts) into a temporary folder, removed afterwards, with the
 * derived data. Samples are taken as the rows are read; the parts written after the last line (which
 * run without a pause) show in the peak RSS, the kernel's counter.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importInBatches } from '../src/import/importer';
import { loadCountryTable } from '../src/import/resolve-party';
import { writeBulkFiles } from '../src/import/sipri/bulk-files';
import { readRegister, type RegisterLine } from '../src/import/sipri/read-register';
import { batchParams } from '../src/import/sipri/sipri-batch';
import { SipriMapper } from '../src/import/sipri/sipri-mapper';
import { syntheticRegister } from './import';
import { PeakTracker } from './proc-memory';

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

async function main(): Promise<void> {
  const env = process.env;
  const rows = Number(env.IMPORT_ROWS ?? 1_900_000);
  const file = env.IMPORT_FILE ?? (await syntheticRegister(rows));
  const batchSize = Number(env.IMPORT_BATCH_SIZE ?? 5000);
  const gc = env.IMPORT_LIVE_HEAP === '1' ? (globalThis as { gc?: () => void }).gc : undefined;
  if (env.IMPORT_LIVE_HEAP === '1' && !gc) throw new Error('IMPORT_LIVE_HEAP=1 needs node --expose-gc');
  const register = await readRegister(file);
  const mapper = new SipriMapper(
    register.variant.layout,
    { systems: [], curated: [], takenIds: [] },
    loadCountryTable(),
  );
  const ctx = { release: '2025-01-01', run: 'bench' };
  const samples: { rows: number; heapUsedMb: number; rssMb: number }[] = [];
  let params = 0;
  const peaks = new PeakTracker([process.pid]);
  const started = Date.now();
  const sample = (read: number) => {
    gc?.();
    const m = process.memoryUsage();
    samples.push({ rows: read, heapUsedMb: mb(m.heapUsed), rssMb: mb(m.rss) });
  };
  const counts =
    env.IMPORT_PATH === 'bulk'
      ? await bulkFiles(register.lines, mapper, ctx, batchSize, sample)
      : await importInBatches(
          register.lines,
          {
            map: (line) => mapper.map(line),
            write: async (batch) => {
              // What the writer would send; counted so that building it cannot be optimised away.
              params += batchParams(batch, ctx).records.length;
              await new Promise((resolve) => setImmediate(resolve));
              return [];
            },
          },
          {
            batchSize,
            onProgress: sample,
          },
        );
  const peakRssMb = mb(peaks.stop().get(process.pid) ?? 0);
  const quarters = [0.25, 0.5, 0.75, 1].flatMap((q) => {
    const at = samples.find((s) => s.rows >= q * counts.rowsRead) ?? samples.at(-1);
    return at ? [at] : [];
  });
  const result = {
    file,
    rowsRead: counts.rowsRead,
    rejected: counts.rejectedRows,
    dealRecordsBuilt: params,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    live: Boolean(gc),
    peakRssMb,
    peakHeapUsedMb: Math.max(...samples.map((s) => s.heapUsedMb)),
    samples: quarters,
    load: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** The bulk load's files for `lines`, written into a temporary folder and removed. */
async function bulkFiles(
  lines: AsyncIterable<RegisterLine>,
  mapper: SipriMapper,
  ctx: { release: string; run: string },
  every: number,
  sample: (read: number) => void,
): Promise<{ rowsRead: number; rejectedRows: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bulk-files-'));
  let read = 0;
  async function* counted(): AsyncIterable<RegisterLine> {
    for await (const line of lines) {
      yield line;
      if (++read % every === 0) sample(read);
    }
  }
  try {
    const r = await writeBulkFiles(counted(), mapper, dir, ctx, []);
    sample(read);
    return { rowsRead: r.rowsRead, rejectedRows: r.rejectedRows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:import-memory failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
