import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from '../../config';
import { fillEmptyLists, graphIsEmpty } from '../../db/bulk-writes';
import { DEAL_SLOTS_BUILT } from '../../db/deal-slots';
import { closeRelease, releaseSourceId } from '../../db/release-writes';
import { DEAL_RELATION_KEYS_MARKER } from '../../db/relation-key-migration';
import { ROLLUP_LAYOUT, BUILT_LABEL as TIV_ROLLUPS_BUILT } from '../../db/tiv-rollups';
import { ArmsgraphError, ErrorCode } from '../../errors';
import type { Logger } from '../../logger';
import { embeddedInUse, embeddedStoreExists } from '../../neo4j/embedded';
import { openStore, type Store } from '../../store';
import { loadCountryTable } from '../resolve-party';
import { writeBulkFiles } from './bulk-files';
import {
  emptyReport,
  releaseNodeOf,
  reportEntities,
  writeSipriSources,
  type ImportOptions,
  type ImportReport,
} from './import-register';
import type { Register, RegisterLine } from './read-register';
import { releaseOf } from './release-preamble';
import { SipriMapper } from './sipri-mapper';

/**
 * A first load at bulk speed. Into an empty embedded graph, a SIPRI export is mapped once (the
 * transactional path's mapper and batch builder: bulk-files.ts) to the files of Neo4j's offline
 * importer, which the launcher runs on the data folder before it starts Neo4j
 * (neo4j/src/main/java/armsgraph/BulkImport.java); then Neo4j starts with the schema step
 * (constraints, indexes). What the transactional path derives from the graph once the rows are in
 * (totals, statuses, deal slots, TIV contributions and rollups) is computed while the files are
 * written (bulk-derived.ts) and imported with the rows; only the release's Source nodes are written
 * after the start. The graph is the one the transactional path writes into an empty graph.
 *
 * Reconciling releases is left out: in an empty graph the only release judging a fact is the one
 * being loaded, which lists every fact it wrote, so it retires and revives nothing.
 *
 * The offline importer replaces the database, so it only ever runs on a folder this process owns (no
 * other armsgraph process runs Neo4j on it; Neo4j's file lock refuses any other) and a graph found
 * empty (nothing with an id: a folder never started, or one holding only the schema step's markers).
 */

/** How `import sipri` writes: bulk when it can (auto), bulk or refuse, or the transactional batches. */
export type LoadMode = 'auto' | 'bulk' | 'transactional';

/** The path an import takes: a bulk load, or the batches into this store. */
export type LoadPath = { path: 'bulk' } | { path: 'transactional'; store: Store; why: string };

/**
 * Up to this many rows, a JVM started for the import compiles with the JIT's first tier only
 * (EmbeddedOptions.shortLived): compiling is then most of its CPU. Larger imports run long enough to
 * repay the optimising tier.
 */
export const SHORT_LIVED_MAX_ROWS = 100_000;

/**
 * Decides the path (see LoadMode); a refused bulk load says why. `rows`: the export's rows, when
 * known (a JVM started here for a small import is short-lived).
 */
export async function chooseLoadPath(
  config: Config,
  logger: Logger,
  mode: LoadMode,
  rows?: number,
): Promise<LoadPath> {
  const shortLived = rows !== undefined && rows <= SHORT_LIVED_MAX_ROWS;
  const transactional = async (why: string): Promise<LoadPath> => ({
    path: 'transactional',
    store: await openStore(config, logger, { shortLived }),
    why,
  });
  if (mode === 'transactional') return transactional('--no-bulk');
  if (config.neo4j.uri) {
    if (mode === 'bulk')
      throw new ConfigError(
        "A bulk load writes the embedded Neo4j's own folder; with NEO4J_URI set, import without --bulk",
      );
    return transactional('NEO4J_URI is set');
  }
  const busy = embeddedInUse(config.embedded.dataDir);
  if (busy) {
    if (mode === 'bulk')
      throw new ConfigError(
        `The Neo4j data folder ${config.embedded.dataDir} is in use by another armsgraph process (pid ${busy.pid}): ` +
          'a bulk load needs the folder to itself. Stop that process (the service or another import), or import without --bulk.',
      );
    return transactional(`the embedded Neo4j runs in process ${busy.pid}`);
  }
  if (!embeddedStoreExists(config.embedded.dataDir)) return { path: 'bulk' };
  const store = await openStore(config, logger, { shortLived });
  let empty: boolean;
  try {
    empty = Boolean(store.embedded?.owned) && (await graphIsEmpty(store.db));
  } catch (err) {
    await store.close();
    throw err;
  }
  if (empty) {
    await store.close();
    return { path: 'bulk' };
  }
  if (mode === 'bulk') {
    await store.close();
    throw new ArmsgraphError(
      ErrorCode.CONFLICT,
      `The graph in ${config.embedded.dataDir} is not empty: a bulk load writes only an empty graph. Import without --bulk.`,
    );
  }
  return { path: 'transactional', store, why: 'the graph is not empty' };
}

/** Counts lines as they are read, reporting every `every` lines. */
async function* counted(
  lines: AsyncIterable<RegisterLine>,
  every: number,
  onProgress: ((rows: number) => void) | undefined,
): AsyncIterable<RegisterLine> {
  let n = 0;
  for await (const line of lines) {
    yield line;
    if (++n % every === 0) onProgress?.(n);
  }
}

/** Loads the export into the empty embedded graph (chooseLoadPath said so); returns the open store. */
export async function bulkImportSipri(
  config: Config,
  logger: Logger,
  register: Register,
  opts: ImportOptions = {},
): Promise<{ report: ImportReport; store: Store }> {
  const started = Date.now();
  const pageSize = opts.batchSize ?? 5000;
  const timeoutMs = opts.batchTimeoutMs ?? 600_000;
  const release = opts.release ?? releaseOf(register.variant);
  const seen = release.generated;
  const report = emptyReport(
    register.variant,
    seen,
    { id: releaseSourceId(seen), ...release },
    {
      retiredDeals: 0,
      revivedDeals: 0,
      retiredDeliveries: 0,
      revivedDeliveries: 0,
    },
  );
  // An empty graph: no system to match a designation to, no curated deal to merge onto, no id taken.
  const mapper = new SipriMapper(
    register.variant.layout,
    { systems: [], curated: [], takenIds: [] },
    opts.countries ?? loadCountryTable(),
  );
  const dir = path.join(config.embedded.dataDir, 'bulk-import');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let store: Store | undefined;
  try {
    let t = Date.now();
    // The files hold the rollups and slots, and the relationships their keys: nothing to build at start.
    // Deferred rollups are neither written nor marked built: the caller builds them
    // (buildMissingTivRollups), or the next start does.
    const rollups = opts.deferRollups !== true;
    const files = await writeBulkFiles(
      counted(register.lines, pageSize, opts.onProgress),
      mapper,
      dir,
      { release: seen, run: randomUUID() },
      [
        ...(rollups ? [{ label: TIV_ROLLUPS_BUILT, layout: ROLLUP_LAYOUT }] : []),
        { label: DEAL_RELATION_KEYS_MARKER },
        { label: DEAL_SLOTS_BUILT },
      ],
      { rollups },
    );
    const argsFile = path.join(dir, 'import.args');
    fs.writeFileSync(argsFile, files.args.join('\n') + '\n');
    const filesMs = Date.now() - t;
    t = Date.now();
    store = await openStore(config, logger, {
      bulkImport: argsFile,
      buildRollups: rollups,
      shortLived: files.rowsRead <= SHORT_LIVED_MAX_ROWS,
    });
    const loadMs = Date.now() - t;
    fs.rmSync(dir, { recursive: true, force: true });
    opts.onProgress?.(files.rowsRead);
    t = Date.now();
    for (const [label, props] of Object.entries(files.emptyLists))
      await fillEmptyLists(store.db, label, props, pageSize * 4, timeoutMs);
    await writeSipriSources(store.db, seen, releaseNodeOf(release));
    // Marked imported from this file, as the transactional path marks it once settled.
    await closeRelease(store.db, seen, mapper.hasher.digest(), mapper.lastYear);
    opts.onReconcile?.(files.deals);
    const settleMs = Date.now() - t;
    report.rowsRead = files.rowsRead;
    report.rowsImported = files.rowsImported;
    report.rejected = files.rejected;
    report.rejectedRows = files.rejectedRows;
    report.deliveries = files.deliveries;
    report.deals = files.deals;
    reportEntities(mapper, report);
    report.timings.batchesMs = filesMs + loadMs + settleMs;
    report.path = 'bulk';
    report.bulk = { filesMs, loadMs, settleMs };
    report.durationMs = Date.now() - started;
    return { report, store };
  } catch (err) {
    await store?.close();
    throw err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
