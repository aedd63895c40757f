/**
 * The importer's own memory, without a database: `npm run bench:import-memory` (IMPORT_ROWS=1900000
 * by default, or IMPORT_FILE=<export>). It runs the node side of a SIPRI import as it is: the
 * streaming reader, the mapper, the shared batching writer with its back-pressure, and each batch's
 * statement parameters built as they would be sent (src/import/sipri/sipri-batch.ts); only the
 * sending is left out, so what it measures is what node keeps between batches, at millions of rows in
 * minutes instead of the hours a loaded Neo4j takes. Node's memory is sampled after every batch; run
 * with node --expose-gc and IMPORT_LIVE_HEAP=1 to collect garbage before each sample. The full import
 * with Neo4j is `npm run bench:import`, which samples the same way.
 */
import os from 'node:os';
import { importInBatches } from '../src/import/importer';
import { loadCountryTable } from '../src/import/resolve-party';
import { readRegister } from '../src/import/sipri/read-register';
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
  const counts = await importInBatches(
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
      onProgress: (read) => {
        gc?.();
        const m = process.memoryUsage();
        samples.push({ rows: read, heapUsedMb: mb(m.heapUsed), rssMb: mb(m.rss) });
      },
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

main().catch((err: unknown) => {
  process.stderr.write(`bench:import-memory failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
