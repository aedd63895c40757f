import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database';
import { upsertSource } from '../../db/graph-writer';
import { nameFields } from '../../db/names';
import {
  closeRelease,
  reconcileReleases,
  releaseImported,
  releaseSourceId,
  writeRelease,
  type Reconciled,
  type ReleaseNode,
} from '../../db/release-writes';
import {
  countReleaseDeals,
  LOOKUP_CYPHER,
  settleReconciledDeals,
  settleReleaseDeals,
  SOURCE_ID,
  writeSipriBatch,
  yearsRecordedByRun,
} from '../../db/sipri-writes';
import { resumeTivRollups, suspendTivRollups } from '../../db/tiv-rollups';
import { importInBatches, type ImportCounts, type Importer } from '../importer';
import { loadCountryTable, PartyResolver, type CountryEntry } from '../resolve-party';
import type { Register, RegisterLine } from './read-register';
import { releaseOf, type Release } from './release-preamble';
import { registerFingerprint } from './release-fingerprint';
import { batchParams, keepFirstDeliveryYears } from './sipri-batch';
import { SipriMapper, type PlannedRow, type SipriLookup } from './sipri-mapper';

/**
 * Imports a SIPRI export through the importer interface (src/import/importer.ts): lines are mapped to
 * the deals they land on (sipri-mapper.ts), batches are written in one transaction each
 * (src/db/sipri-writes.ts, MERGE on indexed ids, so a failure leaves no half batch and a re-run
 * completes the import without duplicates), and once every row is in, the release is reconciled and
 * its deals settled (status, TIV rollups). Where a curated deal and SIPRI disagree, both values are
 * kept as claims.
 */

export type { Rejected } from '../importer';

export interface ImportReport extends ImportCounts {
  variant: Register['variant'];
  dataGenerated: string;
  /** The release the export is (its Source id, date and scope). */
  release: { id: string } & Release;
  /** The same release was imported from this very file before: nothing was read or written. */
  alreadyImported: boolean;
  /** Deals and deliveries retired or revived because the newest release covering them does (not) list them. */
  reconciled: Omit<Reconciled, 'dealIds'>;
  deals: number;
  deliveries: number;
  countries: number;
  organizations: number;
  systems: number;
  /** SIPRI ids whose records were merged onto curated deals. */
  merged: { sipriId: string; dealId: string }[];
  /** Every supplier or recipient name that is not a state, and what it became. */
  nonStateParties: { name: string; id: string; kind: string }[];
  /** Where the time went (ms): writing batches, reconciling releases, deal statuses, TIV rollups. */
  timings: { batchesMs: number; reconcileMs: number; statusMs: number; rollupsMs: number };
  /**
   * The path the rows took: batches of transactions, or a bulk load into an empty graph
   * (bulk-load.ts), whose `batchesMs` is the sum of writing its files (the derived data computed
   * with them), Neo4j's offline import with the start that follows it, and what is written after it.
   */
  path: 'transactional' | 'bulk';
  bulk?: { filesMs: number; loadMs: number; settleMs: number };
}

export interface ImportOptions {
  /** Rows per write transaction. */
  batchSize?: number;
  /** Called after each committed batch with the rows read up to the end of that batch. */
  onProgress?: (rowsRead: number) => void;
  /** Called when the import moves on from writing batches to reconciling the deals it wrote. */
  onReconcile?: (deals: number) => void;
  countries?: CountryEntry[];
  /**
   * Server-side time limit of one batch's transaction (ms). An import is a batch job, not an API
   * request: a large batch on a busy machine may take longer than the per-request query timeout.
   */
  batchTimeoutMs?: number;
  /**
   * The release the export is (src/import/sipri/release-preamble.ts); read from its preamble when
   * absent, and refused when the preamble does not say.
   */
  release?: Release;
  /**
   * Opens the same export again. With it, an export whose rows were already imported as this release
   * is recognised by a first pass that fingerprints them, and nothing is written.
   */
  reread?: () => Promise<Register>;
  /**
   * Leaves the TIV rollups out of the import: the batches write no contributions and settling adds
   * none, so the tables sum deliveries (the same answers, slower) until the next start builds the
   * rollups (buildMissingTivRollups). What the rollups cost an import is measured with it
   * (bench/import.ts, IMPORT_ROLLUPS=defer).
   */
  deferRollups?: boolean;
}

export function emptyReport(
  variant: Register['variant'],
  seen: string,
  release: ImportReport['release'],
  reconciled: ImportReport['reconciled'],
): ImportReport {
  return {
    variant,
    dataGenerated: seen,
    release,
    alreadyImported: false,
    reconciled,
    rowsRead: 0,
    rowsImported: 0,
    rejectedRows: 0,
    rejected: [],
    deals: 0,
    deliveries: 0,
    countries: 0,
    organizations: 0,
    systems: 0,
    merged: [],
    nonStateParties: [],
    durationMs: 0,
    timings: { batchesMs: 0, reconcileMs: 0, statusMs: 0, rollupsMs: 0 },
    path: 'transactional',
  };
}

/**
 * Deals settled per transaction at the end of an import, in batches: a page writes each rollup row its
 * deals share once (a supplier's or recipient's year is shared by most pages), so larger pages write
 * fewer rows. At 200,000 deals, pages of 4 batches (20,000 deals) looked up 426k rollup rows instead of
 * 611k and set 0.88x the properties of pages of one (bench/results/2026-12-01-rollups-g.md); a
 * transaction holds a page's deals and the rows they touch, however large the register.
 */
const SETTLE_BATCHES = 4;

export async function importSipri(
  db: Database,
  register: Register,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 5000;
  const batchTimeoutMs = opts.batchTimeoutMs ?? 600_000;
  const release = opts.release ?? releaseOf(register.variant);
  const seen = release.generated;
  const releaseInfo = { id: releaseSourceId(seen), ...release };
  const releaseNode = releaseNodeOf(release);
  const already = await releaseImported(db, releaseNode, async () =>
    opts.reread
      ? registerFingerprint(await opts.reread(), new PartyResolver(opts.countries ?? loadCountryTable()))
      : undefined,
  );
  const noChange = { retiredDeals: 0, revivedDeals: 0, retiredDeliveries: 0, revivedDeliveries: 0 };
  if (already) {
    return {
      ...emptyReport(register.variant, seen, releaseInfo, noChange),
      alreadyImported: true,
      durationMs: Date.now() - started,
    };
  }

  const lookup = ((await db.read(LOOKUP_CYPHER))[0] ?? {}) as unknown as Partial<SipriLookup>;
  const mapper = new SipriMapper(
    register.variant.layout,
    { systems: lookup.systems ?? [], curated: lookup.curated ?? [], takenIds: lookup.takenIds ?? [] },
    opts.countries ?? loadCountryTable(),
  );
  await writeSipriSources(db, seen, releaseNode);

  const report = emptyReport(register.variant, seen, releaseInfo, noChange);
  // The rollups are settled once at the end (settleReleaseDeals): the tables sum deliveries until then.
  const rollupsWereBuilt = await suspendTivRollups(db);
  const ctx = { release: seen, run: randomUUID(), contributions: opts.deferRollups !== true };
  let deliveries = 0;
  const importer: Importer<RegisterLine, PlannedRow> = {
    map: (line) => mapper.map(line),
    write: (rows) =>
      db.writeTx(async (tx) => {
        // A row repeating a delivery year its deal already has in this export is refused: within the
        // batch by its rows, across batches by the release's record the run wrote before.
        const recorded = await yearsRecordedByRun(db, tx, ctx.release, ctx.run, [
          ...new Set(rows.map((r) => r.dealId)),
        ]);
        const { kept, refused } = keepFirstDeliveryYears(rows, recorded);
        // A refused row's new parties and systems are written all the same: later rows may name them.
        await writeSipriBatch(db, tx, batchParams(kept, ctx, rows));
        deliveries += kept.reduce((n, r) => n + r.row.deliveries.length, 0);
        return refused;
      }, batchTimeoutMs),
  };
  const t = Date.now();
  const counts = await importInBatches(register.lines, importer, {
    batchSize,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  report.timings.batchesMs = Date.now() - t;
  Object.assign(report, counts);

  await settleImportedRelease(db, mapper, report, {
    seen,
    pageSize: batchSize,
    timeoutMs: batchTimeoutMs,
    rollupsWereBuilt,
    deferRollups: opts.deferRollups === true,
    ...(opts.onReconcile ? { onReconcile: opts.onReconcile } : {}),
  });
  report.deliveries = deliveries;
  report.durationMs = Date.now() - started;
  return report;
}

/** The SIPRI source and the release's Source node (a version of it), before its rows are written. */
export async function writeSipriSources(db: Database, seen: string, releaseNode: ReleaseNode): Promise<void> {
  await upsertSource(db, {
    id: SOURCE_ID,
    dataGenerated: seen,
    props: {
      ...nameFields(SOURCE_ID, 'SIPRI Arms Transfers Database'),
      kind: 'database',
      title: 'SIPRI Arms Transfers Database',
      publisher: 'Stockholm International Peace Research Institute (SIPRI)',
      url: 'https://www.sipri.org/databases/armstransfers',
      citation: 'Source: SIPRI Arms Transfers Database',
      retrieved: seen,
      sourceIds: [],
    },
  });
  await writeRelease(db, releaseNode);
}

/** The release as its Source node holds it. */
export function releaseNodeOf(release: Release): ReleaseNode {
  return {
    generated: release.generated,
    scopeFrom: release.scope.from,
    scopeTo: release.scope.to,
    ordersIncluded: release.scope.ordersIncluded,
    allParties: release.scope.allParties,
  };
}

/**
 * What follows once every row of a release is in the graph, whichever path wrote them (the batches
 * here, or the bulk load: bulk-load.ts): the release's last year, reconciling it with the other
 * releases, each deal's status and TIV rollups, and last the fingerprint that marks it imported (an
 * import that stopped before is run again whole). Fills the report's counts from the mapper.
 */
export async function settleImportedRelease(
  db: Database,
  mapper: SipriMapper,
  report: ImportReport,
  opts: {
    seen: string;
    pageSize: number;
    timeoutMs: number;
    rollupsWereBuilt: boolean;
    /** Settle statuses only, and leave the rollups unbuilt (ImportOptions.deferRollups). */
    deferRollups?: boolean;
    onReconcile?: (deals: number) => void;
  },
): Promise<void> {
  const { seen } = opts;
  const t = Date.now();
  // The last year the export covers: the latest delivery year it lists.
  const lastYear = mapper.lastYear;
  await closeRelease(db, seen, undefined, lastYear);
  const { dealIds: settled, ...reconciled } = await reconcileReleases(db, {
    pageSize: opts.pageSize,
    timeoutMs: opts.timeoutMs,
  });
  report.reconciled = reconciled;
  const settle = { release: seen, lastYear, pageSize: opts.pageSize, timeoutMs: opts.timeoutMs };
  await settleReconciledDeals(db, settled, settle);
  report.timings.reconcileMs = Date.now() - t;
  const releaseDeals = await countReleaseDeals(db, seen);
  opts.onReconcile?.(releaseDeals);
  // Each page's rollups are refreshed with its statuses, in its transaction. Summing every row again
  // from the contributions after a first load (rebuildTivRollups) was measured against it on the real
  // register: it bounds memory as well, but re-reads the contributions once per level and cost more
  // of Neo4j's CPU, so it serves only the repair at start (buildMissingTivRollups).
  const done = await settleReleaseDeals(db, {
    ...settle,
    pageSize: opts.pageSize * SETTLE_BATCHES,
    rollups: opts.deferRollups !== true,
  });
  report.timings.statusMs = done.statusMs;
  report.timings.rollupsMs = done.rollupsMs;
  await resumeTivRollups(db, opts.rollupsWereBuilt && opts.deferRollups !== true);
  await closeRelease(db, seen, mapper.hasher.digest(), lastYear);

  report.deals = done.deals;
  reportEntities(mapper, report);
}

/** The report's counts of what the mapper met: deals merged, parties and systems. */
export function reportEntities(mapper: SipriMapper, report: ImportReport): void {
  report.merged = mapper.merged;
  const parties = [...mapper.partiesSeen.values()];
  report.countries = parties.filter((p) => p.label === 'Country').length;
  report.organizations = parties.length - report.countries;
  report.systems = mapper.systemsUsed;
  report.nonStateParties = [...mapper.nonState.values()].sort((a, b) => a.name.localeCompare(b.name));
}
