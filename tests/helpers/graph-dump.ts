import { Writable } from 'node:stream';
import type { Database } from '../../src/db/database';
import { EXPORT_FORMATS } from '../../src/export/registry';
import { writeExport } from '../../src/export/run-export';
import { prepareSelection, selectionFromParams, type SelectionParams } from '../../src/export/selection';
import { ExportSink } from '../../src/export/sink';

/** Deep copy with object members in name order. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sorted((value as Record<string, unknown>)[k]);
  return out;
}

/**
 * An export with the time of writing blanked, as its byte length and its sorted, canonical lines. Two
 * things are not the export's to fix: the `generated` time, and the order in which Neo4j hands back
 * nodes, edges and an entity's properties (it follows internal ids and property-key tokens, which
 * depend on how and in what order the database was written).
 */
export function canonical(text: string): { bytes: number; lines: string[] } {
  const timeless = text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'GENERATED').replace(
    // GEXF's meta carries the day only.
    /lastmodifieddate="\d{4}-\d\d-\d\d"/,
    'lastmodifieddate="DAY"',
  );
  const lines = timeless.split('\n').map((line) => {
    const item = line.endsWith(',') ? line.slice(0, -1) : line;
    if (!item.startsWith('{"')) return line;
    try {
      return JSON.stringify(sorted(JSON.parse(item)));
    } catch {
      return line;
    }
  });
  return { bytes: Buffer.byteLength(timeless), lines: lines.sort() };
}

/** Every export format of one selection (the whole graph by default), as text by format name. */
export async function exportEveryFormat(
  db: Database,
  params: SelectionParams = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const format of EXPORT_FORMATS) {
    const selection = await prepareSelection(db, selectionFromParams(params));
    if (selection.kind === 'network' && !format.network) continue;
    const chunks: Buffer[] = [];
    const sink = new ExportSink(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(Buffer.from(chunk));
          done();
        },
      }),
      undefined,
      true,
    );
    await writeExport(selection, format, sink, {});
    out[format.name] = Buffer.concat(chunks).toString('utf8');
  }
  return out;
}

/**
 * Every node with an id (marker nodes have none) or a deal's id (a deal's TIV contribution) and every
 * relationship between two nodes with an id, with labels and properties, as sorted JSON lines: two
 * graphs are the same graph when their dumps are equal.
 */
export async function dumpGraph(db: Database): Promise<string[]> {
  const nodes = await db.read(
    `MATCH (n) WHERE n.id IS NOT NULL OR n:TivContribution
     RETURN labels(n) AS labels, properties(n) AS props`,
  );
  const rels = await db.read(
    `MATCH (a)-[r]->(b) WHERE a.id IS NOT NULL AND b.id IS NOT NULL
     RETURN a.id AS from, type(r) AS type, b.id AS to, properties(r) AS props`,
  );
  // The time a fact was retired is the time of the import that retired it.
  const line = (v: Record<string, unknown>) =>
    JSON.stringify(sorted(v)).replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME');
  return [
    ...nodes.map((n) => line({ labels: [...(n.labels as string[])].sort(), props: n.props })),
    ...rels.map((r) => line(r)),
  ].sort();
}
