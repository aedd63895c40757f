import type { Plain } from '../db/mapper';
import type { GraphConsumer, GraphParts } from './selection';

/** Where a writer puts its text (the sink, which encodes it into chunks). */
export type Out = (text: string) => void;

export interface ExportMeta {
  /** The selection's name (`all`, `around-TUR-depth-2`, ...). */
  selection: string;
  generated: string;
  /** Start a spreadsheet file with a UTF-8 byte-order mark (deals.csv; default true). */
  bom: boolean;
}

/**
 * A graph format's writer: fed the schema (when it asked for one), every node, then every edge, it
 * writes text as it goes; nothing is held but the declared keys.
 */
export interface GraphWriter extends GraphConsumer {
  reads: 'graph';
  end(): void;
}

/** A deal-list format's writer: the column names once, then one row per deal. */
export interface DealsWriter {
  reads: 'deals';
  start(columns: readonly string[]): void;
  deal(row: Plain[]): void;
  end(): void;
}

export type FormatWriter = GraphWriter | DealsWriter;

/**
 * One export format: everything the HTTP route, the CLI, the explorer and the README's table know
 * about it. Adding a format is one file in src/export/formats/ and one line in src/export/registry.ts.
 */
export interface ExportFormat {
  /** `GET /export/<name>`, `armsgraph export --format <name>`. */
  name: string;
  /** What a person picks it by (the explorer's download links). */
  label: string;
  /** The Content-Type of its HTTP answer. */
  mediaType: string;
  /** File name ending, after `armsgraph-<selection>.`. */
  extension: string;
  /** What it lists: the graph (nodes and edges), only its nodes, only its edges, or deals. */
  items: 'graph' | 'nodes' | 'edges' | 'deals';
  /** Whether it can write a supplier → recipient network (`?network=true`), which has no deals. */
  network: boolean;
  /** Offered among the explorer's downloads of a neighbourhood. */
  neighbourhood: boolean;
  /** One of the files `armsgraph export --format csv --out DIR` writes. */
  csvBundle: boolean;
  /** A new writer for one export. */
  writer(out: Out, meta: ExportMeta): FormatWriter;
}

export const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';
export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8; header=present';

/**
 * A format of the graph: by default it lists nodes and edges, writes supplier → recipient networks,
 * is offered for neighbourhoods and is not one of the CSV bundle's files; `f` says where it differs.
 */
export function graphFormat(
  f: Omit<ExportFormat, 'items' | 'network' | 'neighbourhood' | 'csvBundle'> &
    Partial<Pick<ExportFormat, 'items' | 'network' | 'neighbourhood' | 'csvBundle'>>,
): ExportFormat {
  return { items: 'graph', network: true, neighbourhood: true, csvBundle: false, ...f };
}

/**
 * A graph writer reading `parts`: the steps it leaves out write nothing, and it needs no edge times
 * unless it says so.
 */
export function graphWriter(
  parts: GraphParts,
  steps: Partial<Omit<GraphWriter, 'reads' | 'parts'>>,
): GraphWriter {
  const nothing = () => undefined;
  return {
    reads: 'graph',
    parts,
    edgeTime: false,
    start: nothing,
    node: nothing,
    edgesStart: nothing,
    edge: nothing,
    end: nothing,
    ...steps,
  };
}
