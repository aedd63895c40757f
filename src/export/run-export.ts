import { badInput } from '../errors';
import {
  dealsCsvHeader,
  dealsCsvRow,
  EXPORT_FORMATS,
  FORMAT_INFO,
  graphWriter,
  type ExportFormat,
} from './formats';
import type { PreparedSelection } from './selection';
import type { ExportSink } from './sink';

export interface ExportCounts {
  nodes: number;
  edges: number;
  deals: number;
}

export function parseFormat(text: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(text)) return text as ExportFormat;
  throw badInput(`Unknown export format "${text}"; known: ${EXPORT_FORMATS.join(', ')}`, {
    field: 'format',
    known: [...EXPORT_FORMATS],
  });
}

/** `armsgraph-<selection>.<extension>`: the file name an export is saved under. */
export function exportFileName(selection: PreparedSelection, format: ExportFormat): string {
  return `armsgraph-${selection.name}.${FORMAT_INFO[format].extension}`;
}

export interface WriteExportOptions {
  /** Called every `progressEvery` items and at the end (the CLI's progress line). */
  onProgress?: (counts: ExportCounts) => void;
  progressEvery?: number;
  /** deals.csv starts with a UTF-8 byte-order mark (default true; see dealsCsvHeader). */
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
  const { onProgress, progressEvery = 5000 } = opts;
  const counts: ExportCounts = { nodes: 0, edges: 0, deals: 0 };
  const out = (text: string) => sink.write(text);
  let items = 0;
  // Synchronous unless there is a chunk to write: an await per record would cost more than the record.
  const tick = (): Promise<void> | undefined => {
    if (onProgress && ++items % progressEvery === 0) onProgress(counts);
    return sink.full ? sink.flush() : undefined;
  };
  if (format === 'deals.csv') {
    out(dealsCsvHeader(opts.bom ?? true));
    await selection.deals((deal) => {
      out(dealsCsvRow(deal));
      counts.deals++;
      return tick();
    });
  } else {
    const writer = graphWriter(format, out, {
      selection: selection.name,
      generated: new Date().toISOString(),
    });
    await selection.graph(writer, (kind) => {
      if (kind === 'node') counts.nodes++;
      else counts.edges++;
      return tick();
    });
    writer.end();
  }
  await sink.end();
  onProgress?.(counts);
  return counts;
}
