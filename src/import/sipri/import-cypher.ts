/**
 * The Cypher of the SIPRI import. Every statement takes a whole batch (UNWIND) and MERGEs on
 * indexed ids, so a batch costs a fixed handful of round trips however many rows it holds.
 */

export const SOURCE_ID = 'sipri-atdb';

type Props = Record<string, unknown>;

export interface DealParams {
  id: string;
  buyerId: string;
  buyerLabel: string;
  sellerId: string;
  sellerLabel: string;
  systemId: string;
  /** Old layout only: totals stated by a row spanning several delivery years. */
  totals: Props;
  props: Props;
  /** The deal's deliveries stated in this batch. */
  deliveries: DeliveryParams[];
}

export interface DeliveryParams {
  id: string;
  props: Props;
}

export interface BatchParams {
  seen: string;
  /** The latest delivery year read so far. */
  lastYear: number;
  sourceId: string;
  countries: { id: string; props: Props }[];
  organizations: { id: string; props: Props }[];
  systems: { id: string; props: Props }[];
  deals: DealParams[];
  curatedDeals: (DealParams & { fill: Props })[];
  claims: { dealId: string; field: string; value: string; sourceIds: string[] }[];
}

/** What the import needs to know up front, in one read: systems' name keys and the curated deals. */
export const LOOKUP_CYPHER = `
CALL () {
  MATCH (w:WeaponSystem) RETURN collect({id: w.id, keys: coalesce(w.nameKeys, [])}) AS systems
}
CALL () {
  MATCH (d:Deal) WHERE NOT d.id STARTS WITH 'sipri-'
  OPTIONAL MATCH (d)-[:BUYER]->(b:Entity)
  OPTIONAL MATCH (d)-[:SELLER]->(s:Entity)
  OPTIONAL MATCH (d)-[:COVERS]->(w:WeaponSystem)
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
 * Status from deliveries. With numbers ordered (old layout): all delivered is COMPLETED, some
 * DELIVERING, none PENDING. Without them (the current export lists deliveries only): a deal
 * delivering in the last year the export covers ($lastYear) may go on (DELIVERING), one whose
 * deliveries stopped before is taken as COMPLETED.
 */
const statusOf = (d: string) => `CASE
  WHEN ${d}.quantity IS NOT NULL THEN
    CASE WHEN ${d}.delivered >= ${d}.quantity THEN 'COMPLETED' WHEN ${d}.delivered > 0 THEN 'DELIVERING' ELSE 'PENDING' END
  WHEN ${d}.deliveryEndYear IS NULL THEN 'PENDING'
  WHEN ${d}.deliveryEndYear >= $lastYear THEN 'DELIVERING'
  ELSE 'COMPLETED' END`;

/**
 * What follows a deal's own properties, for SIPRI's deals and curated ones alike: its parties and
 * system, its deliveries (a unit subquery: a deal without deliveries in this batch passes through),
 * then the totals, which follow from every delivery stored, since the rows of one deal may arrive
 * in different batches or exports. Grouping by the deal and its small totals map, not the whole row.
 */
const DEAL_TAIL = `
WITH d, row
MATCH (b:Entity {id: row.buyerId}) WHERE row.buyerLabel IN labels(b)
MATCH (s:Entity {id: row.sellerId}) WHERE row.sellerLabel IN labels(s)
MATCH (w:WeaponSystem {id: row.systemId})
${relation('BUYER', 'd', 'b')}
${relation('SELLER', 'd', 's')}
${relation('COVERS', 'd', 'w')}
WITH d, row
CALL (d, row) {
  UNWIND row.deliveries AS del
  MERGE (x:Delivery {id: del.id})
  SET x += del.props, ${withSource('x')}, ${seenBy('x')}
  ${relation('HAS_DELIVERY', 'd', 'x')}
}
WITH d, row.totals AS totals
OPTIONAL MATCH (d)-[:HAS_DELIVERY]->(x:Delivery)
WITH d, totals, x ORDER BY x.year
WITH d, totals, collect(x) AS xs
// Summed in year order: floating-point sums must not depend on the order deliveries were stored in.
WITH d, totals, xs, [v IN xs WHERE v.quantity IS NOT NULL | v.quantity] AS qs,
  [v IN xs WHERE v.tiv IS NOT NULL | v.tiv] AS ts
SET d.delivered = coalesce(totals.delivered, CASE WHEN size(qs) > 0 THEN reduce(a = 0, v IN qs | a + v) END),
  d.tivTotal = coalesce(totals.tivTotal, CASE WHEN size(ts) > 0 THEN reduce(a = 0, v IN ts | a + v) END),
  d.deliveredEstimated = any(v IN xs WHERE v.quantityEstimated),
  d.deliveryStartYear = xs[0].year,
  d.deliveryEndYear = xs[-1].year`;

/**
 * SIPRI's own deals get their status in the batch, from the last year the export covers as far as
 * it has been read ($lastYear); the few a later row outdates are set again at the end.
 */
const DEAL_STATUS = `
SET d.status = ${statusOf('d')}`;

/**
 * The statements of one batch, run in this order inside one write transaction. A batch of SIPRI's
 * own deals is one statement: each deal is looked up once, with its relationships, deliveries and
 * totals, instead of one pass (and one copy of the batch sent) per kind of write.
 */
const STATEMENTS: readonly string[] = [
  entityStatement('countries', 'Country'),
  entityStatement('organizations', 'Organization'),
  entityStatement('systems', 'WeaponSystem'),
  `UNWIND $deals AS row
   MERGE (d:Deal {id: row.id})
   ON CREATE SET d:Entity
   SET d += row.props, d += row.totals, ${withSource('d')}, ${seenBy('d')}
   ${DEAL_TAIL}
   ${DEAL_STATUS}`,
  // A curated deal keeps its own values: SIPRI fills only what it leaves open.
  `UNWIND $curatedDeals AS row
   MATCH (d:Deal {id: row.id})
   SET d += row.props, d += row.totals, ${withSource('d')}, ${seenBy('d')},
     d.orderYear = coalesce(d.orderYear, row.fill.orderYear),
     d.orderYearEstimated = coalesce(d.orderYearEstimated, row.fill.orderYearEstimated),
     d.quantity = coalesce(d.quantity, row.fill.quantity),
     d.quantityEstimated = coalesce(d.quantityEstimated, row.fill.quantityEstimated),
     d.category = coalesce(d.category, row.fill.category),
     d.description = coalesce(d.description, row.fill.description)
   ${DEAL_TAIL}`,
  `UNWIND $claims AS row
   MATCH (d:Deal {id: row.dealId})
   MERGE (c:Claim {id: row.dealId + ':' + row.field + ':' + row.sourceIds[0]})
   SET c.field = row.field, c.value = row.value, c.sourceIds = row.sourceIds
   MERGE (d)-[r:HAS_CLAIM]->(c)
   ON CREATE SET r.key = 'HAS_CLAIM:' + d.id + ':' + c.id + ':'
   SET r.sourceIds = row.sourceIds`,
];

/** Each statement with only the parameters it uses: a batch's lists are sent once each, not to every statement. */
export const DEAL_CYPHER: readonly { cypher: string; params: (keyof BatchParams)[] }[] = STATEMENTS.map(
  (cypher) => ({
    cypher,
    params: (
      [
        'seen',
        'sourceId',
        'countries',
        'organizations',
        'systems',
        'deals',
        'curatedDeals',
        'claims',
        'lastYear',
      ] as const
    ).filter((k) => cypher.includes(`$${k}`)),
  }),
);

/**
 * Status once every row is in, for the deals whose status the batches could not settle: curated
 * deals without one (they keep the status their sources give), and SIPRI deals written before a
 * later row raised the last year the export covers.
 */
export const STATUS_CYPHER = `
UNWIND $ids AS id
MATCH (d:Deal {id: id}) WHERE d.status IS NULL OR d.id STARTS WITH 'sipri-'
SET d.status = ${statusOf('d')}`;
