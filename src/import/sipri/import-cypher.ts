/**
 * The Cypher of the SIPRI import. Every statement takes a whole batch (UNWIND) and MERGEs on
 * indexed ids, so a batch costs a fixed handful of round trips however many rows it holds.
 */

import type { Params } from '../../db/database';
import { dealPartiesCypher } from '../../db/graph-writer';
import { RECORD_CYPHER, RELEASE_SOURCE_PREFIX, releaseListed, WINS } from '../../db/release-writes';
import { TIV_ROLLUP_CYPHER, type tivRollupParams } from '../../db/tiv-rollups';

export const SOURCE_ID = 'sipri-atdb';

type Props = Record<string, unknown>;

export interface DealParams {
  id: string;
  /** Old layout only: totals stated by a row spanning several delivery years. */
  totals: Props;
  props: Props;
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
  /** The batch's deal ids and rollup levels (tivRollupParams). */
  dealIds: string[];
  tivLevels: ReturnType<typeof tivRollupParams>['tivLevels'];
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

// Curated parties and systems keep their own names: SIPRI only adds itself as a source.
const entityStatement = (param: string, label: string) => `
UNWIND $${param} AS row
MERGE (n:${label} {id: row.id})
ON CREATE SET n:Entity, n += row.props
SET ${withSource('n')}`;

const relation = (type: string, from: string, to: string) => `
MERGE (${from})-[r${type}:${type}]->(${to})
ON CREATE SET r${type}.key = '${type}:' + ${from}.id + ':' + ${to}.id + ':'
SET ${withSource(`r${type}`)}`;

/**
 * A deal's totals follow from its live deliveries, so rows of one deal may arrive in different
 * batches and a delivery a release retires leaves them. `rows`: a list of `{id, totals}` (an old
 * layout's row totals, which count only from the release that wins the deal).
 */
export const TOTALS_CYPHER = (rows: string) => `UNWIND ${rows} AS row
   MATCH (d:Deal {id: row.id})
   OPTIONAL MATCH (d)-[:HAS_DELIVERY]->(x:Delivery) WHERE coalesce(x.retired, false) = false
   // Summed in year order: a floating-point sum must not depend on the order deliveries were stored
   // in (a re-run after a failure stores them in another order than one uninterrupted import).
   WITH d, CASE WHEN d.sipriRelease = $release THEN row.totals ELSE {} END AS totals, x ORDER BY x.year
   WITH d, totals, collect(x) AS xs
   WITH d, totals, xs, [v IN xs WHERE v.quantity IS NOT NULL | v.quantity] AS qs,
     [v IN xs WHERE v.tiv IS NOT NULL | v.tiv] AS ts
   SET d.delivered = coalesce(totals.delivered, CASE WHEN size(qs) > 0 THEN reduce(a = 0, v IN qs | a + v) END),
     // Rounded as well: collect() after ORDER BY is not a promise the planner must keep.
     d.tivTotal = round(coalesce(totals.tivTotal, CASE WHEN size(ts) > 0 THEN reduce(a = 0, v IN ts | a + v) END), 6),
     d.deliveredEstimated = any(v IN xs WHERE v.quantityEstimated),
     d.deliveryStartYear = xs[0].year,
     d.deliveryEndYear = xs[-1].year`;

/** The statements of one batch, run in this order inside one write transaction. */
const STATEMENTS: readonly string[] = [
  entityStatement('countries', 'Country'),
  entityStatement('organizations', 'Organization'),
  entityStatement('systems', 'WeaponSystem'),
  `UNWIND $families AS row
   MATCH (v:WeaponSystem {id: row.variantId})
   MATCH (f:WeaponSystem {id: row.familyId})
   ${relation('VARIANT_OF', 'v', 'f')}`,
  // A group SIPRI places in a country ("Hamas (Palestine)*") is based there.
  `UNWIND $organizations AS row
   WITH row WHERE row.props.countryId IS NOT NULL
   MATCH (o:Organization {id: row.id})
   MATCH (c:Country {id: row.props.countryId})
   ${relation('BASED_IN', 'o', 'c')}`,
  `UNWIND $deals AS row
   MERGE (d:Deal {id: row.id})
   ON CREATE SET d:Entity
   SET ${withSource('d')}, ${seenBy('d')}, ${releaseListed('d')}
   WITH d, row WHERE ${WINS('d')}
   SET d += row.props, d += row.totals, d.sipriRelease = $release`,
  // A curated deal keeps its own values: SIPRI fills only what it leaves open.
  `UNWIND $curatedDeals AS row
   MATCH (d:Deal {id: row.id})
   SET ${withSource('d')}, ${seenBy('d')}, ${releaseListed('d')}
   WITH d, row WHERE ${WINS('d')}
   SET d += row.props, d += row.totals, d.sipriRelease = $release,
     d.orderYear = coalesce(d.orderYear, row.fill.orderYear),
     d.orderYearEstimated = coalesce(d.orderYearEstimated, row.fill.orderYearEstimated),
     d.quantity = coalesce(d.quantity, row.fill.quantity),
     d.quantityEstimated = coalesce(d.quantityEstimated, row.fill.quantityEstimated),
     d.category = coalesce(d.category, row.fill.category),
     d.description = coalesce(d.description, row.fill.description)`,
  // Parties on their keys, the deals' page slots with them (src/db/graph-writer.ts); only the release
  // that wins a deal states its parties (an older one imported later adds history only), and a party it
  // no longer states is retired.
  dealPartiesCypher('d.sipriRelease = $release'),
  RECORD_CYPHER,
  `UNWIND $deliveries AS row
   MATCH (d:Deal {id: row.dealId})
   MERGE (x:Delivery {id: row.id})
   SET ${withSource('x')}, ${seenBy('x')}, ${releaseListed('x')}
   MERGE (d)-[r:HAS_DELIVERY {key: row.key}]->(x)
   SET ${withSource('r')}
   WITH x, row WHERE ${WINS('x')}
   SET x += row.props, x.sipriRelease = $release`,
  TOTALS_CYPHER('$deals + $curatedDeals'),
  // The TIV rollups follow the deals and deliveries just written (src/db/tiv-rollups.ts).
  TIV_ROLLUP_CYPHER,
  `UNWIND $claims AS row
   MATCH (d:Deal {id: row.dealId})
   MERGE (c:Claim {id: row.dealId + ':' + row.field + ':' + row.sourceIds[0]})
   SET c.field = row.field, c.value = row.value, c.sourceIds = row.sourceIds
   MERGE (d)-[r:HAS_CLAIM {key: row.key}]->(c)
   SET r.sourceIds = row.sourceIds`,
];

/** Each statement with only the parameters it uses: a batch's lists are sent once each, not to every statement. */
export const DEAL_CYPHER: readonly { cypher: string; params: (keyof BatchParams)[] }[] = STATEMENTS.map(
  (cypher) => ({
    cypher,
    params: (
      [
        'seen',
        'release',
        'now',
        'records',
        'sourceId',
        'countries',
        'organizations',
        'systems',
        'families',
        'deals',
        'curatedDeals',
        'rows',
        'retired',
        'deliveries',
        'claims',
        'dealIds',
        'tivLevels',
      ] as const
    ).filter((k) => cypher.includes(`$${k}`)),
  }),
);

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
