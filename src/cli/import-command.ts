import type { Command } from 'commander';
import { loadConfig } from '../config';
import { importSipri, type ImportReport } from '../import/sipri/import-register';
import { readRegister } from '../import/sipri/read-register';
import { createLogger } from '../logger';
import { openStore } from '../store';
import { countLines } from './count-lines';
import { EXIT, UsageError } from './exit-codes';
import { createProgress, silentProgress } from './progress';

/** The summary printed after an import: counts, rate, rejected rows with line numbers. */
export function formatImportSummary(file: string, r: ImportReport, maxRejected = 50): string {
  const rate = r.durationMs > 0 ? Math.round((r.rowsRead * 1000) / r.durationMs) : r.rowsRead;
  const v = r.variant;
  const lines = [
    `${file}: SIPRI export (${v.layout} layout, ${v.encoding}, ${v.lineEnding}${v.trailingSemicolon ? ', trailing ;' : ''}), data generated ${r.dataGenerated}`,
    `rows read ${r.rowsRead} = imported ${r.rowsImported} + rejected ${r.rejected.length}`,
    `deals ${r.deals} (${r.merged.length} merged onto curated deals), deliveries ${r.deliveries}, ` +
      `countries ${r.countries}, organisations ${r.organizations}, weapon systems ${r.systems}`,
    `${(r.durationMs / 1000).toFixed(1)} s, ${rate} rows/s`,
  ];
  for (const m of r.merged) lines.push(`merged SIPRI ${m.sipriId} onto ${m.dealId}`);
  for (const x of r.rejected.slice(0, maxRejected)) lines.push(`rejected line ${x.line}: ${x.reason}`);
  if (r.rejected.length > maxRejected)
    lines.push(`... and ${r.rejected.length - maxRejected} more rejected rows`);
  return lines.join('\n') + '\n';
}

interface ImportOptions {
  batchSize: string;
  progress: boolean;
  json?: boolean;
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
    .action(async (file: string, opts: ImportOptions) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new UsageError(`--batch-size must be a positive integer, got "${opts.batchSize}"`);
      const register = await readRegister(file);
      const config = loadConfig();
      const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
      // Progress is on stderr, so stdout stays the report (or the JSON) alone.
      const progress = opts.progress ? createProgress({ label: 'import', unit: 'rows' }) : silentProgress;
      progress.phase('counting', undefined, 'rows');
      const total = await countLines(file, register.variant.headerLine + 1);
      const store = await openStore(config, logger);
      let report: ImportReport;
      try {
        progress.phase('writing', total);
        report = await importSipri(store.db, register, {
          batchSize,
          onProgress: (rows) => progress.update(rows),
          onReconcile: (deals) => progress.phase('reconciling deal statuses', deals, 'deals'),
        });
        progress.update(report.deals);
      } finally {
        progress.done();
        await store.close();
      }
      process.stdout.write(
        opts.json ? JSON.stringify(report, null, 2) + '\n' : formatImportSummary(file, report),
      );
      process.exitCode = report.rejected.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    });
}
