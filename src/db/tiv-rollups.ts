import type { ManagedTransaction } from 'neo4j-driver';
import { SIPRI_STATUS } from '../model';
import type { Database } from './database';
import { buildOnceForAllDeals } from './build-once';
import { int } from './integers';

/**
 * TIV rollups: SIPRI's tables (TIV delivered per supplier, recipient, system, ... and year) read from
 * pre-summed rows instead of every delivery of the period, so a table costs its answer, not the register.
 *
 * A `(:TivRollup)` row holds, for one key and one delivery year, the TIV delivered (`tiv`, in
 * thousandths of a TIV million, an integer: sums are exact and never show float noise), the number of
 * deliveries (`n`, one per deal and year) and `gaps`, where `gaps[g - 1]` counts the deliveries whose
 * deal delivered last `g` years before. The gaps let a period count each deal once: a deal's first
 * delivery inside [from, to] is the one whose previous delivery is before `from`, so the deals of a
 * group over a period are Σ (n − Σ_{g ≤ year − from} gaps[g − 1]) over its rows in the period.
 *
 * Rows exist at three levels, each keyed by a subset of the deal key (supplier, recipient, system,
 * category, condition, local production) plus the year: `SR` (supplier, recipient), `S` (supplier),
 * `R` (recipient). A query reads the smallest level whose key covers its groupings and filters
 * (src/db/transfer-totals.ts); one that needs more of the key (a system, a category, a condition, local
 * production) reads the contributions below, one per deal.
 *
 * Each deal's part of the rollups is kept on a `(:TivContribution {dealId})` node: its whole key and its
 * live deliveries' years and TIVs (in year order, so each delivery's gap follows from the years). The
 * contributions are also the finest level: a level keyed by the whole key would hold about one row per
 * delivery (nine tenths of all rows, measured), each duplicating a contribution, so there is none.
 * Refreshing a deal subtracts the part it had and adds the part it has now (nothing when they are equal),
 * so the refresh is idempotent, needs nothing from the write that came before it, and any number of deals
 * refresh in one statement whose rollup updates are summed per row first (a row of the United States'
 * deliveries in a year is written once per batch, not once per deal). Like the deal slots, rollups and
 * contributions are derived data outside the entity graph (no `:Entity` label).
 *
 * How a writer keeps them: after changing anything a deal's part depends on (its deliveries, their
 * year or TIV, its BUYER/SELLER/COVERS relationships, category, SIPRI status, local production, or
 * retiring the deal, a delivery or one of those relationships), in the same transaction, call
 * `refreshTivRollups(db, tx, dealIds)`, or add `TIV_ROLLUP_CYPHER` (parameter `$dealIds`) to a batch
 * of statements. A merge passes the deals of both entities.
 *
 * A bulk writer that has a deal's key and live deliveries at hand anyway (the SIPRI import's batches)
 * may instead write the contribution itself, marked `unfolded`: the deal's part now, in no rollup row
 * yet (BATCHED_CONTRIBUTION_CYPHER). Its settling then only adds unfolded contributions to the rows
 * (foldUnfoldedTivContributions), in pages of suppliers: reading each deal's deliveries and parties
 * back was half of what settling a first load cost, and folding in pages of deal ids rewrote a
 * supplier's rows once per page. Every other refresh reads the deal back and takes an unfolded
 * contribution for no part at all, so a write in between folds the deal as it is and clears the mark.
 */

/** Marks a database whose rollups were built (databases written before rollups existed get them once). */
export const BUILT_LABEL = 'TivRollupsBuilt';

/**
 * The layout of the rows and contributions, kept on the marker (`layout`; none: 1): a database written
 * in an older one is brought to this one once at start (relayoutTivRollups). 2: levels SR, S and R,
 * ids `level|supplier|recipient|year` (1: also a level F keyed by the whole deal key, and ids holding
 * every key field). 3: contributions without `gaps` and `signature` (derived from the fields they keep).
 */
export const ROLLUP_LAYOUT = 3;

/** A live relationship or node (retired facts count nowhere). */
const live = (v: string) => `coalesce(${v}.retired, false) = false`;

/** A deal's stored Status as the DealCondition enum's value. */
export const CONDITION_CYPHER = (d: string) => `CASE ${d}.sipriStatus
  ${Object.entries(SIPRI_STATUS)
    .map(([k, v]) => `WHEN '${v}' THEN '${k}'`)
    .join(' ')} END`;

/** The id of the entity a live relationship of `type` leads to from deal `d` (the lowest if several). */
const partyOf = (d: string, type: string, label: string) =>
  `reduce(low = null, id IN [(${d})-[r:${type}]->(p:${label}) WHERE ${live('r')} | p.id] |
    CASE WHEN low IS NULL OR id < low THEN id ELSE low END)`;

/**
 * The key a deal's deliveries are summed under, as a map projection of deal `d`: shared by the
 * rollups and by the queries that sum deliveries, so both answer alike.
 */
export const DEAL_KEY_CYPHER = (d: string) => `{
  supplierId: ${partyOf(d, 'SELLER', 'Entity')},
  recipientId: ${partyOf(d, 'BUYER', 'Entity')},
  systemId: ${partyOf(d, 'COVERS', 'WeaponSystem')},
  category: ${d}.category,
  condition: ${CONDITION_CYPHER(d)},
  localProduction: ${d}.localProduction
}`;

/** A delivery's TIV in thousandths (an integer), as the rollups and the delivery sums add it up. */
export const MILLI_TIV = (x: string) => `toInteger(round(coalesce(toFloat(${x}.tiv), 0.0) * 1000))`;

/** A live delivery `x` of deal `d`. */
export const LIVE_DELIVERY = (d: string, x: string) =>
  `(${d})-[hd:HAS_DELIVERY]->(${x}:Delivery) WHERE ${live('hd')} AND ${live(x)}`;

/** The fields of a deal's key (DEAL_KEY_CYPHER), each held by its contribution. */
export const KEY_FIELDS = [
  'supplierId',
  'recipientId',
  'systemId',
  'category',
  'condition',
  'localProduction',
] as const;
export type KeyField = (typeof KEY_FIELDS)[number];

/**
 * Where a table's sums come from, finest first: the contributions (the whole key), then each rollup
 * level with the key fields it keeps. A table reads the last whose fields cover its groupings and
 * filters.
 */
export const LEVELS = {
  contributions: KEY_FIELDS,
  SR: ['supplierId', 'recipientId'],
  S: ['supplierId'],
  R: ['recipientId'],
} as const;
export type Level = keyof typeof LEVELS;
export type RollupLevel = Exclude<Level, 'contributions'>;

const LEVEL_PARAM = (Object.keys(LEVELS) as Level[])
  .filter((name): name is RollupLevel => name !== 'contributions')
  .map((name) => ({ name, fields: [...LEVELS[name]] as string[] }));

/**
 * The key fields some rollup level keeps, in the key's order: a row holds them (null when its level
 * leaves one out). Read from LEVELS, so a level keyed by another field gets it in its rows and ids.
 */
const ROLLUP_FIELDS = KEY_FIELDS.filter((f) => LEVEL_PARAM.some((l) => l.fields.includes(f)));

/** A rollup row's id: its level, its key fields (empty when the level leaves them out) and its year. */
const ROLLUP_ID = `level + '|' + ${ROLLUP_FIELDS.map((f) => `coalesce(${f}, '')`).join(" + '|' + ")} + '|' + toString(year)`;

/** A rollup level's fields of contribution `c` (null where the level leaves one out), as `level`. */
const LEVEL_KEY = ROLLUP_FIELDS.map((f) => `CASE WHEN '${f}' IN level.fields THEN c.${f} END AS ${f}`).join(
  ',\n  ',
);

/** The gap before delivery `i` of contribution `c` (years since its previous delivery; 0 for the first). */
const GAP = (c: string, i: string) =>
  `CASE WHEN ${i} = 0 THEN 0 ELSE ${c}.years[${i}] - ${c}.years[${i} - 1] END`;

/** Whether contribution parts `a` and `b` (maps, either may lack a field that is null) differ. */
const DIFFERS = (a: string, b: string) =>
  [
    `${a}.years <> ${b}.years`,
    `${a}.tivs <> ${b}.tivs`,
    ...KEY_FIELDS.map((f) => `NOT coalesce(${a}.${f} = ${b}.${f}, ${a}.${f} IS NULL AND ${b}.${f} IS NULL)`),
  ].join(' OR ');

/** A contribution's fields (a map projection of `c`): its key, deal, years and TIVs. */
const CONTRIBUTION_FIELDS = (c: string) =>
  `${c} {${[...KEY_FIELDS, 'dealId', 'years', 'tivs'].map((f) => `.${f}`).join(', ')}}`;

/**
 * Per deal id `id`: `now`, the part the deal has now (null when it has no live deliveries), `before`,
 * the part the rows hold (null when its contribution is missing or unfolded), and `c`, that
 * contribution, for the deals whose part changed. Contributions are written (or deleted) to hold
 * `now`: the key, `years` and `tivs`, nothing derived from them (the gaps follow from the years; an
 * unchanged deal is recognised by comparing the fields themselves), which halved the cost of writing
 * them. With `$batched`, an unfolded contribution is taken as `now` and only loses its mark (`kept`).
 */
const CONTRIBUTIONS_CYPHER = `
UNWIND $dealIds AS id
OPTIONAL MATCH (c:TivContribution {dealId: id})
// Decided before either branch runs: the first one removes the mark. With $skipUnfolded, a deal whose
// contribution is unfolded is left to foldUnfoldedTivContributions.
WITH id, c, $batched AND coalesce(c.unfolded, false) AS kept
WHERE NOT ($skipUnfolded AND coalesce(c.unfolded, false))
CALL (id, c, kept) {
  WITH c WHERE kept
  REMOVE c.unfolded
  RETURN null AS before, ${CONTRIBUTION_FIELDS('c')} AS now
  UNION ALL
  WITH id, c WHERE NOT kept
  OPTIONAL MATCH (d:Deal {id: id}) WHERE ${live('d')}
  OPTIONAL MATCH ${LIVE_DELIVERY('d', 'x')}
  WITH id, c, d, x ORDER BY x.year
  WITH id, c, d, collect(toInteger(x.year)) AS years, collect(${MILLI_TIV('x')}) AS tivs
  WITH id, c, d, years, tivs, ${DEAL_KEY_CYPHER('d')} AS key
  RETURN CASE WHEN c IS NULL OR coalesce(c.unfolded, false) THEN null ELSE properties(c) END AS before,
    CASE WHEN d IS NULL OR size(years) = 0 THEN null ELSE key { .*, dealId: id, years: years, tivs: tivs } END AS now
}
// The deal is judged now: a mark a batch left for this read-back goes (a changed part is rewritten whole).
FOREACH (_ IN CASE WHEN c.stale THEN [1] ELSE [] END | REMOVE c.stale)
WITH id, now, before, kept, c
WHERE before IS NULL OR now IS NULL OR ${DIFFERS('before', 'now')}
CALL (id, now, c, kept) {
  FOREACH (_ IN CASE WHEN now IS NULL AND c IS NOT NULL THEN [1] ELSE [] END | DELETE c)
  FOREACH (_ IN CASE WHEN now IS NOT NULL AND NOT kept THEN [1] ELSE [] END |
    MERGE (k:TivContribution {dealId: id}) SET k = now)
}`;

/**
 * Writes deal `d`'s contribution from what a bulk writer's batch statement has at hand, unfolded (see
 * the module comment): `row.parties`, the supplierId, recipientId and systemId the batch gave the
 * deal, `xs`, its live deliveries in year order, and `row.fresh`, whether the batch created the deal.
 * Only a deal whose part is in no row is written: one the batch created (it has no contribution), or
 * one whose contribution is still unfolded; any other is left to the settling refresh's read-back.
 * The rest of the key is read from the deal as DEAL_KEY_CYPHER reads it.
 */
export const BATCHED_CONTRIBUTION_CYPHER = (d: string, row: string, xs: string) => `
CALL (${d}, ${row}, ${xs}) {
  OPTIONAL MATCH (c:TivContribution {dealId: ${d}.id})
  WITH ${d}, ${row}, ${xs}, c, {supplierId: ${row}.parties.supplierId, recipientId: ${row}.parties.recipientId,
    systemId: ${row}.parties.systemId, category: ${d}.category, condition: ${CONDITION_CYPHER(d)},
    localProduction: ${d}.localProduction, years: [x IN ${xs} | toInteger(x.year)],
    tivs: [x IN ${xs} | ${MILLI_TIV('x')}]} AS part
  // A folded part this batch sees otherwise, or cannot judge (a row without parties: a curated deal),
  // is marked for settling's read-back (staleTivContributions); an unchanged deal of a next release is not.
  FOREACH (_ IN CASE WHEN c IS NOT NULL AND NOT coalesce(c.unfolded, false)
      AND (${row}.parties IS NULL OR ${DIFFERS('c', 'part')}) THEN [1] ELSE [] END | SET c.stale = true)
  WITH ${d}, ${row}, ${xs}, c, part
  WHERE ${row}.parties IS NOT NULL AND CASE WHEN c IS NULL THEN ${row}.fresh ELSE coalesce(c.unfolded, false) END
  FOREACH (_ IN CASE WHEN size(${xs}) = 0 AND c IS NOT NULL THEN [1] ELSE [] END | DELETE c)
  FOREACH (_ IN CASE WHEN size(${xs}) > 0 THEN [1] ELSE [] END |
    MERGE (k:TivContribution {dealId: ${d}.id})
    SET k = part { .*, dealId: ${d}.id, unfolded: true })
}`;

/** Rollup row `t`'s gaps with `gaps` (a list of [gap, count]) added. */
const ADD_GAPS = (t: string) => `reduce(v = ${t}, g IN gaps |
    [k IN range(0, CASE WHEN size(v) >= g[0] THEN size(v) - 1 ELSE g[0] - 1 END) |
      coalesce(v[k], 0) + CASE WHEN k = g[0] - 1 THEN g[1] ELSE 0 END])`;

/**
 * The refresh of the deals whose ids `$dealIds` holds (each once), as one statement: see the module
 * comment. Parameters: `dealIds` (strings), `tivLevels` (LEVEL_PARAM).
 */
export const TIV_ROLLUP_CYPHER = `${CONTRIBUTIONS_CYPHER}
WITH [p IN [[before, -1], [now, 1]] WHERE p[0] IS NOT NULL] AS parts
UNWIND parts AS part
WITH part[0] AS c, part[1] AS sign
UNWIND range(0, size(c.years) - 1) AS i
UNWIND $tivLevels AS level
WITH level.name AS level, ${LEVEL_KEY},
  c.years[i] AS year, ${GAP('c', 'i')} AS gap, sign * c.tivs[i] AS tiv, sign AS n
// Summed per row and gap, then per row: a deal's part that moved nowhere cancels out and is not written.
WITH level, ${ROLLUP_FIELDS.join(', ')}, year, gap, sum(tiv) AS tiv, sum(n) AS n
WITH level, ${ROLLUP_FIELDS.join(', ')}, year, sum(tiv) AS tiv, sum(n) AS n,
  collect(CASE WHEN gap > 0 AND n <> 0 THEN [gap, n] END) AS gaps
WHERE tiv <> 0 OR n <> 0 OR size(gaps) > 0
MERGE (t:TivRollup {id: ${ROLLUP_ID}})
// A new row is written once, with its sums (most rows of a first load are new).
ON CREATE SET t += {level: level, ${ROLLUP_FIELDS.map((f) => `${f}: ${f}`).join(', ')}, year: year,
  tiv: tiv, n: n, gaps: ${ADD_GAPS('[]')}}
ON MATCH SET t.tiv = t.tiv + tiv, t.n = t.n + n, t.gaps = ${ADD_GAPS('t.gaps')}
WITH t WHERE t.n = 0
DELETE t`;

/**
 * The rollup rows of the levels `$tivLevels` summed from the contributions that `match` binds to `c`,
 * and created: the rows are new (rebuildTivRollups deleted them first), so no row is looked up, and a
 * row shared by many deals is written once instead of once per page of deals. Every contribution of
 * a row must be among those `match` binds (rebuildTivRollups chooses them so).
 */
const rollupsFromContributions = (match: string) => `${match}
UNWIND range(0, size(c.years) - 1) AS i
UNWIND $tivLevels AS level
WITH level.name AS level, ${LEVEL_KEY},
  c.years[i] AS year, ${GAP('c', 'i')} AS gap, c.tivs[i] AS tiv
WITH level, ${ROLLUP_FIELDS.join(', ')}, year, gap, sum(tiv) AS tiv, count(*) AS n
WITH level, ${ROLLUP_FIELDS.join(', ')}, year, sum(tiv) AS tiv, sum(n) AS n,
  collect(CASE WHEN gap > 0 THEN [gap, n] END) AS gaps
WITH level, ${ROLLUP_FIELDS.join(', ')}, year, tiv, n, gaps,
  reduce(m = 0, g IN gaps | CASE WHEN g[0] > m THEN g[0] ELSE m END) AS longest
CREATE (t:TivRollup)
SET t = {id: ${ROLLUP_ID}, level: level, ${ROLLUP_FIELDS.map((f) => `${f}: ${f}`).join(', ')}, year: year,
  tiv: tiv, n: n,
  gaps: [k IN range(0, longest - 1) | reduce(s = 0, g IN gaps | s + CASE WHEN g[0] = k + 1 THEN g[1] ELSE 0 END)]}`;

/**
 * The levels whose key holds the supplier: their rows are summed per page of suppliers, every row of
 * such a level within one page.
 */
const SUPPLIER_LEVELS = LEVEL_PARAM.filter((l) => l.fields.includes('supplierId'));
/** The others (the recipient's): at most parties × years rows however large the register, each level summed in one statement. */
const OTHER_LEVELS = LEVEL_PARAM.filter((l) => !SUPPLIER_LEVELS.includes(l));

/** Contributions per supplier (null: the deals without a live supplier). */
const SUPPLIER_COUNTS_CYPHER = `MATCH (c:TivContribution)
RETURN c.supplierId AS s, count(*) AS n ORDER BY s`;

/** The contributions of a page of suppliers, each supplier sought in the supplier index. */
const SUPPLIER_PAGE_CYPHER = rollupsFromContributions(
  'UNWIND $suppliers AS s MATCH (c:TivContribution {supplierId: s})',
);
/** The contributions the supplier index leaves out: those of a deal without a live supplier. */
const UNSUPPLIED_CYPHER = rollupsFromContributions('MATCH (c:TivContribution) WHERE c.supplierId IS NULL');
const ALL_CYPHER = rollupsFromContributions('MATCH (c:TivContribution)');

/**
 * Suppliers packed in key order into pages of at most `size` contributions (a supplier with more is a
 * page of its own).
 */
function supplierPages<S>(counts: { s: S; n: number }[], size: number): S[][] {
  const pages: S[][] = [];
  let page: S[] = [];
  let n = 0;
  for (const c of counts) {
    if (page.length > 0 && n + c.n > size) {
      pages.push(page);
      page = [];
      n = 0;
    }
    page.push(c.s);
    n += c.n;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * Brings these deals' contributions up to date without touching the rollup rows: for a writer that
 * rebuilds the rows from the contributions afterwards (rebuildTivRollups).
 */
export async function refreshTivContributions(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
): Promise<void> {
  if (dealIds.length === 0) return;
  await db.run(tx, CONTRIBUTIONS_CYPHER, {
    dealIds: [...new Set(dealIds)],
    batched: false,
    skipUnfolded: false,
  });
}

/**
 * Replaces every rollup row by the sum of the contributions: the repair at start, for a database
 * whose rows are missing or were left incomplete (buildMissingTivRollups). It reads every
 * contribution once per level, which on the real register cost more than the per-page refresh an
 * import does, so imports do not use it.
 *
 * Each transaction holds a bounded number of rows, so memory does not grow with the register: rows
 * are deleted `pageSize` at a time; the supplier's levels (SR, S) are summed per page of suppliers
 * holding about `pageSize` contributions (a supplier's rows are at most its recipients × years,
 * however many deals it has), plus one page for the deals without a live supplier; the recipient's
 * level (R), at most parties × years rows, in one transaction. A writer stopped between two
 * transactions leaves the marker out, and the next start rebuilds the rows.
 */
export async function rebuildTivRollups(
  db: Database,
  opts: { timeoutMs?: number; pageSize?: number } = {},
): Promise<void> {
  const size = opts.pageSize ?? 50_000;
  for (;;) {
    const [row] = await db.write(
      'MATCH (t:TivRollup) WITH t LIMIT $n DELETE t RETURN count(*) AS n',
      { n: int(size) },
      opts.timeoutMs,
    );
    if (Number(row?.n ?? 0) === 0) break;
  }
  const counts = await db.read(SUPPLIER_COUNTS_CYPHER, {}, opts.timeoutMs);
  const supplied = counts.filter((c) => c.s !== null).map((c) => ({ s: String(c.s), n: Number(c.n) }));
  for (const suppliers of supplierPages(supplied, size))
    await db.write(SUPPLIER_PAGE_CYPHER, { suppliers, tivLevels: SUPPLIER_LEVELS }, opts.timeoutMs);
  if (supplied.length < counts.length)
    await db.write(UNSUPPLIED_CYPHER, { tivLevels: SUPPLIER_LEVELS }, opts.timeoutMs);
  for (const level of OTHER_LEVELS) await db.write(ALL_CYPHER, { tivLevels: [level] }, opts.timeoutMs);
}

/**
 * How a refresh takes a deal whose contribution is unfolded (written by a bulk writer's batch:
 * BATCHED_CONTRIBUTION_CYPHER): `read-back`, as no part (every writer but that one); `fold`, as the
 * deal's part, added to the rows as it is (foldUnfoldedTivContributions); `skip`, not at all (that
 * writer's settling pages, which leave such deals to the fold).
 */
export type UnfoldedMode = 'read-back' | 'fold' | 'skip';

/** The parameters of TIV_ROLLUP_CYPHER for these deals (see UnfoldedMode). */
export function tivRollupParams(
  dealIds: readonly string[],
  unfolded: UnfoldedMode = 'read-back',
): {
  dealIds: string[];
  tivLevels: typeof LEVEL_PARAM;
  batched: boolean;
  skipUnfolded: boolean;
} {
  return {
    dealIds: [...new Set(dealIds)],
    tivLevels: LEVEL_PARAM,
    batched: unfolded === 'fold',
    skipUnfolded: unfolded === 'skip',
  };
}

/** Brings the rollups of these deals up to date, inside the writer's transaction (see tivRollupParams). */
export async function refreshTivRollups(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
  opts: { unfolded?: UnfoldedMode } = {},
): Promise<void> {
  if (dealIds.length === 0) return;
  await db.run(tx, TIV_ROLLUP_CYPHER, tivRollupParams(dealIds, opts.unfolded));
}

/**
 * Of these deals, those a settling refresh must read back: a deal without a contribution (none
 * written by its batch: no live delivery, or a deal of an older release gaining one) or with one a
 * batch marked stale (BATCHED_CONTRIBUTION_CYPHER). Unfolded contributions are left to the fold.
 */
export async function staleTivContributions(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
): Promise<string[]> {
  if (dealIds.length === 0) return [];
  const [row] = await db.run(
    tx,
    `UNWIND $ids AS id
     OPTIONAL MATCH (c:TivContribution {dealId: id})
     WITH id, c WHERE c IS NULL OR c.stale = true
     RETURN collect(id) AS ids`,
    { ids: [...dealIds] },
  );
  return (row?.ids as string[] | undefined) ?? [];
}

/** Unfolded contributions per supplier (null: none). */
const UNFOLDED_COUNTS_CYPHER = `MATCH (c:TivContribution) WHERE c.unfolded = true
RETURN c.supplierId AS s, count(*) AS n ORDER BY s`;

/** Up to $n unfolded contributions' deals of a page of suppliers (null: a deal without a supplier). */
const UNFOLDED_PAGE_CYPHER = `UNWIND $suppliers AS s
CALL (s) {
  MATCH (c:TivContribution {supplierId: s}) WHERE c.unfolded = true RETURN c.dealId AS id
  UNION ALL
  WITH s WHERE s IS NULL
  MATCH (c:TivContribution) WHERE c.supplierId IS NULL AND c.unfolded = true RETURN c.dealId AS id
}
RETURN id LIMIT $n`;

/**
 * Adds every unfolded contribution (a bulk writer's batches wrote them) to the rows and clears its
 * mark, in pages of suppliers holding about `pageSize` of them, each page in one transaction: the
 * rows of a supplier (its levels S and SR) are then written once per import rather than once per
 * page of deals; a supplier with more is folded `pageSize` deals at a time. A write in between that
 * refreshed a deal has cleared its mark already (it read the deal back), so no deal counts twice.
 * Returns how many deals it folded.
 */
export async function foldUnfoldedTivContributions(
  db: Database,
  opts: { pageSize: number; timeoutMs?: number },
): Promise<number> {
  const counts = await db.read(UNFOLDED_COUNTS_CYPHER, {}, opts.timeoutMs);
  const pages = supplierPages(
    counts.map((c) => ({ s: c.s as string, n: Number(c.n) })),
    opts.pageSize,
  );
  let folded = 0;
  for (const suppliers of pages)
    for (;;) {
      // Folding clears the marks, so the same query returns the next deals of these suppliers.
      const n = await db.writeTx(async (tx) => {
        const rows = await db.run(tx, UNFOLDED_PAGE_CYPHER, { suppliers, n: int(opts.pageSize) });
        const ids = rows.map((r) => String(r.id));
        await refreshTivRollups(db, tx, ids, { unfolded: 'fold' });
        return ids.length;
      }, opts.timeoutMs);
      folded += n;
      if (n < opts.pageSize) break;
    }
  return folded;
}

/**
 * Brings up to date the rollups of the deals that these nodes (element ids) are, or whose deliveries
 * they are: for writers that know what they touched by element id (retiring a deal, a delivery, or a
 * relationship whose start is a deal). Other nodes change no rollup.
 */
export async function refreshTivRollupsOf(
  db: Database,
  tx: ManagedTransaction,
  elementIds: readonly string[],
): Promise<void> {
  if (elementIds.length === 0) return;
  const rows = await db.run(
    tx,
    `UNWIND $eids AS eid
     MATCH (n) WHERE elementId(n) = eid
     OPTIONAL MATCH (owner:Deal)-[:HAS_DELIVERY]->(n)
     WITH CASE WHEN n:Deal THEN n.id ELSE owner.id END AS id WHERE id IS NOT NULL
     RETURN collect(DISTINCT id) AS ids`,
    { eids: [...elementIds] },
  );
  await refreshTivRollups(db, tx, (rows[0]?.ids as string[] | undefined) ?? []);
}

/** Indexes of the rollups (applied with the other schema statements). */
export const TIV_ROLLUP_SCHEMA = [
  'CREATE CONSTRAINT tiv_rollup_id_unique IF NOT EXISTS FOR (t:TivRollup) REQUIRE t.id IS UNIQUE',
  'CREATE INDEX tiv_rollup_level_year IF NOT EXISTS FOR (t:TivRollup) ON (t.level, t.year)',
  'CREATE INDEX tiv_rollup_supplier IF NOT EXISTS FOR (t:TivRollup) ON (t.level, t.supplierId, t.year)',
  'CREATE INDEX tiv_rollup_recipient IF NOT EXISTS FOR (t:TivRollup) ON (t.level, t.recipientId, t.year)',
  'CREATE CONSTRAINT tiv_contribution_deal_unique IF NOT EXISTS FOR (c:TivContribution) REQUIRE c.dealId IS UNIQUE',
  // A table filtered by a party or a system that no rollup level keeps seeks these (and
  // rebuildTivRollups its pages of suppliers); other filters read every contribution.
  'CREATE INDEX tiv_contribution_supplier IF NOT EXISTS FOR (c:TivContribution) ON (c.supplierId)',
  'CREATE INDEX tiv_contribution_recipient IF NOT EXISTS FOR (c:TivContribution) ON (c.recipientId)',
  'CREATE INDEX tiv_contribution_system IF NOT EXISTS FOR (c:TivContribution) ON (c.systemId)',
  // Indexes of the previous layout (ROLLUP_LAYOUT): every index costs the writers.
  'DROP INDEX tiv_rollup_system IF EXISTS',
  'DROP INDEX tiv_contribution_pair IF EXISTS',
];

/**
 * For a bulk writer that settles its deals' rollups once at its end instead of in each batch (the
 * SIPRI import): until it has, the tables must not read rollups that lag behind the deals, so the
 * marker goes and the tables sum deliveries (the same answers, slower). Returns whether the rollups
 * were built, for resumeTivRollups.
 */
export async function suspendTivRollups(db: Database): Promise<boolean> {
  const [row] = await db.write(`MATCH (m:${BUILT_LABEL}) DELETE m RETURN count(m) > 0 AS built`);
  return row?.built === true;
}

/**
 * Marks the rollups built again once the writer has settled every deal it wrote, if they were built
 * before it began. A writer that stopped half-way leaves the marker out: the next start rebuilds them
 * (buildMissingTivRollups), and the tables sum deliveries meanwhile.
 */
export async function resumeTivRollups(db: Database, wereBuilt: boolean): Promise<void> {
  if (wereBuilt)
    await db.write(`MERGE (m:${BUILT_LABEL}) SET m.layout = $layout`, { layout: int(ROLLUP_LAYOUT) });
}

/**
 * Builds the rollups of a database written before they existed (or whose writer stopped before it
 * settled them), once: each deal's contribution in batches of deals (a deal whose part is unchanged
 * is skipped), then every row from the contributions; queries sum deliveries until the marker is
 * written. Rows built in an older layout (ROLLUP_LAYOUT) are summed again from the contributions.
 */
export async function buildMissingTivRollups(db: Database, batch = 5_000): Promise<void> {
  await relayoutTivRollups(db, batch);
  // The rows from the contributions, whatever rows an interrupted writer left: contributions are
  // written per deal, the rows are only their sum.
  await buildOnceForAllDeals(
    db,
    BUILT_LABEL,
    (tx, ids) => refreshTivContributions(db, tx, ids),
    batch,
    () => rebuildTivRollups(db, { pageSize: batch }),
    { layout: int(ROLLUP_LAYOUT) },
  );
}

/** Contribution properties of layouts before 3, derived from the others and no longer kept. */
const STALE_CONTRIBUTION_CYPHER = `MATCH (c:TivContribution) WHERE c.dealId > $after
WITH c ORDER BY c.dealId LIMIT $n
REMOVE c.gaps, c.signature
RETURN max(c.dealId) AS last`;

/**
 * A database written in an older layout (ROLLUP_LAYOUT), brought to this one once: contributions lose
 * what they no longer keep, a page of deals a transaction; rows of layout 1 (a level no longer kept,
 * other ids) are replaced by the sum of the contributions (which every layout keeps alike), the tables
 * summing deliveries meanwhile. A start stopped half-way leaves the marker's layout (or the marker)
 * as it was, and the next one does it again.
 */
async function relayoutTivRollups(db: Database, batch: number): Promise<void> {
  const [row] = await db.read(`MATCH (m:${BUILT_LABEL}) RETURN coalesce(m.layout, 1) AS layout`);
  if (row === undefined) return;
  const layout = Number(row.layout);
  if (layout === ROLLUP_LAYOUT) return;
  if (layout < 3)
    for (let after = ''; ;) {
      const [page] = await db.write(STALE_CONTRIBUTION_CYPHER, { after, n: int(batch) });
      if (page?.last === null || page?.last === undefined) break;
      after = String(page.last);
    }
  if (layout < 2) {
    await suspendTivRollups(db);
    await rebuildTivRollups(db, { pageSize: batch });
  }
  await db.write(`MERGE (m:${BUILT_LABEL}) SET m.layout = $layout`, { layout: int(ROLLUP_LAYOUT) });
}
