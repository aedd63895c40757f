import type { Command } from 'commander';
import { loadConfig } from '../config';
import { ArmsgraphError } from '../errors';
import { writeReferenceData } from '../import/reference/import-reference';
import { DEFAULT_REFERENCE_DIR, readReference } from '../import/reference/read-reference';
import type { ImportCounts } from '../import/importer';
import { bulkImportSipri, chooseLoadPath, type LoadMode } from '../import/sipri/bulk-load';
import { importSipri, type ImportReport } from '../import/sipri/import-register';
import { readRegister } from '../import/sipri/read-register';
import { describeScope, releaseOf, type Release } from '../import/sipri/release-preamble';
import { createLogger } from '../logger';
import { openStore, type Store } from '../store';
import { countLines } from './count-lines';
import { EXIT, UsageError } from './exit-codes';
import { createProgress, silentProgress } from './progress';

/** The lines every importer's report shares: rows read, imported and rejected, time and rate. */
export function formatImportCounts(
  r: ImportCounts,
  maxRejected = 50,
): { counts: string; rate: string; rejected: string[] } {
  const rate = r.durationMs > 0 ? Math.round((r.rowsRead * 1000) / r.durationMs) : r.rowsRead;
  const rejected = r.rejected.slice(0, maxRejected).map((x) => `rejected line ${x.line}: ${x.reason}`);
  if (r.rejectedRows > rejected.length)
    rejected.push(`... and ${r.rejectedRows - rejected.length} more rejected rows`);
  return {
    counts: `rows read ${r.rowsRead} = imported ${r.rowsImported} + rejected ${r.rejectedRows}`,
    rate: `${(r.durationMs / 1000).toFixed(1)} s, ${rate} rows/s`,
    rejected,
  };
}

/** The summary printed after a SIPRI import: counts, rate, rejected rows with line numbers. */
export function formatImportSummary(file: string, r: ImportReport, maxRejected = 50): string {
  const shared = formatImportCounts(r, maxRejected);
  const v = r.variant;
  const release = `release ${r.release.id} (${describeScope(r.release.scope)})`;
  if (r.alreadyImported) return `${file}: ${release} was already imported from these rows: nothing written\n`;
  const c = r.reconciled;
  const lines = [
    `${file}: SIPRI export (${v.layout} layout, ${v.encoding}, ${v.lineEnding}${v.trailingSemicolon ? ', trailing ;' : ''}), ${release}`,
    shared.counts,
    `deals ${r.deals} (${r.merged.length} merged onto curated deals), deliveries ${r.deliveries}, ` +
      `countries ${r.countries}, organisations ${r.organizations}, weapon systems ${r.systems}`,
    `retired by the newest release covering them: ${c.retiredDeals} deals, ${c.retiredDeliveries} deliveries; ` +
      `revived: ${c.revivedDeals} deals, ${c.revivedDeliveries} deliveries`,
    r.path === 'bulk' ? `${shared.rate} (bulk load into an empty graph)` : shared.rate,
  ];
  for (const m of r.merged) lines.push(`merged SIPRI ${m.sipriId} onto ${m.dealId}`);
  lines.push(...shared.rejected);
  return lines.join('\n') + '\n';
}

interface ImportOptions {
  batchSize: string;
  progress: boolean;
  json?: boolean;
  /** The release, for a file whose preamble does not state it. */
  generated?: string;
  scope?: string;
  withOrders?: boolean;
  /** true: bulk load or refuse; false: transactional batches; unset: bulk when the graph is empty. */
  bulk?: boolean;
}

export function registerImport(program: Command): void {
  const imp = program.command('import').description('import external registers into the graph');
  imp
    .command('sipri <file>')
    .description(
      'import a SIPRI Arms Transfers Database export (CSV; any layout, encoding and line ending SIPRI uses). ' +
        `Idempotent; exits ${EXIT.PARTIAL} when rows were rejected.`,
    )
    .option('--batch-size <rows>', 'rows per write transaction', '5000')
    .option(
      '--no-progress',
      'no progress on stderr (by default: a live line on a terminal, a plain line every 10 s otherwise)',
    )
    .option('--json', 'print the report as JSON (stdout then holds the JSON alone)')
    .option(
      '--generated <date>',
      'the release\'s "Data generated" date (YYYY-MM-DD), for a file whose preamble lacks it',
    )
    .option(
      '--scope <from-to>',
      'the year range the export was made for (1995-2025), for a file whose preamble lacks it',
    )
    .option('--with-orders', 'the export lists deals ordered in the range without deliveries too')
    .option(
      '--bulk',
      "load through Neo4j's offline importer, or refuse (the default does so whenever it can: an empty graph " +
        'in the embedded Neo4j, whose folder no other process has open)',
    )
    .option('--no-bulk', 'write in transactions of --batch-size rows even into an empty graph')
    .action(async (file: string, opts: ImportOptions) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(`--batch-size must be a positive integer, got "${opts.batchSize}"`);
      const register = await readRegister(file).catch((err: unknown) => {
        // A file that is not an export (or cannot be read) fails the import (exit 1): the command
        // line was right, the file was not.
        throw err instanceof ArmsgraphError ? new Error(err.message) : err;
      });
      let release: Release;
      try {
        release = releaseOf(register.variant, {
          ...(opts.generated !== undefined ? { generated: opts.generated } : {}),
          ...(opts.scope !== undefined ? { scope: opts.scope } : {}),
          ...(opts.withOrders ? { ordersIncluded: true } : {}),
        });
      } catch (err) {
        throw new UsageError(`${file}: ${(err as Error).message}`);
      }
      const config = loadConfig();
      const logger = createLogger(config.cliLogLevel);
      // Progress is on stderr, so stdout stays the report (or the JSON) alone.
      const progress = opts.progress ? createProgress({ label: 'import', unit: 'rows' }) : silentProgress;
      progress.phase('counting', undefined, 'rows');
      const total = await countLines(file, register.variant.headerLine + 1);
      const mode: LoadMode = opts.bulk === true ? 'bulk' : opts.bulk === false ? 'transactional' : 'auto';
      const choice = await chooseLoadPath(config, logger, mode, total);
      let store: Store | undefined;
      let report: ImportReport;
      const importOpts = {
        batchSize,
        release,
        onProgress: (rows: number) => progress.update(rows),
        onReconcile: (deals: number) => progress.phase('reconciling deal statuses', deals, 'deals'),
      };
      try {
        progress.phase('writing', total);
        if (choice.path === 'bulk') {
          ({ report, store } = await bulkImportSipri(config, logger, register, importOpts));
        } else {
          store = choice.store;
          report = await importSipri(store.db, register, { ...importOpts, reread: () => readRegister(file) });
        }
        progress.update(report.deals);
      } finally {
        progress.done();
        await store?.close();
      }
      process.stdout.write(
        opts.json ? JSON.stringify(report, null, 2) + '\n' : formatImportSummary(file, report),
      );
      process.exitCode = report.rejectedRows > 0 ? EXIT.PARTIAL : EXIT.OK;
    });
  imp
    .command('reference [dir]')
    .description(
      'import the curated reference data (alliances, memberships, sanctions and arms embargoes, regions) ' +
        'from a folder of CSV files. Checks every row first: any problem refuses the import (file, line, ' +
        'reason) and nothing is written. Idempotent; rows removed from a file are retired, not deleted.',
    )
    .option('--json', 'print the report as JSON')
    .action(async (dir: string | undefined, opts: { json?: boolean }) => {
      // The files are checked before the database is opened: a refused import touches nothing
      // (ReferenceDataError, exit 1, every problem with its file and line).
      const data = readReference(dir ?? DEFAULT_REFERENCE_DIR());
      const config = loadConfig();
      const logger = createLogger(config.cliLogLevel);
      const store = await openStore(config, logger);
      try {
        const report = await writeReferenceData(store.db, data);
        const rows = Object.entries(report.rows).map(([f, n]) => `${f} ${n}`);
        const shared = formatImportCounts(report);
        process.stdout.write(
          opts.json
            ? JSON.stringify(report, null, 2) + '\n'
            : `${report.dir}: rows ${rows.join(', ')}\n${shared.counts}\n` +
                `nodes created ${report.nodesCreated}, relationships created ${report.relationsCreated}, ` +
                `retired ${report.relationsRetired}\n${shared.rate}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
