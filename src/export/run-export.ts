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

/**
 * Streams one selection in one format into a sink: records come from Neo4j one at a time and leave as
 * text in chunks, waiting on the sink whenever its reader is slower (backpressure). `onProgress` is
 * called every `progressEvery` items (the CLI's progress line).
 */
export async function writeExport(
  selection: PreparedSelection,
  format: ExportFormat,
  sink: ExportSink,
  onProgress?: (counts: ExportCounts) => void,
  progressEvery = 5000,
): Promise<ExportCounts> {
  const counts: ExportCounts = { nodes: 0, edges: 0, deals: 0 };
  const out = (text: string) => sink.write(text);
  let items = 0;
  const tick = async () => {
    if (sink.full) await sink.flush();
    if (onProgress && ++items % progressEvery === 0) onProgress(counts);
  };
  if (format === 'deals.csv') {
    out(dealsCsvHeader());
    for await (const deal of selection.deals()) {
      out(dealsCsvRow(deal));
      counts.deals++;
      await tick();
    }
  } else {
    const writer = graphWriter(format, out, {
      selection: selection.name,
      generated: new Date().toISOString(),
    });
    let started = !writer.parts.schema;
    let edgesStarted = false;
    if (started) writer.start(null);
    for await (const item of selection.graph(writer.parts)) {
      if (item.kind === 'schema') {
        writer.start(item.schema);
        started = true;
      } else if (item.kind === 'node') {
        writer.node(item.node);
        counts.nodes++;
      } else {
        if (!edgesStarted) {
          writer.edgesStart();
          edgesStarted = true;
        }
        writer.edge(item.edge);
        counts.edges++;
      }
      await tick();
    }
    if (!started) writer.start(null);
    if (!edgesStarted) writer.edgesStart();
    writer.end();
  }
  await sink.end();
  onProgress?.(counts);
  return counts;
}
