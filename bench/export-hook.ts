import type { Database } from '../src/db/database';

/** Export throughput of one dataset, or why it was not measured. */
export type ExportResult =
  | {
      edges: number;
      seconds: number;
      edgesPerSecond: number;
      peakRssMiB: { exporter: number | null; neo4j: number | null };
    }
  | { notMeasured: string };

/** Calls bench/export.ts (benchExport, from the exports work) when this branch has it. */
export async function exportBench(_db: Database, _neo4jPid: number): Promise<ExportResult> {
  return { notMeasured: 'bench/export.ts (benchExport) is not on this branch yet' };
}
