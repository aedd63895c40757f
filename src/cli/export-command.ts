import { Option, type Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { loadConfig } from '../config';
import type { Database } from '../db/database';
import { cliFlag, DEAL_FILTER_FIELDS } from '../db/deal-filter';
import type { ExportFormat } from '../export/format';
import { EXPORT_FORMATS, EXPORT_FORMAT_NAMES } from '../export/registry';
import {
  exportFileName,
  itemsWritten,
  parseFormat,
  writeExport,
  type ExportCounts,
} from '../export/run-export';
import { prepareSelection, selectionFromParams, type SelectionParams } from '../export/selection';
import { ExportSink } from '../export/sink';
import { createLogger } from '../logger';
import { openStore } from '../store';
import { EXIT, UsageError } from './exit-codes';
import { createProgress, silentProgress } from './progress';

interface ExportOptions {
  format: string;
  out?: string;
  progress: boolean;
  bom: boolean;
  /** The deal filter's options (DEAL_FILTER_FIELDS), by field name. */
  [filterField: string]: unknown;
  around?: string;
  depth?: string;
  first?: string;
  types?: string;
  labels?: string;
}

/** `--format csv`: the formats that make up a spreadsheet bundle, one file each, in a folder. */
const CSV_BUNDLE = EXPORT_FORMATS.filter((f) => f.csvBundle);

/** Every format of the registry, and `csv` for the bundle. */
export const CLI_FORMATS: readonly string[] = [...EXPORT_FORMAT_NAMES, 'csv'];

async function exportOne(
  db: Database,
  params: SelectionParams,
  format: ExportFormat,
  target: string | undefined,
  opts: { progress: boolean; bom: boolean },
): Promise<ExportCounts> {
  const selection = await prepareSelection(db, selectionFromParams(params));
  const out: Writable = target ? fs.createWriteStream(target) : process.stdout;
  const label = `export ${target ? path.basename(target) : exportFileName(selection, format)}`;
  // On stderr: stdout may be the export itself.
  const progress = opts.progress ? createProgress({ label, unit: 'items' }) : silentProgress;
  const total =
    selection.total && format.items !== 'deals'
      ? itemsWritten(format, { ...selection.total, deals: 0 })
      : undefined;
  progress.phase('writing', total);
  // stdout is not ours to close; a file is ended and flushed.
  const sink = new ExportSink(out, undefined, Boolean(target));
  try {
    return await writeExport(selection, format, sink, {
      onProgress: (c) => progress.update(itemsWritten(format, c)),
      progressEvery: 2000,
      bom: opts.bom,
    });
  } finally {
    progress.done();
  }
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description(
      'stream the graph, a filtered set of deals (with their parties, systems and the relations among them) ' +
        'or a neighbourhood to a file or stdout',
    )
    .addOption(
      new Option(
        '--format <format>',
        `output format (csv with --out DIR writes ${CSV_BUNDLE.map((f) => f.name).join(', ')})`,
      )
        .choices([...CLI_FORMATS])
        .makeOptionMandatory(),
    )
    .option('--out <path>', 'file to write (a folder for --format csv); stdout when absent');
  for (const f of DEAL_FILTER_FIELDS) command.option(cliFlag(f), f.cli.help);
  command
    .option('--around <id>', 'the neighbourhood of this entity instead of deals')
    .option('--depth <n>', 'neighbourhood depth, 1 to 3 (with --around)')
    .option('--first <n>', 'most nodes in the neighbourhood, up to 1000 (with --around)')
    .option('--types <list>', 'relation types to follow, comma-separated (with --around)')
    .option('--labels <list>', 'node kinds to include, comma-separated (with --around)')
    .option(
      '--no-progress',
      'no progress on stderr (by default: a live line on a terminal, a plain line every 10 s otherwise)',
    )
    .option(
      '--no-bom',
      'deals.csv without the UTF-8 byte-order mark it starts with by default (Excel needs it to read UTF-8)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  armsgraph export --format graphml --out graph.graphml\n' +
        '  armsgraph export --format gexf --buyer Turkey --ordered-from 2010 --out turkey.gexf\n' +
        '  armsgraph export --format cytoscape --around s-400 --depth 2 > s-400.json\n' +
        '  armsgraph export --format csv --out ./export   (nodes.csv, edges.csv, deals.csv)\n' +
        `\nExit codes: ${EXIT.OK} done, ${EXIT.FAILED} failed (unknown entity), ${EXIT.USAGE} bad options, ` +
        `${EXIT.ENVIRONMENT} configuration or Neo4j unreachable.\n`,
    )
    .action(async (opts: ExportOptions) => {
      const params: SelectionParams = {
        // Commander names `--ordered-from` orderedFrom: the field's own name (cliFlag).
        ...Object.fromEntries(DEAL_FILTER_FIELDS.map((f) => [f.name, opts[f.name] as string | undefined])),
        around: opts.around,
        depth: opts.depth,
        first: opts.first,
        types: opts.types,
        labels: opts.labels,
      };
      for (const k of Object.keys(params)) if (params[k] === undefined) delete params[k];
      // Usage errors are found before Neo4j is opened (a BAD_USER_INPUT exits as a usage error).
      selectionFromParams(params);
      if (opts.format === 'csv' && !opts.out)
        throw new UsageError('--format csv writes three files: give a folder with --out');
      const config = loadConfig();
      const logger = createLogger(config.cliLogLevel);
      const store = await openStore(config, logger);
      const how = { progress: opts.progress, bom: opts.bom };
      const summary: string[] = [];
      try {
        if (opts.format === 'csv') {
          const dir = opts.out ?? '.';
          fs.mkdirSync(dir, { recursive: true });
          for (const f of CSV_BUNDLE) {
            const file = path.join(dir, f.extension);
            const c = await exportOne(store.db, params, f, file, how);
            summary.push(`${file}: ${itemsWritten(f, c)} ${f.items}`);
          }
        } else {
          const format = parseFormat(opts.format);
          const c = await exportOne(store.db, params, format, opts.out, how);
          summary.push(
            `${opts.out ?? 'stdout'}: ${format.items === 'deals' ? `${c.deals} deals` : `${c.nodes} nodes, ${c.edges} edges`}`,
          );
        }
      } finally {
        await store.close();
      }
      // The summary goes to stderr when the export itself went to stdout.
      (opts.out ? process.stdout : process.stderr).write(summary.join('\n') + '\n');
    });
}
