import type { ManagedTransaction } from 'neo4j-driver';
import type { Database } from '../../db/database';
import { int, type Integer } from '../../db/integers';
import { refreshTivRollups, tivRollupParams } from '../../db/tiv-rollups';
import { dealPartiesParams, type DealPartiesRow, type Retirement } from '../../db/graph-writer';
import { nameFields, nameKey } from '../../db/names';
import { relationKey } from '../../model';
import { loadCountryTable, PartyResolver, slug, type CountryEntry, type Party } from '../resolve-party';
import {
  closeRelease,
  reconcileReleases,
  RELEASE_ACTOR,
  releaseImported,
  releaseSourceId,
  writeRelease,
  type Reconciled,
} from '../../db/release-writes';
import { mapRow, type SipriRow } from './map-row';
import type { Register } from './read-register';
import { releaseOf, type Release } from './release-preamble';
import { registerFingerprint, RowHasher } from './release-fingerprint';
import { recordOf } from './release-records';
import { familyOf, shortNamesOf } from './system-families';
import {
  DEAL_CYPHER,
  LOOKUP_CYPHER,
  SOURCE_ID,
  STATUS_CYPHER,
  TOTALS_CYPHER,
  type BatchParams,
  type DealParams,
} from './import-cypher';

/** A delivery as the batch holds it, before it is sent with its deal's id. */
interface DeliveryParams {
  id: string;
  props: Record<string, unknown>;
}

/**
 * Writes an export into the graph in batches: each batch is ONE write transaction of a few UNWIND
 * statements (MERGE on indexed ids), so a failure leaves no half batch and a re-run completes the
 * import without duplicates. Reading is pipelined with writing: while one batch is in flight the
 * next one is read and mapped, and at most one batch waits, so memory stays bounded. Curated deals that SIPRI also records (same buyer, seller, system,
 * order year within one year, or listing `sipri-<id>` as an alias) receive SIPRI's facts instead of
 * a second deal; where the two disagree, both values are kept as claims.
 */

export interface Rejected {
  line: number;
  reason: string;
}

export interface ImportReport {
  variant: Register['variant'];
  dataGenerated: string;
  /** The release the export is (its Source id, date and scope). */
  release: { id: string } & Release;
  /** The same release was imported from this very file before: nothing was read or written. */
  alreadyImported: boolean;
  /** Deals and deliveries retired or revived because the newest release covering them does (not) list them. */
  reconciled: Omit<Reconciled, 'dealIds'>;
  rowsRead: number;
  rowsImported: number;
  rejected: Rejected[];
  deals: number;
  deliveries: number;
  countries: number;
  organizations: number;
  systems: number;
  /** SIPRI ids whose records were merged onto curated deals. */
  merged: { sipriId: string; dealId: string }[];
  /** Every supplier or recipient name that is not a state, and what it became. */
  nonStateParties: { name: string; id: string; kind: string }[];
  durationMs: number;
}

export interface ImportOptions {
  /** Rows per write transaction. */
  batchSize?: number;
  /** Called after each committed batch with the rows read up to the end of that batch. */
  onProgress?: (rowsRead: number) => void;
  /** Called when the import moves on from writing batches to reconciling the deals it wrote. */
  onReconcile?: (deals: number) => void;
  countries?: CountryEntry[];
  /**
   * Server-side time limit of one batch's transaction (ms). An import is a batch job, not an API
   * request: a large batch on a busy machine may take longer than the per-request query timeout.
   */
  batchTimeoutMs?: number;
  /**
   * The release the export is (src/import/sipri/release-preamble.ts); read from its preamble when
   * absent, and refused when the preamble does not say.
   */
  release?: Release;
  /**
   * Opens the same export again. With it, an export whose rows were already imported as this release
   * is recognised by a first pass that fingerprints them, and nothing is written.
   */
  reread?: () => Promise<Register>;
}

interface CuratedDeal {
  id: string;
  name: string;
  aliases: string[];
  nameKeys: string[];
  orderYear: number | null;
  buyerId: string | null;
  sellerId: string | null;
  systemId: string | null;
  sourceIds: string[];
}

function emptyReport(
  variant: Register['variant'],
  seen: string,
  release: ImportReport['release'],
  reconciled: ImportReport['reconciled'],
): ImportReport {
  return {
    variant,
    dataGenerated: seen,
    release,
    alreadyImported: false,
    reconciled,
    rowsRead: 0,
    rowsImported: 0,
    rejected: [],
    deals: 0,
    deliveries: 0,
    countries: 0,
    organizations: 0,
    systems: 0,
    merged: [],
    nonStateParties: [],
    durationMs: 0,
  };
}

export async function importSipri(
  db: Database,
  register: Register,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 5000;
  const batchTimeoutMs = opts.batchTimeoutMs ?? 600_000;
  const release = opts.release ?? releaseOf(register.variant);
  const seen = release.generated;
  const releaseInfo = { id: releaseSourceId(seen), ...release };
  const releaseNode = {
    generated: seen,
    scopeFrom: release.scope.from,
    scopeTo: release.scope.to,
    ordersIncluded: release.scope.ordersIncluded,
    allParties: release.scope.allParties,
  };
  const already = await releaseImported(db, releaseNode, async () =>
    opts.reread
      ? registerFingerprint(await opts.reread(), new PartyResolver(opts.countries ?? loadCountryTable()))
      : undefined,
  );
  const noChange = { retiredDeals: 0, revivedDeals: 0, retiredDeliveries: 0, revivedDeliveries: 0 };
  if (already) {
    return {
      ...emptyReport(register.variant, seen, releaseInfo, noChange),
      alreadyImported: true,
      durationMs: Date.now() - started,
    };
  }

  const lookup = (await db.read(LOOKUP_CYPHER))[0] ?? {};
  const systemByKey = new Map<string, string>();
  const known = (lookup.systems as { id: string; keys: string[] }[] | null) ?? [];
  // Ids first: a key that is one system's id reaches that system, not another whose name shares it.
  for (const s of known) systemByKey.set(nameKey(s.id), s.id);
  for (const s of known) for (const k of s.keys) if (!systemByKey.has(k)) systemByKey.set(k, s.id);
  const curated = (lookup.curated as unknown as CuratedDeal[] | null) ?? [];
  const parties = new PartyResolver(
    opts.countries ?? loadCountryTable(),
    new Set((lookup.takenIds as string[] | null) ?? []),
  );
  await db.write(
    `MERGE (s:Source {id: $id}) ON CREATE SET s:Entity, s += $props
     SET s.dataGenerated = CASE WHEN s.dataGenerated IS NULL OR s.dataGenerated < $seen THEN $seen ELSE s.dataGenerated END`,
    {
      id: SOURCE_ID,
      seen,
      props: {
        ...nameFields(SOURCE_ID, 'SIPRI Arms Transfers Database'),
        kind: 'database',
        title: 'SIPRI Arms Transfers Database',
        publisher: 'Stockholm International Peace Research Institute (SIPRI)',
        url: 'https://www.sipri.org/databases/armstransfers',
        citation: 'Source: SIPRI Arms Transfers Database',
        retrieved: seen,
        sourceIds: [],
      },
    },
  );

  await writeRelease(db, releaseNode);

  const report = emptyReport(register.variant, seen, releaseInfo, noChange);
  const dealIds = new Set<string>();
  let lastYear = 0;
  const partyIds = new Map<string, Party>();
  const systemIds = new Set<string>();
  const targetOf = new Map<string, string>();
  const claimedCurated = new Set<string>();
  const nonState = new Map<string, { name: string; id: string; kind: string }>();

  const curatedById = new Map(curated.map((c) => [c.id, c]));
  const curatedByAlias = new Map<string, CuratedDeal>();
  for (const c of curated) for (const k of c.nameKeys) curatedByAlias.set(k, c);

  /** The deal a SIPRI record lands on: a curated deal recording the same transfer, or its own. */
  const target = (row: SipriRow, buyer: Party, seller: Party, systemId: string): string => {
    const known = targetOf.get(row.sipriId);
    if (known) return known;
    const sid = `sipri-${row.sipriId}`;
    const match =
      curatedByAlias.get(nameKey(sid)) ??
      curated.find(
        (c) =>
          !claimedCurated.has(c.id) &&
          c.buyerId === buyer.id &&
          c.sellerId === seller.id &&
          c.systemId === systemId &&
          c.orderYear !== null &&
          Math.abs(c.orderYear - row.orderYear) <= 1,
      );
    const id = match?.id ?? sid;
    if (match) {
      claimedCurated.add(match.id);
      report.merged.push({ sipriId: row.sipriId, dealId: match.id });
    }
    targetOf.set(row.sipriId, id);
    return id;
  };

  // Designations repeat across thousands of rows: each is keyed (Unicode folding) once.
  const systemByDesignation = new Map<string, { id: string; isNew: boolean }>();
  const systemFor = (row: SipriRow): { id: string; isNew: boolean } => {
    const cached = systemByDesignation.get(row.designation);
    if (cached) return { id: cached.id, isNew: false };
    const system = keySystem(row);
    systemByDesignation.set(row.designation, system);
    return system;
  };
  const keySystem = (row: SipriRow): { id: string; isNew: boolean } => {
    // "+" names another designation ("BDSL+" is not "BDSL"), which keys and slugs would drop.
    const spelled = row.designation.replace(/\+/g, ' plus ');
    const key = nameKey(spelled);
    const found = systemByKey.get(key);
    if (found) return { id: found, isNew: false };
    const id = slug(spelled) || `system-${key}`;
    systemByKey.set(key, id);
    systemByKey.set(nameKey(id), id);
    return { id, isNew: true };
  };

  let batch = emptyBatch();
  let batchRows = 0;
  const deliveryKeys = new Set<string>();
  // The batch being written while the next is read; its failure surfaces at the next flush or the end.
  let inflight: Promise<void> = Promise.resolve();

  const write = async (params: BatchParams) => {
    await db.writeTx(async (tx: ManagedTransaction) => {
      for (const { cypher, params: used } of DEAL_CYPHER) {
        const ownParams = Object.fromEntries(used.map((k) => [k, params[k]]));
        const lists = used.filter((k) => Array.isArray(params[k]));
        // A statement over lists that are all empty in this batch has nothing to do.
        if (lists.length > 0 && lists.every((k) => (params[k] as unknown[]).length === 0)) continue;
        await db.run(tx, cypher, ownParams);
      }
    }, batchTimeoutMs);
  };

  const flush = async () => {
    if (batchRows === 0) return;
    const params: BatchParams = {
      seen,
      release: seen,
      now: new Date().toISOString(),
      records: [...batch.deals.values(), ...batch.curatedDeals.values()].map((e) =>
        recordOf(
          e.id,
          { buyerId: e.buyer.id, sellerId: e.seller.id, systemId: e.systemId },
          { designation: e.row.designation, ...sipriFacts(e.row), ...sharedFacts(e.row) },
          e.rowDeliveries,
        ),
      ),
      sourceId: SOURCE_ID,
      countries: batch.countries,
      organizations: batch.organizations,
      systems: batch.systems,
      families: batch.families,
      deals: [...batch.deals.values()].map((e) => dealParams(e)),
      curatedDeals: [...batch.curatedDeals.values()].map((e) => ({
        ...dealParams(e),
        fill: sharedFacts(e.row),
      })),
      ...dealPartiesParams(
        [...batch.deals.values(), ...batch.curatedDeals.values()].map((e) => partiesRow(e)),
        replacedParty(seen),
      ),
      deliveries: [],
      claims: batch.claims,
      ...tivRollupParams([...batch.deals.keys(), ...batch.curatedDeals.keys()]),
    };
    for (const e of [...batch.deals.values(), ...batch.curatedDeals.values()]) {
      dealIds.add(e.id);
      for (const d of e.deliveries)
        params.deliveries.push({ dealId: e.id, key: relationKey('HAS_DELIVERY', e.id, d.id), ...d });
    }
    const rows = batchRows;
    const read = report.rowsRead;
    batch = emptyBatch();
    batchRows = 0;
    await inflight;
    inflight = write(params).then(() => {
      report.rowsImported += rows;
      opts.onProgress?.(read);
    });
    // Awaited at the next flush or at the end; until then a failure must not count as unhandled.
    inflight.catch(() => undefined);
  };

  const hasher = new RowHasher();
  const newSystems = new Set<string>();
  const writtenParties = new Set<string>();
  for await (const line of register.lines) {
    report.rowsRead++;
    const mapped = mapRow(register.variant.layout, line);
    if (!mapped.ok) {
      report.rejected.push({ line: mapped.line, reason: mapped.reason });
      continue;
    }
    const row = mapped.row;
    const seller = parties.resolve(row.supplier);
    const buyer = parties.resolve(row.recipient);
    if (!seller || !buyer) {
      const which = seller ? `recipient "${row.recipient}"` : `supplier "${row.supplier}"`;
      report.rejected.push({
        line: row.line,
        reason: `${which} is neither a known state nor marked * (armed group) or ** (organisation)`,
      });
      continue;
    }
    hasher.update(row, seller.name, buyer.name);
    const system = systemFor(row);
    const dealId = target(row, buyer, seller, system.id);
    const dup = row.deliveries.find((d) => deliveryKeys.has(`${dealId}:${d.year}`));
    if (dup) {
      report.rejected.push({
        line: row.line,
        reason: `deal ${row.sipriId} already has a row for delivery year ${dup.year}`,
      });
      continue;
    }
    for (const d of row.deliveries) deliveryKeys.add(`${dealId}:${d.year}`);

    // A group's country is written with it: the group is BASED_IN it (Organization.country).
    const homes = [seller, buyer].flatMap((p) =>
      p.label === 'Organization' && p.countryId ? [parties.resolve(p.countryId)] : [],
    );
    for (const [party, raw] of [
      [seller, row.supplier],
      [buyer, row.recipient],
      ...homes.flatMap((h) => (h ? [[h, undefined] as const] : [])),
    ] as const) {
      if (raw !== undefined) partyIds.set(party.id, party);
      if (party.label === 'Organization' && raw !== undefined)
        nonState.set(raw, { name: raw, id: party.id, kind: party.kind });
      if (writtenParties.has(party.id)) continue;
      writtenParties.add(party.id);
      if (party.label === 'Country') {
        batch.countries.push({
          id: party.id,
          props: {
            ...nameFields(party.id, party.name, party.aliases),
            iso2: party.iso2,
            historical: party.historical,
            kind: 'state',
          },
        });
      } else {
        batch.organizations.push({
          id: party.id,
          props: {
            ...nameFields(party.id, party.name, party.aliases),
            kind: party.kind,
            ...(party.countryId ? { countryId: party.countryId } : {}),
          },
        });
      }
    }
    systemIds.add(system.id);
    if (system.isNew && !newSystems.has(system.id)) {
      newSystems.add(system.id);
      batch.systems.push({
        id: system.id,
        props: {
          ...nameFields(system.id, row.designation, shortNamesOf(row.designation)),
          ...(row.category ? { category: row.category } : {}),
          ...(row.description ? { description: row.description } : {}),
        },
      });
      // A variant ("F-35A Lightning-2") belongs to its family ("F-35"): an existing system of that
      // name (the seed's F-35), or a new one.
      const familyName = familyOf(row.designation);
      const family = familyName ? systemFor({ ...row, designation: familyName }) : undefined;
      if (family && family.id !== system.id) {
        if (family.isNew && !newSystems.has(family.id)) {
          newSystems.add(family.id);
          batch.systems.push({
            id: family.id,
            props: { ...nameFields(family.id, familyName ?? family.id), family: true },
          });
        }
        batch.families.push({ variantId: system.id, familyId: family.id });
      }
    }
    addDeal(batch, row, dealId, buyer, seller, system.id, curatedById.get(dealId));
    for (const d of row.deliveries) if (d.year > lastYear) lastYear = d.year;
    batchRows++;
    if (batchRows >= batchSize) await flush();
  }
  await flush();
  await inflight;
  // The last year the export covers: the latest delivery year it lists.
  await closeRelease(db, seen, undefined, lastYear);
  const reconciled = await reconcileReleases(db);
  const { dealIds: settled, ...counts } = reconciled;
  report.reconciled = counts;
  for (let i = 0; i < settled.length; i += batchSize) {
    const chunk = settled.slice(i, i + batchSize);
    const rows = chunk.map((id) => ({ id, totals: {} }));
    // A deal or delivery retired (or revived) by a newer release leaves (or rejoins) the TIV tables:
    // its totals and its rollups change in one transaction.
    await db.writeTx(async (tx) => {
      await db.run(tx, TOTALS_CYPHER('$rows'), { rows, release: seen });
      await refreshTivRollups(db, tx, chunk);
    });
  }
  const ids = [...new Set([...dealIds, ...settled])];
  opts.onReconcile?.(ids.length);
  for (let i = 0; i < ids.length; i += batchSize) {
    await db.write(STATUS_CYPHER, { ids: ids.slice(i, i + batchSize), lastYear });
  }
  // Marked imported from this file last: an import that stopped before is run again whole.
  await closeRelease(db, seen, hasher.digest(), lastYear);

  report.deals = dealIds.size;
  report.deliveries = deliveryKeys.size;
  report.countries = [...partyIds.values()].filter((p) => p.label === 'Country').length;
  report.organizations = partyIds.size - report.countries;
  report.systems = systemIds.size;
  report.nonStateParties = [...nonState.values()].sort((a, b) => a.name.localeCompare(b.name));
  report.durationMs = Date.now() - started;
  return report;
}

/** A deal as the batch being read holds it: its last row's facts, and the deliveries of all its rows. */
interface DealEntry {
  id: string;
  row: SipriRow;
  buyer: Party;
  seller: Party;
  systemId: string;
  /** Set for a curated deal that receives SIPRI's record. */
  curated: CuratedDeal | undefined;
  deliveries: DeliveryParams[];
  /** The deliveries of its rows in this batch, as the release's record keeps them. */
  rowDeliveries: SipriRow['deliveries'];
}

/** A batch being read: deals by id (a deal has one row per delivery year; the batch writes it once). */
interface Batch {
  countries: BatchParams['countries'];
  organizations: BatchParams['organizations'];
  systems: BatchParams['systems'];
  families: BatchParams['families'];
  deals: Map<string, DealEntry>;
  curatedDeals: Map<string, DealEntry>;
  claims: BatchParams['claims'];
}

function emptyBatch(): Batch {
  return {
    countries: [],
    organizations: [],
    systems: [],
    families: [],
    deals: new Map(),
    curatedDeals: new Map(),
    claims: [],
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
function addDeal(
  batch: Batch,
  row: SipriRow,
  dealId: string,
  buyer: Party,
  seller: Party,
  systemId: string,
  cur: CuratedDeal | undefined,
): void {
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
  const deals = cur ? batch.curatedDeals : batch.deals;
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
      batch.claims.push({
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
  };
}
