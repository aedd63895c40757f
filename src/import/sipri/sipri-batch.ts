import { int, type Integer } from '../../db/integers';
import { dealPartiesParams, type DealPartiesRow, type Retirement } from '../../db/graph-writer';
import { nameFields } from '../../db/names';
import { RELEASE_ACTOR, releaseSourceId } from '../../db/release-writes';
import { SOURCE_ID, type BatchParams, type DealParams } from '../../db/sipri-writes';
import { relationKey } from '../../model';
import type { Rejected } from '../importer';
import type { Party } from '../resolve-party';
import type { SipriRow } from './map-row';
import { recordOf } from './release-records';
import type { CuratedDeal, PlannedRow } from './sipri-mapper';

/**
 * A batch of planned rows as the SIPRI batch statements take it (src/db/sipri-writes.ts): each deal
 * once, with its last row's facts and the deliveries of all its rows in the batch.
 */

/** A delivery as the batch holds it, before it is sent with its deal's id. */
interface DeliveryParams {
  id: string;
  props: Record<string, unknown>;
}

/** A deal as the batch holds it: its last row's facts, and the deliveries of all its rows. */
interface DealEntry {
  id: string;
  row: SipriRow;
  buyer: Party;
  seller: Party;
  systemId: string;
  curated: CuratedDeal | undefined;
  deliveries: DeliveryParams[];
  /** The deliveries of its rows in this batch, as the release's record keeps them. */
  rowDeliveries: SipriRow['deliveries'];
}

/** What the batch is written with, beside its rows: the release, the run and the time of the import. */
export interface BatchContext {
  release: string;
  run: string;
  /** false: the import defers the TIV rollups (ImportOptions.deferRollups). */
  contributions?: boolean;
}

/** The batch's deals from `rows`; the entities first seen on `seen` (the rows read, refused ones too). */
export function batchParams(
  rows: readonly PlannedRow[],
  ctx: BatchContext,
  seen: readonly PlannedRow[] = rows,
): BatchParams {
  const deals = new Map<string, DealEntry>();
  const curatedDeals = new Map<string, DealEntry>();
  const claims: BatchParams['claims'] = [];
  for (const r of rows) addDeal(r.curated ? curatedDeals : deals, claims, r);
  const all = [...deals.values(), ...curatedDeals.values()];
  return {
    seen: ctx.release,
    release: ctx.release,
    run: ctx.run,
    ...(ctx.contributions === false ? { contributions: false } : {}),
    now: new Date().toISOString(),
    records: all.map((e) =>
      recordOf(
        e.id,
        { buyerId: e.buyer.id, sellerId: e.seller.id, systemId: e.systemId },
        { designation: e.row.designation, ...sipriFacts(e.row), ...sharedFacts(e.row) },
        e.rowDeliveries,
      ),
    ),
    sourceId: SOURCE_ID,
    countries: seen.flatMap((r) => r.countries),
    organizations: seen.flatMap((r) => r.organizations),
    systems: seen.flatMap((r) => r.systems),
    families: seen.flatMap((r) => r.families),
    deals: [...deals.values()].map((e) => dealParams(e)),
    curatedDeals: [...curatedDeals.values()].map((e) => ({ ...dealParams(e), fill: sharedFacts(e.row) })),
    ...dealPartiesParams(
      all.map((e) => partiesRow(e)),
      replacedParty(ctx.release),
    ),
    deliveries: all.flatMap((e) =>
      e.deliveries.map((d) => ({ dealId: e.id, key: relationKey('HAS_DELIVERY', e.id, d.id), ...d })),
    ),
    claims,
  };
}

/** The object without its undefined values (absent facts are left out, never written as null). */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * The object with its undefined values as null: `SET n += map` removes them, so a fact that the
 * release winning a deal no longer states does not linger from an older one.
 */
function orNull(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) out[k] = o[k] ?? null;
  return out;
}

/**
 * Years and counts as Neo4j integers: a JavaScript number would be stored as a float, and exports
 * would declare years and counts `double`.
 */
function whole(n: number | undefined): Integer | undefined {
  return n === undefined ? undefined : (int(n) ?? undefined);
}

/** SIPRI's facts about the deal, as Deal properties (absent ones are left out, never written as null). */
function sipriFacts(row: SipriRow) {
  return orNull({
    sipriId: row.sipriId,
    tivUnit: row.tivUnit,
    tivUnitNew: row.tivUnitNew,
    tivOrder: row.tivOrder,
    sipriStatus: row.sipriStatus,
    localProduction: row.localProduction,
    sipriComments: row.comments,
  });
}

/** Facts a curated deal may already state: SIPRI's value fills a gap, or becomes a claim if it differs. */
function sharedFacts(row: SipriRow) {
  return orNull({
    orderYear: whole(row.orderYear),
    orderYearEstimated: row.orderYearEstimated,
    quantity: whole(row.quantity),
    quantityEstimated: row.quantityEstimated,
    category: row.category,
    description: row.description,
  });
}

/** Adds a row to its deal in the batch: its facts replace the earlier row's, its deliveries add up. */
function addDeal(deals: Map<string, DealEntry>, claims: BatchParams['claims'], r: PlannedRow): void {
  const { row, dealId, buyer, seller, systemId, curated: cur } = r;
  const deliveries = row.deliveries.map((d) => ({
    id: `${dealId}:${d.year}`,
    props: orNull({
      year: whole(d.year),
      quantity: whole(d.quantity),
      quantityEstimated: d.quantityEstimated,
      yearEstimated: d.yearEstimated,
      tiv: d.tiv,
    }),
  }));
  const entry = deals.get(dealId);
  if (entry) {
    Object.assign(entry, { row, buyer, seller, systemId });
    entry.deliveries.push(...deliveries);
    entry.rowDeliveries.push(...row.deliveries);
  } else {
    deals.set(dealId, {
      id: dealId,
      row,
      buyer,
      seller,
      systemId,
      curated: cur,
      deliveries,
      rowDeliveries: [...row.deliveries],
    });
  }
  if (cur && cur.orderYear !== null && cur.orderYear !== row.orderYear) {
    const mine = cur.sourceIds.filter((s) => s !== SOURCE_ID);
    const claim = (value: number, source: string) =>
      claims.push({
        dealId,
        field: 'orderYear',
        value: JSON.stringify(value),
        key: relationKey('HAS_CLAIM', dealId, `${dealId}:orderYear:${source}`),
        sourceIds: [source],
      });
    claim(row.orderYear, SOURCE_ID);
    for (const s of mine) claim(cur.orderYear, s);
  }
}

/** What retires a party relationship the release winning a deal no longer states (it names another). */
const replacedParty = (release: string): Retirement => ({
  by: RELEASE_ACTOR,
  reason: `not in the release of ${release}`,
  sourceIds: [releaseSourceId(release)],
});

/**
 * The deal's parties as SIPRI states them. A curated deal keeps its own: SIPRI's party is written only
 * where it agrees (SIPRI then adds itself as a source) or where the curated deal names none.
 */
function partiesRow(e: DealEntry): DealPartiesRow {
  const cur = e.curated;
  const own = (curatedId: string | null | undefined, id: string) =>
    !cur || curatedId == null || curatedId === id;
  const parties: DealPartiesRow['parties'] = {};
  if (own(cur?.buyerId, e.buyer.id)) parties.BUYER = { id: e.buyer.id, label: e.buyer.label };
  if (own(cur?.sellerId, e.seller.id)) parties.SELLER = { id: e.seller.id, label: e.seller.label };
  if (own(cur?.systemId, e.systemId)) parties.COVERS = { id: e.systemId };
  return { dealId: e.id, parties, sourceIds: [SOURCE_ID] };
}

/** What the batch statement writes for a deal, built once per deal and batch from its last row. */
function dealParams(e: DealEntry): DealParams {
  const { row, buyer, seller, curated: cur } = e;
  let props: Record<string, unknown>;
  if (cur) {
    const aliases = [...new Set([...cur.aliases, `sipri-${row.sipriId}`])];
    props = { ...sipriFacts(row), ...nameFields(e.id, cur.name, aliases) };
  } else {
    // Names from the resolved parties, so that every spelling of a party names the deal alike.
    const name = `${buyer.name}: ${row.designation} from ${seller.name} (${row.orderYear})`;
    props = { ...sipriFacts(row), ...sharedFacts(row), ...nameFields(e.id, name) };
  }
  return {
    id: e.id,
    totals: defined({ delivered: whole(row.deliveredTotal), tivTotal: row.tivDeliveredTotal }),
    props,
    // The parties partiesRow gives a SIPRI deal, for its TIV contribution.
    ...(cur ? {} : { parties: { supplierId: seller.id, recipientId: buyer.id, systemId: e.systemId } }),
  };
}

/**
 * The rows to write, in order, and those refused for repeating a delivery year their deal already has
 * in this export: `recorded` holds the years each deal has so far (in earlier batches, or earlier rows
 * of a bulk load's part), and gains the kept rows' years.
 */
export function keepFirstDeliveryYears(
  rows: readonly PlannedRow[],
  recorded: Map<string, Set<number>>,
): { kept: PlannedRow[]; refused: Rejected[] } {
  const refused: Rejected[] = [];
  const kept = rows.filter((r) => {
    const years = recorded.get(r.dealId) ?? new Set<number>();
    const dup = r.row.deliveries.find((d) => years.has(d.year));
    if (dup) {
      refused.push({
        line: r.row.line,
        reason: `deal ${r.row.sipriId} already has a row for delivery year ${dup.year}`,
      });
      return false;
    }
    for (const d of r.row.deliveries) years.add(d.year);
    recorded.set(r.dealId, years);
    return true;
  });
  return { kept, refused };
}
