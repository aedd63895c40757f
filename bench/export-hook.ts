import { benchExport, type ExportBenchSize } from './export';

/** Export throughput (bench/export.ts, on its own Neo4j and synthetic graph), or why it was not measured. */
export type ExportResult = { sizes: ExportBenchSize[] } | { notMeasured: string };

/** Formats whose rate counts edges (the CSV of nodes and of deals have none). */
export const edgeFormat = (format: string) => format !== 'nodes.csv' && format !== 'deals.csv';

export async function exportBench(sizes: number[], log: (line: string) => void): Promise<ExportResult> {
  if (process.env.BENCH_EXPORT === '0') return { notMeasured: 'BENCH_EXPORT=0' };
  try {
    return { sizes: await benchExport({ sizes, log }) };
  } catch (err) {
    return { notMeasured: `the export benchmark failed: ${(err as Error).message}` };
  }
}
