import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { SOURCE_ID } from '../../db/sipri-writes';
import { relationKey } from '../../model';
import {
  BULK_FORMAT_OPTIONS,
  BulkFile,
  FileAppender,
  fileLines,
  valueOf,
  type BulkFileSpec,
  type ColumnType,
} from '../bulk-csv';
import { RejectedRows, type Rejected } from '../importer';
import type { Integer } from '../../db/integers';
import type { RegisterLine } from './read-register';
import {
  contributionOf,
  dealSlots,
  dealStatus,
  dealTotals,
  RollupSums,
  type DeliveryProps,
} from './bulk-derived';
import { batchParams, keepFirstDeliveryYears } from './sipri-batch';
import type { Party } from '../resolve-party';
import type { PlannedRow, SipriMapper } from './sipri-mapper';

/**
 * A SIPRI export as Neo4j's offline importer takes it, for a first load into an empty graph
 * (bulk-load.ts). Every line goes through the transactional path's mapper, and each deal's rows
 * through the same batch builder (sipri-batch.ts), so the nodes, relationships, keys and properties
 * are those the batch statements write into an empty graph (src/db/sipri-writes.ts). What the
 * transactional path derives from the graph afterwards (totals, statuses, deal slots, TIV
 * contributions and rollups) is computed from each deal's rows as its part is written
 * (bulk-derived.ts), so the importer writes it too and nothing is left to settle in Cypher.
 *
 * Memory stays flat in the number of rows: entities (a vocabulary) are written as the mapper first
 * meets them; the rows of a deal, which may lie anywhere in the file, are grouped by spilling each
 * mapped row to one of PARTS files by its deal, then reading one part at a time. A part is read whole
 * into a reused buffer (PartRows), and one larger than MAX_PART_BYTES is first split by its deals into
 * smaller ones, so what is held at once is bounded by that size, not by the rows. The rollup rows are summed in maps of
 * their keys and years: those of one party (parties × years) as the deals come, those of a supplier
 * and recipient pair (pairs × years, the many) spilled by their pair to PAIR_PARTS files and summed a
 * part at a time. Files are written through fixed buffers (bulk-csv.ts FileAppender).
 */

const PARTS = 256;
const PAIR_PARTS = 64;
/** The most bytes of spilled rows held at once (a part's deals); about 1,000 bytes a row. */
export const MAX_PART_BYTES = 2 << 20;
/** Splits of a part (each by another hash of its deals) before it is taken as it is: one huge deal. */
const MAX_SPLITS = 3;
/** Deals a part writes at once (their rows parsed, the batch builder's values): a few hundred kB. */
const DEALS_AT_ONCE = 256;

const NAMES: Record<string, ColumnType> = {
  name: 'string',
  aliases: 'string[]',
  nameKeys: 'string[]',
  nameKeysText: 'string',
  searchText: 'string',
};
const SOURCED: Record<string, ColumnType> = { sourceIds: 'string[]' };
const SEEN: Record<string, ColumnType> = {
  sipriFirstSeen: 'string',
  sipriLastSeen: 'string',
  sipriReleases: 'string[]',
  sipriRelease: 'string',
};
/** SIPRI's facts about a deal, as deals and the release's records hold them (sipri-batch.ts). */
const FACTS: Record<string, ColumnType> = {
  sipriId: 'string',
  tivUnit: 'double',
  tivUnitNew: 'double',
  tivOrder: 'double',
  sipriStatus: 'string',
  localProduction: 'boolean',
  sipriComments: 'string',
  orderYear: 'long',
  orderYearEstimated: 'boolean',
  quantity: 'long',
  quantityEstimated: 'boolean',
  category: 'string',
  description: 'string',
};
const KEYED: Record<string, ColumnType> = { key: 'string', sourceIds: 'string[]' };

const node = (labels: string[], columns: Record<string, ColumnType>, idProperty = true): BulkFileSpec => ({
  kind: 'nodes',
  labels,
  idSpace: labels[0]!,
  columns,
  idProperty,
});
const rel = (type: string, from: string, to: string, columns = KEYED): BulkFileSpec => ({
  kind: 'relationships',
  type,
  from,
  to,
  columns,
});

const SPECS = {
  countries: node(['Country', 'Entity'], {
    ...NAMES,
    iso2: 'string',
    historical: 'boolean',
    kind: 'string',
    ...SOURCED,
  }),
  organizations: node(['Organization', 'Entity'], {
    ...NAMES,
    kind: 'string',
    countryId: 'string',
    ...SOURCED,
  }),
  systems: node(['WeaponSystem', 'Entity'], {
    ...NAMES,
    category: 'string',
    description: 'string',
    family: 'boolean',
    ...SOURCED,
  }),
  deals: node(['Deal', 'Entity'], {
    ...NAMES,
    ...FACTS,
    delivered: 'long',
    tivTotal: 'double',
    deliveredEstimated: 'boolean',
    deliveryStartYear: 'long',
    deliveryEndYear: 'long',
    status: 'string',
    ...SEEN,
    ...SOURCED,
  }),
  deliveries: node(['Delivery'], {
    year: 'long',
    quantity: 'long',
    quantityEstimated: 'boolean',
    yearEstimated: 'boolean',
    tiv: 'double',
    ...SEEN,
    ...SOURCED,
  }),
  records: node(['SipriRecord'], {
    dealId: 'string',
    release: 'string',
    buyerId: 'string',
    sellerId: 'string',
    systemId: 'string',
    designation: 'string',
    ...FACTS,
    deliveries: 'string[]',
  }),
  slots: node(['DealSlot'], { role: 'string', partyId: 'string', sortYear: 'long', dealId: 'string' }),
  // Keyed by their deal, without an id property (the graph's contributions have none).
  contributions: node(
    ['TivContribution'],
    {
      dealId: 'string',
      supplierId: 'string',
      recipientId: 'string',
      systemId: 'string',
      category: 'string',
      condition: 'string',
      localProduction: 'boolean',
      years: 'long[]',
      tivs: 'long[]',
    },
    false,
  ),
  rollups: node(['TivRollup'], {
    level: 'string',
    supplierId: 'string',
    recipientId: 'string',
    year: 'long',
    tiv: 'long',
    n: 'long',
    gaps: 'long[]',
  }),
  variantOf: rel('VARIANT_OF', 'WeaponSystem', 'WeaponSystem'),
  basedIn: rel('BASED_IN', 'Organization', 'Country'),
  buyerCountry: rel('BUYER', 'Deal', 'Country'),
  buyerOrganization: rel('BUYER', 'Deal', 'Organization'),
  sellerCountry: rel('SELLER', 'Deal', 'Country'),
  sellerOrganization: rel('SELLER', 'Deal', 'Organization'),
  covers: rel('COVERS', 'Deal', 'WeaponSystem'),
  hasDelivery: rel('HAS_DELIVERY', 'Deal', 'Delivery'),
  hasRecord: rel('HAS_RECORD', 'Deal', 'SipriRecord', {}),
} satisfies Record<string, BulkFileSpec>;

type Files = { [K in keyof typeof SPECS]: BulkFile };

/** What writing the files found: rows, rejections, and the list properties to fill in afterwards. */
export interface BulkFilesReport {
  rowsRead: number;
  rowsImported: number;
  /** Every row rejected. */
  rejectedRows: number;
  /** The first of them by line (importer.ts: RejectedRows). */
  rejected: Rejected[];
  deliveries: number;
  deals: number;
  /** The importer's options: the files and their format. */
  args: string[];
  /** The largest part (bytes of spilled rows) held at once. */
  largestPartBytes: number;
  /**
   * List properties some nodes hold empty: Neo4j's importer stores no empty list, so these are set
   * to `[]` where missing once the graph is up (label → properties).
   */
  emptyLists: Record<string, string[]>;
}

/**
 * A deal's part of a mapped row, as spilled: one line, the deal's id, a tab, then this as JSON (the id
 * first, so that a part is grouped and split by deal without parsing). Its parties by id (a
 * vocabulary, kept in memory: writeBulkFiles' `parties`), not the whole party on every line.
 */
type SpilledRow = Pick<PlannedRow, 'row' | 'systemId'> & { buyer: string; seller: string };

/** The deal id a spilled line starts with. */
const spilledDeal = (line: string) => line.slice(0, line.indexOf('\t'));

/** A contribution as the supplier-and-recipient rollups take it, spilled by its pair. */
type SpilledPair = { s?: string; r?: string; y: number[]; t: number[] };

/**
 * A part's hash of a key, a deal's id or a pair's (FNV-1a, then murmur3's finaliser so that each `seed`
 * spreads the keys anew): every row of a deal lands in the same part, and a part split with another
 * seed spreads its deals evenly.
 */
function partHash(key: string, seed: number): number {
  let h = 0x811c9dc5 ^ Math.imul(seed, 0x9e3779b9);
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Spill files of `n` parts: each line by its key (`seed`: which hash). */
function spillFiles(base: string, n: number, seed: number) {
  const files = Array.from({ length: n }, (_, i) => new FileAppender(`${base}-${i}.jsonl`, 1 << 14));
  return {
    files: files.map((f) => f.file),
    add: (key: string, line: string) => files[partHash(key, seed) % n]!.write(line + '\n'),
    close: () => files.forEach((f) => f.close()),
  };
}

/**
 * The parts of spill file `file` (deleted once read) to write one at a time, each at most `max` bytes:
 * one over it is split by another hash of its deals, line by line, into parts about half of `max`.
 */
function* boundedParts(file: string, max: number, splits = 0): Generator<{ file: string; bytes: number }> {
  const bytes = fs.statSync(file).size;
  if (bytes <= max || splits >= MAX_SPLITS) {
    yield { file, bytes };
    return;
  }
  const n = Math.min(PARTS, Math.ceil((2 * bytes) / max));
  const parts = spillFiles(file.replace(/\.jsonl$/, ''), n, splits + 1);
  for (const line of fileLines(file)) parts.add(spilledDeal(line), line);
  parts.close();
  fs.rmSync(file);
  for (const f of parts.files) yield* boundedParts(f, max, splits + 1);
}

/**
 * The rows of a part grouped by deal, deals in the order first met and rows in file order, parsed a few
 * deals at a time: what a group allocates dies young. The part is read whole into one buffer reused
 * from part to part, outside V8's heap, and its rows are kept as offsets into it: a part's rows as
 * strings lived through the whole part, so they were promoted to the old generation, and V8 let that
 * garbage (every spilled byte, once) pile up to several times the heap it keeps before collecting it.
 */
class PartRows {
  private buf = Buffer.allocUnsafe(0);

  /** The part's rows: each deal's rows as [start, end) offsets of their JSON into `buf`. */
  read(file: string): { buf: Buffer; byDeal: Map<string, number[]> } {
    const bytes = fs.statSync(file).size;
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(bytes, MAX_PART_BYTES));
    const fd = fs.openSync(file, 'r');
    try {
      for (let at = 0; at < bytes;) {
        const read = fs.readSync(fd, this.buf, at, bytes - at, at);
        if (read === 0) throw new Error(`bulk part ${file}: ${bytes - at} bytes missing`);
        at += read;
      }
    } finally {
      fs.closeSync(fd);
    }
    const buf = this.buf.subarray(0, bytes);
    const byDeal = new Map<string, number[]>();
    for (let start = 0; start < bytes;) {
      let nl = buf.indexOf(10, start);
      if (nl === -1) nl = bytes;
      // A spilled line is its deal's id, a tab, then JSON (which escapes any tab or newline it holds).
      if (nl > start) {
        const tab = buf.indexOf(9, start);
        const dealId = buf.toString('utf8', start, tab);
        const rows = byDeal.get(dealId);
        if (rows) rows.push(tab + 1, nl);
        else byDeal.set(dealId, [tab + 1, nl]);
      }
      start = nl + 1;
    }
    return { buf, byDeal };
  }
}

/** A marker node: its label, and the layout of what it marks built where that has versions. */
export interface Marker {
  label: string;
  layout?: number;
}

/** The marker nodes an empty graph's schema step leaves (src/db/constraints.ts), without an id. */
function writeMarkers(dir: string, markers: readonly Marker[]): string {
  const file = path.join(dir, 'markers.csv');
  // An id column without a name stores no property: the markers the schema step writes have none.
  const rows = markers.map((m, i) => `"m${i}","${m.label}",${m.layout ?? ''}`);
  fs.writeFileSync(file, [':ID(Marker),:LABEL,layout:long', ...rows].join('\n') + '\n');
  return `--nodes=${file}`;
}

/**
 * Maps every line of `lines` with `mapper` and writes the importer's files into `dir` (which must
 * exist and be empty). `ctx` is the release and import run, as the batch statements take them.
 * `markers`: the marker nodes the load writes (derivations it writes itself, which need no building).
 * `rollups: false` writes no TIV contributions or rollups (ImportOptions.deferRollups).
 */
export async function writeBulkFiles(...args: Parameters<typeof writeFiles>): Promise<BulkFilesReport> {
  // What the files stage keeps is flat (30-50 MiB: the vocabulary), but it allocates ~30 KB a row, and
  // some of that survives the young generation while a part's deals are written; V8 then lets the old
  // generation grow to about 4x what it keeps before collecting it, which was most of node's peak RSS
  // (bench:import-memory, --trace-gc). Growing it by 2x instead (V8 reads the flag at each collection)
  // costs more, cheap, full collections of that small heap. Back to V8's own heuristics afterwards.
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  try {
    return await writeFiles(...args);
  } finally {
    v8.setFlagsFromString('--heap-growing-percent=0');
  }
}

/** How much V8 lets the old generation grow over what it kept, in percent, while the files are written. */
const HEAP_GROWING_PERCENT = 100;

/** writeBulkFiles, under V8's default heap growing. */
async function writeFiles(
  lines: AsyncIterable<RegisterLine>,
  mapper: SipriMapper,
  dir: string,
  ctx: { release: string; run: string },
  markers: readonly Marker[],
  {
    parts: partCount = PARTS,
    maxPartBytes = MAX_PART_BYTES,
    rollups = true,
  }: { parts?: number; maxPartBytes?: number; rollups?: boolean } = {},
): Promise<BulkFilesReport> {
  const files = Object.fromEntries(
    Object.entries(SPECS).map(([name, spec]) => [name, new BulkFile(dir, name, spec)]),
  ) as Files;
  const spills = spillFiles(path.join(dir, 'part'), partCount, 0);
  const report: BulkFilesReport = {
    rowsRead: 0,
    rowsImported: 0,
    rejectedRows: 0,
    rejected: [],
    deliveries: 0,
    deals: 0,
    largestPartBytes: 0,
    args: [],
    emptyLists: {},
  };
  const rejected = new RejectedRows();
  const src = [SOURCE_ID];
  const empties = new Map<string, Set<string>>();
  // Each node file's list columns, looked up once: every row is checked for an empty one.
  const lists = new Map(
    Object.values(files).map((f) => [
      f,
      f.spec.kind === 'nodes'
        ? Object.entries(f.spec.columns).flatMap(([k, t]) => (t === 'string[]' || t === 'long[]' ? [k] : []))
        : [],
    ]),
  );
  const add = (
    file: BulkFile,
    ids: string[],
    props: Record<string, unknown>,
    more?: Record<string, unknown>,
  ) => {
    file.add(ids, props, more);
    for (const k of lists.get(file)!) {
      const v = valueOf(k, props, more);
      if (Array.isArray(v) && v.length === 0 && file.spec.kind === 'nodes') {
        const label = file.spec.labels[0]!;
        const set = empties.get(label) ?? new Set<string>();
        set.add(k);
        empties.set(label, set);
      }
    }
  };

  // The families of each variant system, for the deals' COVERS slots (a vocabulary, like the systems).
  const families = new Map<string, string[]>();
  // The parties rows name, by id (a vocabulary too): the spilled rows name them by id.
  const parties = new Map<string, Party>();
  // Entities as the mapper first meets them; the deal part of each row to its part's spill file.
  for await (const line of lines) {
    report.rowsRead++;
    const mapped = mapper.map(line);
    if (!mapped.ok) {
      rejected.add([mapped.rejected]);
      continue;
    }
    const r = mapped.row;
    if (r.curated) throw new Error('a bulk load writes an empty graph: no curated deal to merge onto');
    for (const c of r.countries) add(files.countries, [c.id], { ...c.props, sourceIds: src });
    for (const o of r.organizations) {
      add(files.organizations, [o.id], { ...o.props, sourceIds: src });
      const home = o.props.countryId;
      if (typeof home === 'string')
        add(files.basedIn, [o.id, home], { key: relationKey('BASED_IN', o.id, home), sourceIds: src });
    }
    for (const s of r.systems) add(files.systems, [s.id], { ...s.props, sourceIds: src });
    for (const f of r.families) families.set(f.variantId, [...(families.get(f.variantId) ?? []), f.familyId]);
    for (const f of r.families)
      add(files.variantOf, [f.variantId, f.familyId], {
        key: relationKey('VARIANT_OF', f.variantId, f.familyId),
        sourceIds: src,
      });
    // The deal's part of the row only: its entities are written above.
    parties.set(r.buyer.id, r.buyer);
    parties.set(r.seller.id, r.seller);
    const deal: SpilledRow = { row: r.row, buyer: r.buyer.id, seller: r.seller.id, systemId: r.systemId };
    spills.add(r.dealId, `${r.dealId}\t${JSON.stringify(deal)}`);
  }
  spills.close();

  // Each part's deals, their rows in file order: the batch builder's values, as one batch of them, and
  // what the settling statements would derive from them. Every line is read by now: the last year the
  // export covers (the statuses') is known.
  const lastYear = mapper.lastYear;
  const byParty = new RollupSums(['S', 'R']);
  const pairs = spillFiles(path.join(dir, 'pairs'), PAIR_PARTS, 0);
  const seen = { sipriFirstSeen: ctx.release, sipriLastSeen: ctx.release, sipriReleases: [ctx.release] };
  const parts = function* () {
    for (const f of spills.files) yield* boundedParts(f, maxPartBytes);
  };
  /** Writes the nodes and relationships of some deals: all the rows of each, in file order. */
  const writeDeals = (rows: PlannedRow[]) => {
    const { kept, refused } = keepFirstDeliveryYears(rows, new Map());
    rejected.add(refused);
    report.rowsImported += kept.length;
    report.deliveries += kept.reduce((n, r) => n + r.row.deliveries.length, 0);
    const p = batchParams(kept, ctx, []);
    const marks = { ...seen, sipriRelease: ctx.release, sourceIds: src };
    const deliveriesOf = new Map<string, DeliveryProps[]>();
    for (const x of p.deliveries) {
      const xs = deliveriesOf.get(x.dealId);
      if (xs) xs.push(x.props as unknown as DeliveryProps);
      else deliveriesOf.set(x.dealId, [x.props as unknown as DeliveryProps]);
    }
    const partiesOf = new Map<string, { type: string; id: string }[]>();
    for (const row of p.rows) {
      const parties = row.parties as Record<string, { id: string } | null>;
      partiesOf.set(
        row.dealId as string,
        Object.entries(parties).flatMap(([type, party]) => (party ? [{ type, id: party.id }] : [])),
      );
    }
    for (const d of p.deals) {
      const xs = deliveriesOf.get(d.id) ?? [];
      const totals = dealTotals(d.totals, xs);
      const props = d.props as {
        quantity: Integer | null;
        orderYear: Integer | null;
        category: string | null;
        sipriStatus: string | null;
        localProduction: boolean | null;
      };
      const status = dealStatus(props.quantity, totals.delivered, totals.deliveryEndYear, lastYear);
      add(files.deals, [d.id], d.props, { ...totals, status, ...marks });
      report.deals++;
      const parties = partiesOf.get(d.id) ?? [];
      for (const { id, ...slot } of dealSlots(d.id, props.orderYear, parties, families))
        add(files.slots, [id], slot);
      const party = (type: string) => parties.find((x) => x.type === type)?.id ?? null;
      const c = contributionOf(
        {
          id: d.id,
          supplierId: party('SELLER'),
          recipientId: party('BUYER'),
          systemId: party('COVERS'),
          category: props.category,
          sipriStatus: props.sipriStatus,
          localProduction: props.localProduction,
        },
        xs,
      );
      if (c && rollups) {
        add(files.contributions, [c.dealId], c);
        byParty.add(c);
        const pair: SpilledPair = {
          s: c.supplierId,
          r: c.recipientId,
          y: c.years.map((y) => y.toNumber()),
          t: c.tivs.map((t) => t.toNumber()),
        };
        pairs.add(`${c.supplierId ?? ''}|${c.recipientId ?? ''}`, JSON.stringify(pair));
      }
    }
    for (const r of p.records) {
      const id = `${r.dealId}@${ctx.release}`;
      add(files.records, [id], r.props, { dealId: r.dealId, release: ctx.release, deliveries: r.deliveries });
      add(files.hasRecord, [r.dealId, id], {});
    }
    for (const x of p.deliveries) {
      add(files.deliveries, [x.id], x.props, marks);
      add(files.hasDelivery, [x.dealId, x.id], { key: x.key, sourceIds: src });
    }
    for (const row of p.rows) {
      const dealId = row.dealId as string;
      const parties = row.parties as Record<string, { id: string; label: string | null; key: string } | null>;
      for (const [type, party] of Object.entries(parties)) {
        if (!party) continue;
        const file =
          type === 'COVERS'
            ? files.covers
            : type === 'BUYER'
              ? party.label === 'Country'
                ? files.buyerCountry
                : files.buyerOrganization
              : party.label === 'Country'
                ? files.sellerCountry
                : files.sellerOrganization;
        add(file, [dealId, party.id], { key: party.key, sourceIds: src });
      }
    }
  };

  const partRows = new PartRows();
  for (const part of parts()) {
    report.largestPartBytes = Math.max(report.largestPartBytes, part.bytes);
    const { buf, byDeal } = partRows.read(part.file);
    fs.rmSync(part.file);
    let group: PlannedRow[] = [];
    let deals = 0;
    for (const [dealId, rows] of byDeal) {
      for (let i = 0; i < rows.length; i += 2) {
        const spilled = JSON.parse(buf.toString('utf8', rows[i], rows[i + 1])) as SpilledRow;
        group.push({
          row: spilled.row,
          dealId,
          buyer: parties.get(spilled.buyer)!,
          seller: parties.get(spilled.seller)!,
          systemId: spilled.systemId,
          curated: undefined,
          countries: [],
          organizations: [],
          systems: [],
          families: [],
        });
      }
      if (++deals % DEALS_AT_ONCE === 0) {
        writeDeals(group);
        group = [];
      }
    }
    if (group.length > 0) writeDeals(group);
  }
  pairs.close();
  for (const { id, ...row } of byParty.nodes()) add(files.rollups, [id], row);
  for (const file of pairs.files) {
    const sums = new RollupSums(['SR']);
    for (const line of fileLines(file)) {
      const c = JSON.parse(line) as SpilledPair;
      sums.addDeliveries({ supplierId: c.s, recipientId: c.r }, c.y, c.t);
    }
    fs.rmSync(file);
    for (const { id, ...row } of sums.nodes()) add(files.rollups, [id], row);
  }
  report.rejected = rejected.list();
  report.rejectedRows = rejected.count;
  // Every row is counted: read = imported + rejected, as the batches count them.
  report.rowsImported = report.rowsRead - rejected.count;
  report.args = [
    ...Object.values(files).map((f) => f.close()),
    ...(markers.length > 0 ? [writeMarkers(dir, markers)] : []),
    ...BULK_FORMAT_OPTIONS,
    `--report-file=${path.join(dir, 'import.report')}`,
  ];
  report.emptyLists = Object.fromEntries([...empties].map(([l, s]) => [l, [...s].sort()]));
  return report;
}
