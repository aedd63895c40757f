import type { ExportResult } from './export-hook';
import type { Measurement } from './load-loop';
import type { Machine } from './machine';
import type { MixParams } from './query-mix';
import type { Settings } from './bench-settings';

/** What `npm run bench` measured (bench/run.ts), as bench/report.ts renders it and latest.json holds it. */

export type TargetName = 'armsgraph' | 'floor' | 'peer' | 'baseline';

export type Measured = Measurement | { notMeasured: string };

export interface QueryResult {
  name: string;
  what: string;
  /** Whether every target gave armsgraph's answer (ids, order, counts). */
  sameAnswer: Partial<Record<TargetName, boolean>>;
  answerMismatch: string | null;
  results: Partial<Record<TargetName, Measured>>;
}

export interface DatasetResult {
  name: string;
  deals: number;
  rows: number;
  generateSeconds: number | null;
  import: {
    rows: number;
    seconds: number;
    rowsPerSecond: number;
    peakRssMiB: { importer: number | null; neo4j: number | null };
    /** The importer's own split (ms): writing batches, reconciling releases, statuses, TIV rollups. */
    timingsMs?: { batchesMs: number; reconcileMs: number; statusMs: number; rollupsMs: number };
    /**
     * How the register was loaded: 'bulk' (a user's first load: the offline importer into an empty
     * folder, its JVM and Neo4j's start included) with its split, or the transactional batches.
     */
    path?: 'bulk' | 'transactional';
    bulkMs?: { filesMs: number; loadMs: number; settleMs: number };
  };
  params: MixParams;
  queries: QueryResult[];
  peakRssMiB: Partial<Record<TargetName | 'neo4j', number | null>>;
  loadBefore: [number, number, number];
  loadAfter: [number, number, number];
  seconds: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  uptimeAtStart: string;
  uptimeAtEnd: string;
  settings: Settings;
  datasets: DatasetResult[];
  exports: ExportResult;
  skipped: string[];
}
