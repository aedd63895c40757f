import type { ManagedTransaction } from 'neo4j-driver';
import { SIPRI_STATUS } from '../model';
import type { Database } from './database';
import { buildOnceForAllDeals, built } from './build-once';

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
 * Rows exist at four levels, each keyed by a subset of (supplier, recipient, system, category,
 * condition, local production) plus the year: `F` (all of them: the finest), `SR` (supplier,
 * recipient), `S` (supplier), `R` (recipient). A query reads the smallest level whose key covers its
 * groupings and filters (src/db/transfer-totals.ts).
 *
 * Each deal's part of the rollups is kept on a `(:TivContribution {dealId})` node: its key and its
 * live deliveries' years, TIVs and gaps. Refreshing a deal subtracts the part it had and adds the part
 * it has now (nothing when they are equal), so the refresh is idempotent, needs nothing from the write
 * that came before it, and any number of deals refresh in one statement whose rollup updates are
 * summed per row first (a row of the United States' deliveries in a year is written once per batch,
 * not once per deal). Like the deal slots, rollups and contributions are derived data outside the
 * entity graph (no `:Entity` label).
 *
 * How a writer keeps them: after changing anything a deal's part depends on (its deliveries, their
 * year or TIV, its BUYER/SELLER/COVERS relationships, category, SIPRI status, local production, or
 * retiring the deal, a delivery or one of those relationships), in the same transaction, call
 * `refreshTivRollups(db, tx, dealIds)`, or add `TIV_ROLLUP_CYPHER` (parameter `$dealIds`) to a batch
 * of statements. A merge passes the deals of both entities.
 */

/** Marks a database whose rollups were built (databases written before rollups existed get them once). */
export const BUILT_LABEL = 'TivRollupsBuilt';

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

/** The rollup levels: which key fields each keeps (the others are null on its rows). */
export const LEVELS = {
  F: ['supplierId', 'recipientId', 'systemId', 'category', 'condition', 'localProduction'],
  SR: ['supplierId', 'recipientId'],
  S: ['supplierId'],
  R: ['recipientId'],
} as const;
export type Level = keyof typeof LEVELS;
export type KeyField = (typeof LEVELS)['F'][number];

const LEVEL_PARAM = Object.entries(LEVELS).map(([name, fields]) => ({ name, fields: [...fields] }));
const KEY_FIELDS = LEVELS.F;

/**
 * The refresh of the deals whose ids `$dealIds` holds (each once), as one statement: see the module
 * comment. Parameters: `dealIds` (strings), `tivLevels` (LEVEL_PARAM).
 */
export const TIV_ROLLUP_CYPHER = `
UNWIND $dealIds AS id
CALL (id) {
  OPTIONAL MATCH (d:Deal {id: id}) WHERE ${live('d')}
  OPTIONAL MATCH ${LIVE_DELIVERY('d', 'x')}
  WITH id, d, x ORDER BY x.year
  WITH id, d, collect(toInteger(x.year)) AS years, collect(${MILLI_TIV('x')}) AS tivs
  WITH id, d, years, tivs, ${DEAL_KEY_CYPHER('d')} AS key
  RETURN CASE WHEN d IS NULL OR size(years) = 0 THEN null ELSE key {
    .*, dealId: id, years: years, tivs: tivs,
    gaps: [i IN range(0, size(years) - 1) | CASE WHEN i = 0 THEN 0 ELSE years[i] - years[i - 1] END],
    // What the part depends on, as one string: an unchanged deal is recognised and left alone.
    signature: ${KEY_FIELDS.map((f) => `coalesce(toString(key.${f}), '')`).join(" + '|' + ")}
      + reduce(s = '', j IN range(0, size(years) - 1) | s + '|' + toString(years[j]) + ':' + toString(tivs[j]))
  } END AS now
}
OPTIONAL MATCH (c:TivContribution {dealId: id})
WITH id, now, CASE WHEN c IS NULL THEN null ELSE properties(c) END AS before, c
WHERE before IS NULL OR now IS NULL OR before.signature <> now.signature
CALL (id, now, c) {
  FOREACH (_ IN CASE WHEN now IS NULL AND c IS NOT NULL THEN [1] ELSE [] END | DELETE c)
  FOREACH (_ IN CASE WHEN now IS NOT NULL THEN [1] ELSE [] END |
    MERGE (k:TivContribution {dealId: id}) SET k = now)
}
WITH [p IN [[before, -1], [now, 1]] WHERE p[0] IS NOT NULL] AS parts
UNWIND parts AS part
WITH part[0] AS c, part[1] AS sign
UNWIND range(0, size(c.years) - 1) AS i
UNWIND $tivLevels AS level
WITH level.name AS level,
  ${KEY_FIELDS.map((f) => `CASE WHEN '${f}' IN level.fields THEN c.${f} END AS ${f}`).join(',\n  ')},
  c.years[i] AS year, c.gaps[i] AS gap, sign * c.tivs[i] AS tiv, sign AS n
// Summed per row and gap, then per row: a deal's part that moved nowhere cancels out and is not written.
WITH level, ${KEY_FIELDS.join(', ')}, year, gap, sum(tiv) AS tiv, sum(n) AS n
WITH level, ${KEY_FIELDS.join(', ')}, year, sum(tiv) AS tiv, sum(n) AS n,
  collect(CASE WHEN gap > 0 AND n <> 0 THEN [gap, n] END) AS gaps
WHERE tiv <> 0 OR n <> 0 OR size(gaps) > 0
MERGE (t:TivRollup {id: level + '|' + ${KEY_FIELDS.map((f) => `coalesce(toString(${f}), '')`).join(" + '|' + ")} + '|' + toString(year)})
ON CREATE SET t.level = level, ${KEY_FIELDS.map((f) => `t.${f} = ${f}`).join(', ')}, t.year = year,
  t.tiv = 0, t.n = 0, t.gaps = []
SET t.tiv = t.tiv + tiv, t.n = t.n + n,
  t.gaps = reduce(v = t.gaps, g IN gaps |
    [k IN range(0, CASE WHEN size(v) >= g[0] THEN size(v) - 1 ELSE g[0] - 1 END) |
      coalesce(v[k], 0) + CASE WHEN k = g[0] - 1 THEN g[1] ELSE 0 END])
WITH t WHERE t.n = 0
DELETE t`;

/** The parameters of TIV_ROLLUP_CYPHER for these deals. */
export function tivRollupParams(dealIds: readonly string[]): {
  dealIds: string[];
  tivLevels: typeof LEVEL_PARAM;
} {
  return { dealIds: [...new Set(dealIds)], tivLevels: LEVEL_PARAM };
}

/** Brings the rollups of these deals up to date, inside the writer's transaction. */
export async function refreshTivRollups(
  db: Database,
  tx: ManagedTransaction,
  dealIds: readonly string[],
): Promise<void> {
  if (dealIds.length === 0) return;
  await db.run(tx, TIV_ROLLUP_CYPHER, tivRollupParams(dealIds));
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
  'CREATE INDEX tiv_rollup_system IF NOT EXISTS FOR (t:TivRollup) ON (t.level, t.systemId, t.year)',
  'CREATE CONSTRAINT tiv_contribution_deal_unique IF NOT EXISTS FOR (c:TivContribution) REQUIRE c.dealId IS UNIQUE',
];

/**
 * Whether the rollups of this database are complete (built once, then kept by every writer). Asked of
 * the database on every table query (one marker look-up), never remembered in this process: an import
 * in another process (the CLI) takes the marker away while it settles its deals, and a service that
 * remembered "built" would read rollups lagging behind the deals for the whole import.
 */
export function tivRollupsBuilt(db: Database): Promise<boolean> {
  return built(db, BUILT_LABEL);
}

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
  if (wereBuilt) await db.write(`MERGE (:${BUILT_LABEL})`);
}

/**
 * Builds the rollups of a database written before they existed, once, in batches of deals; queries
 * sum deliveries until the marker is written. Deals a writer already refreshed are skipped by the
 * refresh itself (their part is unchanged).
 */
export async function buildMissingTivRollups(db: Database, batch = 5_000): Promise<void> {
  await buildOnceForAllDeals(db, BUILT_LABEL, (tx, ids) => refreshTivRollups(db, tx, ids), batch);
}
