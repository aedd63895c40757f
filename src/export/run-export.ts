import { badInput } from '../errors';
import type { ExportFormat } from './format';
import { EXPORT_FORMAT_NAMES, findExportFormat } from './registry';
import type { PreparedSelection } from './selection';
import type { ExportSink } from './sink';

export interface ExportCounts {
  nodes: number;
  edges: number;
  deals: number;
}

/** The format named `name` (src/export/registry.ts), or BAD_USER_INPUT listing the known ones. */
export function parseFormat(name: string): ExportFormat {
  const format = findExportFormat(name);
  if (format) return format;
  throw badInput(`Unknown export format "${name}"; known: ${EXPORT_FORMAT_NAMES.join(', ')}`, {
    field: 'format',
    known: [...EXPORT_FORMAT_NAMES],
  });
}

/** `armsgraph-<selection>.<extension>`: the file name an export is saved under. */
export function exportFileName(selection: PreparedSelection, format: ExportFormat): string {
  return `armsgraph-${selection.name}.${format.extension}`;
}

/** The items a format writes: the count its progress and summary report. */
export function itemsWritten(format: ExportFormat, c: ExportCounts): number {
  switch (format.items) {
    case 'nodes':
      return c.nodes;
    case 'edges':
      return c.edges;
    case 'deals':
      return c.deals;
    case 'graph':
      return c.nodes + c.edges;
  }
}

export interface WriteExportOptions {
  /** Called every `progressEvery` items and at the end (the CLI's progress line). */
  onProgress?: (counts: ExportCounts) => void;
  progressEvery?: number;
  /** deals.csv starts with a UTF-8 byte-order mark (default true; see src/export/formats/deals-csv.ts). */
  bom?: boolean;
}

/**
 * Streams one selection in one format into a sink: records come from Neo4j in batches and leave as
 * text in chunks; whenever the sink has a chunk's worth it is written, and reading waits while the
 * sink's reader is slower (backpressure).
 */
export async function writeExport(
  selection: PreparedSelection,
  format: ExportFormat,
  sink: ExportSink,
  opts: WriteExportOptions = {},
): Promise<ExportCounts> {
  if (selection.kind === 'network' && !format.network)
    throw badInput(`${format.name} lists deals, which a network does not hold: choose a graph format`, {
      field: 'format',
    });
  const { onProgress, progressEvery = 5000 } = opts;
  const counts: ExportCounts = { nodes: 0, edges: 0, deals: 0 };
  const out = (text: string) => sink.write(text);
  let items = 0;
  // Synchronous unless there is a chunk to write: an await per record would cost more than the record.
  const tick = (): Promise<void> | undefined => {
    if (onProgress && ++items % progressEvery === 0) onProgress(counts);
    return sink.full ? sink.flush() : undefined;
  };
  const writer = format.writer(out, {
    selection: selection.name,
    generated: new Date().toISOString(),
    bom: opts.bom ?? true,
  });
  if (writer.reads === 'deals') {
    await selection.deals(
      (columns) => writer.start(columns),
      (deal) => {
        writer.deal(deal);
        counts.deals++;
        return tick();
      },
    );
  } else {
    await selection.graph(writer, (kind) => {
      if (kind === 'node') counts.nodes++;
      else counts.edges++;
      return tick();
    });
  }
  writer.end();
  await sink.end();
  onProgress?.(counts);
  return counts;
}
