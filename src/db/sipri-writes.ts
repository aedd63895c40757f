/**
 * The SIPRI import's writes (src/import/sipri/). Every statement takes a whole batch (UNWIND) and
 * MERGEs on indexed ids, so a batch costs a fixed handful of round trips however many rows it holds.
 * Entities and their relationships go through the graph writer's statements (on their keys); what is
 * SIPRI's own (a deal's release bookkeeping, its deliveries and totals) is here.
 */

import type { ManagedTransaction } from 'neo4j-driver';
import type { Database, Params, Statement } from './database';
import { dealPartiesCypher, mergeNodesCypher, mergeRelationsCypher, relationRows } from './graph-writer';
import { RECORD_CYPHER, RELEASE_SOURCE_PREFIX, releaseListed, SIPRI_SOURCE_ID, WINS } from './release-writes';
import { int } from './integers';
import {
  BATCHED_CONTRIBUTION_CYPHER,
  foldUnfoldedTivContributions,
  refreshTivRollups,
  staleTivContributions,
} from './tiv-rollups';

export const SOURCE_ID = SIPRI_SOURCE_ID;

type Props = Record<string, unknown>;

export interface DealParams {
  id: string;
  /** Old layout only: totals stated by a row spanning several delivery years. */
  totals: Props;
  props: Props;
  /** The parties the batch gives a SIPRI deal (a curated deal keeps its own: none). */
  parties?: { supplierId: string; recipientId: string; systemId: string };
}

export interface BatchParams {
  seen: string;
  /** The release being imported ("Data generated" date): the newest release recording a fact wins. */
  release: string;
  /** When the import runs (ISO): the `retiredAt` of what the release no longer states. */
  now: string;
  /** Each deal as this release records it (src/import/sipri/release-records.ts). */
  records: { dealId: string; props: Props; deliveries: string[]; years: string[] }[];
  sourceId: string;
  countries: { id: string; props: Props }[];
  organizations: { id: string; props: Props }[];
  systems: { id: string; props: Props }[];
  /** New variants and the family each belongs to (src/import/sipri/system-families.ts). */
  families: { variantId: string; familyId: string }[];
  deals: DealParams[];
  curatedDeals: (DealParams & { fill: Props })[];
  /** The deals' parties (graph-writer's DealPartiesRow, keys included) and what retires a replaced one. */
  rows: Params[];
  retired: Params;
  deliveries: { dealId: string; id: string; key: string; props: Props }[];
  claims: { dealId: string; field: string; value: string; key: string; sourceIds: string[] }[];
  /** This import's run: a release's record of a deal is rewritten whole by each run that imports it. */
  run: string;
  /** false: the import defers the TIV rollups, and the batches write no contributions. */
  contributions?: boolean;
}

/** What the import needs to know up front, in one read: systems' name keys and the curated deals. */
export const LOOKUP_CYPHER = `
CALL () {
  MATCH (w:WeaponSystem) RETURN collect({id: w.id, keys: coalesce(w.nameKeys, [])}) AS systems
}
CALL () {
  MATCH (d:Deal) WHERE NOT d.id STARTS WITH 'sipri-'
  OPTIONAL MATCH (d)-[rb:BUYER]->(b:Entity) WHERE coalesce(rb.retired, false) = false
  OPTIONAL MATCH (d)-[rs:SELLER]->(s:Entity) WHERE coalesce(rs.retired, false) = false
  OPTIONAL MATCH (d)-[rw:COVERS]->(w:WeaponSystem) WHERE coalesce(rw.retired, false) = false
  RETURN collect({id: d.id, name: d.name, aliases: coalesce(d.aliases, []), nameKeys: coalesce(d.nameKeys, []),
    orderYear: d.orderYear, buyerId: b.id, sellerId: s.id, systemId: w.id,
    sourceIds: coalesce(d.sourceIds, [])}) AS curated
}
CALL () {
  MATCH (n:Entity) WHERE n:Country OR n:Alliance OR n:Program OR n:Person OR n:WeaponSystem
  RETURN collect(n.id) AS takenIds
}
RETURN systems, curated, takenIds`;

const withSource = (v: string) =>
  `${v}.sourceIds = CASE WHEN $sourceId IN coalesce(${v}.sourceIds, []) THEN ${v}.sourceIds ELSE coalesce(${v}.sourceIds, []) + $sourceId END`;

const seenBy = (v: string) => `
  ${v}.sipriFirstSeen = CASE WHEN ${v}.sipriFirstSeen IS NULL OR $seen < ${v}.sipriFirstSeen THEN $seen ELSE ${v}.sipriFirstSeen END,
  ${v}.sipriLastSeen = CASE WHEN ${v}.sipriLastSeen IS NULL OR $seen > ${v}.sipriLastSeen THEN $seen ELSE ${v}.sipriLastSeen END`;

/**
 * A deal's totals follow from its live deliveries, so rows of one deal may arrive in different
 * batches and a delivery a release retires leaves them. `rows`: a list of `{id, totals}` (an old
 * layout's row totals, which count only from the release that wins the deal); a row with `parties`
 * (the supplierId, recipientId and systemId its batch gave the deal) and `fresh` (the batch created
 * the deal) also writes the deal's TIV contribution from the deliveries read here, for the settling
 * refresh to add to the rollups without reading the deal back (BATCHED_CONTRIBUTION_CYPHER).
 */
export const TOTALS_CYPHER = (rows: string) => `UNWIND ${rows} AS row
   MATCH (d:Deal {id: row.id})
   OPTIONAL MATCH (d)-[h:HAS_DELIVERY]->(x:Delivery) WHERE coalesce(x.retired, false) = false
   // Summed in year order: a floating-point sum must not depend on the order deliveries were stored
   // in (a re-run after a failure stores them in another order than one uninterrupted import).
   WITH d, row, CASE WHEN d.sipriRelease = $release THEN row.totals ELSE {} END AS totals, h, x ORDER BY x.year
   WITH d, row, totals, collect(x) AS xs,
     // The live deliveries (LIVE_DELIVERY) of a deal whose contribution is written here.
     collect(CASE WHEN row.parties IS NULL THEN null WHEN coalesce(h.retired, false) THEN null ELSE x END) AS live
   WITH d, row, totals, xs, live, [v IN xs WHERE v.quantity IS NOT NULL | v.quantity] AS qs,
     [v IN xs WHERE v.tiv IS NOT NULL | v.tiv] AS ts
   SET d.delivered = coalesce(totals.delivered, CASE WHEN size(qs) > 0 THEN reduce(a = 0, v IN qs | a + v) END),
     // Rounded as well: collect() after ORDER BY is not a promise the planner must keep.
     d.tivTotal = round(coalesce(totals.tivTotal, CASE WHEN size(ts) > 0 THEN reduce(a = 0, v IN ts | a + v) END), 6),
     d.deliveredEstimated = any(v IN xs WHERE v.quantityEstimated),
     d.deliveryStartYear = xs[0].year,
     d.deliveryEndYear = xs[-1].year
   WITH d, row, live
   ${BATCHED_CONTRIBUTION_CYPHER('d', 'row', 'live')}`;

/** A statement over the batch's lists, left out when they are all empty. */
const over = (cypher: string, lists: unknown[][], params: Params): Statement[] =>
  lists.some((l) => l.length > 0) ? [{ cypher, params }] : [];

// Deals of this run, written once per deal and batch (the values of the release that wins them).
// Returns the ids of the deals it created: their parties and deliveries are created, not merged.
const DEALS_CYPHER = `UNWIND $deals AS row
   MERGE (d:Deal {id: row.id})
   ON CREATE SET d:Entity, d.created = true
   WITH d, row, coalesce(d.created, false) AS created
   REMOVE d.created
   SET ${withSource('d')}, ${seenBy('d')}, ${releaseListed('d')}
   WITH d, row, created WHERE ${WINS('d')}
   SET d += row.props, d += row.totals, d.sipriRelease = $release
   RETURN collect(CASE WHEN created THEN d.id END) AS created`;

// A curated deal keeps its own values: SIPRI fills only what it leaves open.
const CURATED_CYPHER = `UNWIND $curatedDeals AS row
   MATCH (d:Deal {id: row.id})
   SET ${withSource('d')}, ${seenBy('d')}, ${releaseListed('d')}
   WITH d, row WHERE ${WINS('d')}
   SET d += row.props, d += row.totals, d.sipriRelease = $release,
     d.orderYear = coalesce(d.orderYear, row.fill.orderYear),
     d.orderYearEstimated = coalesce(d.orderYearEstimated, row.fill.orderYearEstimated),
     d.quantity = coalesce(d.quantity, row.fill.quantity),
     d.quantityEstimated = coalesce(d.quantityEstimated, row.fill.quantityEstimated),
     d.category = coalesce(d.category, row.fill.category),
     d.description = coalesce(d.description, row.fill.description)`;

/**
 * Deliveries; `link` is CREATE for the deliveries of deals created in this batch (no relationship of
 * theirs can exist: a look-up per delivery saved), MERGE otherwise.
 */
const DELIVERIES_CYPHER = (link: 'MERGE' | 'CREATE') => `UNWIND $deliveries AS row
   MATCH (d:Deal {id: row.dealId})
   MERGE (x:Delivery {id: row.id})
   SET ${withSource('x')}, ${seenBy('x')}, ${releaseListed('x')}
   ${link} (d)-[r:HAS_DELIVERY {key: row.key}]->(x)
   SET ${withSource('r')}
   WITH x, row WHERE ${WINS('x')}
   SET x += row.props, x.sipriRelease = $release`;

const CLAIMS_CYPHER = `UNWIND $claims AS row
   MATCH (d:Deal {id: row.dealId})
   MERGE (c:Claim {id: row.dealId + ':' + row.field + ':' + row.sourceIds[0]})
   SET c.field = row.field, c.value = row.value, c.sourceIds = row.sourceIds
   MERGE (d)-[r:HAS_CLAIM {key: row.key}]->(c)
   SET r.sourceIds = row.sourceIds`;

/**
 * The statements of one batch before its deals, in the order they run inside its one write
 * transaction, each with only the parameters it uses (a batch's lists are sent once each): parties,
 * systems and their relationships.
 */
function entityStatements(p: BatchParams): Statement[] {
  const src = [p.sourceId];
  const entities = (rows: BatchParams['countries']) =>
    rows.map((r) => ({ id: r.id, props: r.props, sourceIds: src }));
  return [
    // Curated parties and systems keep their own names: SIPRI only adds itself as a source.
    ...over(mergeNodesCypher('Country', 'fill'), [p.countries], { rows: entities(p.countries) }),
    ...over(mergeNodesCypher('Organization', 'fill'), [p.organizations], {
      rows: entities(p.organizations),
    }),
    ...over(mergeNodesCypher('WeaponSystem', 'fill'), [p.systems], { rows: entities(p.systems) }),
    ...over(mergeRelationsCypher('VARIANT_OF'), [p.families], {
      rows: relationRows(
        'VARIANT_OF',
        p.families.map((f) => ({ from: f.variantId, to: f.familyId, sourceIds: src })),
      ),
    }),
    // A group SIPRI places in a country ("Hamas (Palestine)*") is based there.
    ...over(mergeRelationsCypher('BASED_IN'), [p.organizations], {
      rows: relationRows(
        'BASED_IN',
        p.organizations.flatMap((o) =>
          typeof o.props.countryId === 'string'
            ? [{ from: o.id, to: o.props.countryId, sourceIds: src }]
            : [],
        ),
      ),
    }),
  ];
}

/**
 * The statements of one batch after its SIPRI deals are written (DEALS_CYPHER), which created the
 * deals `created`: their parties and deliveries are created rather than merged. The TIV rollups and
 * deal statuses are not among them: they follow from every row of a deal, and are settled once per
 * import (settleReleaseDeals). The TIV contributions of the deals this run created are (TOTALS_CYPHER):
 * the batch has their parties and reads their deliveries anyway, so settling only adds them up.
 */
function dealStatements(p: BatchParams, created: ReadonlySet<string>): Statement[] {
  const marks = { seen: p.seen, release: p.release, sourceId: p.sourceId };
  const isNew = (id: unknown) => typeof id === 'string' && created.has(id);
  // A SIPRI deal's totals come with its parties: the statement writes its TIV contribution as well.
  const deals = [
    ...p.deals.map((d) => ({
      id: d.id,
      totals: d.totals,
      parties: p.contributions === false ? null : (d.parties ?? null),
      fresh: isNew(d.id),
    })),
    ...p.curatedDeals.map((d) => ({ id: d.id, totals: d.totals })),
  ];
  const newRows = p.rows.filter((r) => isNew(r.dealId));
  const oldRows = p.rows.filter((r) => !isNew(r.dealId));
  const newDeliveries = p.deliveries.filter((d) => isNew(d.dealId));
  const oldDeliveries = p.deliveries.filter((d) => !isNew(d.dealId));
  // Parties on their keys, the deals' page slots with them (src/db/graph-writer.ts); only the release
  // that wins a deal states its parties (an older one imported later adds history only), and a party it
  // no longer states is retired.
  const parties = (rows: Params[], fresh: boolean) =>
    over(dealPartiesCypher('d.sipriRelease = $release', fresh), [rows], {
      rows,
      retired: p.retired,
      release: p.release,
    });
  return [
    ...over(CURATED_CYPHER, [p.curatedDeals], { ...marks, curatedDeals: p.curatedDeals }),
    ...parties(newRows, true),
    ...parties(oldRows, false),
    ...over(RECORD_CYPHER, [p.records], { records: p.records, release: p.release, run: p.run }),
    ...over(DELIVERIES_CYPHER('CREATE'), [newDeliveries], { ...marks, deliveries: newDeliveries }),
    ...over(DELIVERIES_CYPHER('MERGE'), [oldDeliveries], { ...marks, deliveries: oldDeliveries }),
    ...over(TOTALS_CYPHER('$rows'), [deals], { rows: deals, release: p.release }),
    ...over(CLAIMS_CYPHER, [p.claims], { claims: p.claims }),
  ];
}

/**
 * The delivery years this run has already recorded for these deals (in earlier batches): a row
 * repeating one is a duplicate in the export. Read from the release's records of the deals, so the
 * importer keeps no set of every delivery it has seen.
 */
export async function yearsRecordedByRun(
  db: Database,
  tx: ManagedTransaction,
  release: string,
  run: string,
  dealIds: readonly string[],
): Promise<Map<string, Set<number>>> {
  const rows = await db.run(
    tx,
    `UNWIND $ids AS id
     MATCH (r:SipriRecord {id: id + '@' + $release}) WHERE r.importRun = $run
     RETURN id, [v IN coalesce(r.deliveries, []) | toInteger(left(v, 4))] AS years`,
    { ids: [...dealIds], release, run },
  );
  return new Map(rows.map((r) => [String(r.id), new Set((r.years as number[]).map(Number))]));
}

/** Runs a batch's statements in the caller's transaction. */
export async function writeSipriBatch(db: Database, tx: ManagedTransaction, p: BatchParams): Promise<void> {
  for (const { cypher, params } of entityStatements(p)) await db.run(tx, cypher, params);
  const created = new Set<string>();
  if (p.deals.length > 0) {
    const marks = { seen: p.seen, release: p.release, sourceId: p.sourceId };
    const [row] = await db.run(tx, DEALS_CYPHER, { ...marks, deals: p.deals });
    for (const id of (row?.created as string[] | undefined) ?? []) created.add(id);
  }
  for (const { cypher, params } of dealStatements(p, created)) await db.run(tx, cypher, params);
}

/**
 * Status from deliveries, once every row is in. With numbers ordered (old layout): all delivered is
 * COMPLETED, some DELIVERING, none PENDING. Without them (the current export lists deliveries only):
 * a deal delivering in the last year the export covers may go on (DELIVERING), one whose deliveries
 * stopped before is taken as COMPLETED. Curated deals keep the status their sources give.
 */
export const STATUS_CYPHER = `
UNWIND $ids AS id
MATCH (d:Deal {id: id}) WHERE d.status IS NULL OR d.id STARTS WITH 'sipri-'
// The last year of the release that wins the deal, whichever release is being imported.
OPTIONAL MATCH (r:Source {id: '${RELEASE_SOURCE_PREFIX}' + d.sipriRelease})
WITH d, coalesce(r.lastYear, $lastYear) AS lastYear
WITH d, CASE
  WHEN d.quantity IS NOT NULL THEN
    CASE WHEN d.delivered >= d.quantity THEN 'COMPLETED' WHEN d.delivered > 0 THEN 'DELIVERING' ELSE 'PENDING' END
  WHEN d.deliveryEndYear IS NULL THEN 'PENDING'
  WHEN d.deliveryEndYear >= lastYear THEN 'DELIVERING'
  ELSE 'COMPLETED' END AS status
WHERE d.status IS NULL OR d.status <> status
SET d.status = status`;

/** What settling a release's deals cost, by part (ms), and how many deals it settled. */
export interface Settled {
  deals: number;
  statusMs: number;
  rollupsMs: number;
}

/**
 * Settles every deal the release records, once all its rows are in: its status (STATUS_CYPHER), its
 * part of the TIV rollups (src/db/tiv-rollups.ts: the deals the batches created are folded last, in
 * pages of suppliers), and its record loses the run's mark. Done once per import rather than per batch: a
 * deal's rows may span batches, and a rollup row shared by many deals is then written once per page
 * (of deals read back, or of suppliers folded) instead of once per batch. Pages through the deals in id order (the id index), so no list
 * of the import's deals is held anywhere.
 */
export async function settleReleaseDeals(
  db: Database,
  opts: { release: string; lastYear: number; pageSize: number; timeoutMs: number; rollups?: boolean },
): Promise<Settled> {
  const out: Settled = { deals: 0, statusMs: 0, rollupsMs: 0 };
  let after = '';
  for (;;) {
    const ids = await db.writeTx(async (tx) => {
      const page = await db.run(
        tx,
        `MATCH (d:Deal) WHERE d.id > $after AND $release IN d.sipriReleases
         RETURN d.id AS id ORDER BY d.id LIMIT $n`,
        { after, release: opts.release, n: int(opts.pageSize) },
      );
      const ids = page.map((r) => String(r.id));
      if (ids.length === 0) return ids;
      let t = Date.now();
      await db.run(tx, STATUS_CYPHER, { ids, lastYear: int(opts.lastYear) });
      out.statusMs += Date.now() - t;
      t = Date.now();
      // The batches wrote the contributions of the deals they created: those are folded below, in
      // pages of suppliers. Of the other deals of the release, only those whose part the batches saw
      // change (or could not judge) are read back: a next release leaves most deals as they were.
      if (opts.rollups !== false)
        await refreshTivRollups(db, tx, await staleTivContributions(db, tx, ids), { unfolded: 'skip' });
      out.rollupsMs += Date.now() - t;
      // The run's mark served to find repeated rows; a finished import leaves no trace of its run.
      await db.run(
        tx,
        `UNWIND $ids AS id MATCH (r:SipriRecord {id: id + '@' + $release}) REMOVE r.importRun`,
        { ids, release: opts.release },
      );
      return ids;
    }, opts.timeoutMs);
    out.deals += ids.length;
    const last = ids[ids.length - 1];
    if (last === undefined || ids.length < opts.pageSize) break;
    after = last;
  }
  if (opts.rollups !== false) {
    const t = Date.now();
    await foldUnfoldedTivContributions(db, { pageSize: opts.pageSize, timeoutMs: opts.timeoutMs });
    out.rollupsMs += Date.now() - t;
  }
  return out;
}

/**
 * The deals a newer release retired or revived (reconcileReleases) leave or rejoin the TIV tables:
 * their totals, rollups and status change in one transaction per chunk.
 */
export async function settleReconciledDeals(
  db: Database,
  ids: readonly string[],
  opts: { release: string; lastYear: number; pageSize: number; timeoutMs: number },
): Promise<void> {
  for (let i = 0; i < ids.length; i += opts.pageSize) {
    const chunk = ids.slice(i, i + opts.pageSize);
    await db.writeTx(async (tx) => {
      await db.run(tx, TOTALS_CYPHER('$rows'), {
        rows: chunk.map((id) => ({ id, totals: {} })),
        release: opts.release,
      });
      await refreshTivRollups(db, tx, chunk);
      await db.run(tx, STATUS_CYPHER, { ids: chunk, lastYear: int(opts.lastYear) });
    }, opts.timeoutMs);
  }
}

/** How many deals the release records (its SipriRecords, by the release index). */
export async function countReleaseDeals(db: Database, release: string): Promise<number> {
  const rows = await db.read('MATCH (r:SipriRecord {release: $release}) RETURN count(r) AS n', { release });
  return Number(rows[0]?.n ?? 0);
}
