/**
 * The floor: each benchmark query answered by one hand-written Cypher statement through
 * neo4j-driver, with nothing around it but a minimal HTTP endpoint (bench/target-server.ts). This is
 * the fastest a service could answer over the same graph; armsgraph's own Cypher lives in src/db.
 * Each returns the same answer as the GraphQL query of the same name in bench/query-mix.ts.
 */

const party = (rel: string, v: string) => `head([(d)-[:${rel}]->(${v}) | ${v} {.id, .name}])`;

/** A deal as the filtered pages show it. */
const DEAL_ROW = `d {.id, .name, .orderYear, .status, .tivTotal,
  buyer: ${party('BUYER', 'b')}, seller: ${party('SELLER', 's')}, system: ${party('COVERS', 'w')}}`;

/**
 * A party's page in order-year order, newest first, read the way src/db/deal-queries.ts reads it
 * (a floor that sorted every match would be no floor at scale): the deal slots' index
 * (role, partyId, sortYear, dealId), one year at a time, each year in id order, stopping at the page.
 */
const partyPage = (role: string, anchor: string) => `
    MATCH (p:${anchor} {id: $party})
    CALL (p) {
      MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
      WHERE s.role = '${role}' AND s.partyId = p.id AND s.sortYear >= 0 AND s.dealId IS NOT NULL
      WITH s ORDER BY s.role DESC, s.partyId DESC, s.sortYear DESC LIMIT 1
      RETURN s.sortYear AS hi
    }
    CALL (p) {
      MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
      WHERE s.role = '${role}' AND s.partyId = p.id AND s.sortYear >= 0 AND s.dealId IS NOT NULL
      WITH s ORDER BY s.role, s.partyId, s.sortYear LIMIT 1
      RETURN s.sortYear AS lo
    }
    CALL (p, hi, lo) {
      UNWIND range(hi, lo, -1) + [-1] AS y
      CALL (p, y) {
        MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
        WHERE s.role = '${role}' AND s.partyId = p.id AND s.sortYear = y AND s.dealId > ''
        WITH s ORDER BY s.role, s.partyId, s.sortYear, s.dealId LIMIT $first
        MATCH (d:Deal {id: s.dealId})
        RETURN d
      }
      WITH d LIMIT $first
      RETURN collect(${DEAL_ROW}) AS page
    }
    RETURN COUNT { (p)<-[:${role}]-() } AS total, page`;

/** All deals in order-year order from the (orderYear, id) index, one year at a time, as ours. */
const yearPage = (years: string, first: string, row: string) => `
      UNWIND ${years} AS y
      CALL (y) {
        MATCH (d:Deal) USING INDEX d:Deal(orderYear, id) WHERE d.orderYear = y AND d.id > ''
        WITH d ORDER BY d.orderYear, d.id LIMIT ${first}
        RETURN d
      }
      WITH d LIMIT ${first}
      RETURN collect(${row}) AS page`;

/** A deal with its sources, for the page of 100. */
const SOURCED_ROW = DEAL_ROW.replace(
  /}$/,
  `, sources: COLLECT { UNWIND coalesce(d.sourceIds, []) AS sid MATCH (s:Source {id: sid}) RETURN s {.id, .name} }}`,
);

export const FLOOR_CYPHER = {
  dealsByBuyer: partyPage('BUYER', 'Entity'),
  dealsBySystem: partyPage('COVERS', 'WeaponSystem'),
  dealsByPeriod: `
    CALL () {
      MATCH (d:Deal) WHERE d.orderYear >= $from AND d.orderYear <= $to RETURN count(d) AS total
    }
    CALL () { ${yearPage('range($to, $from, -1)', '$first', DEAL_ROW)} }
    RETURN total, page`,
  dealPage: `
    CALL () { MATCH (d:Deal) RETURN count(d) AS total }
    CALL () {
      MATCH (d:Deal) WHERE d.orderYear IS NOT NULL WITH d ORDER BY d.orderYear LIMIT 1 RETURN d.orderYear AS lo
    }
    CALL () {
      MATCH (d:Deal) WHERE d.orderYear IS NOT NULL WITH d ORDER BY d.orderYear DESC LIMIT 1 RETURN d.orderYear AS hi
    }
    CALL (lo, hi) {
      ${yearPage('range(lo, hi)', '$first', SOURCED_ROW)}
    }
    RETURN total, page`,
  supplierTotals: `
    MATCH (x:Delivery) WHERE x.year >= $from AND x.year <= $to
    MATCH (d:Deal)-[:HAS_DELIVERY]->(x)
    MATCH (d)-[:SELLER]->(g)
    WITH g, sum(coalesce(x.tiv, 0.0)) AS tiv, count(DISTINCT d) AS deals
    ORDER BY tiv DESC, g.id ASC LIMIT $first
    RETURN g.id AS id, g.name AS name, tiv, deals`,
  recipientImports: `
    MATCH (:Entity {id: $recipient})<-[:BUYER]-(d:Deal)-[:HAS_DELIVERY]->(x:Delivery)
    WHERE x.year >= $from AND x.year <= $to
    MATCH (d)-[:SELLER]->(g)
    WITH g, sum(coalesce(x.tiv, 0.0)) AS tiv, count(DISTINCT d) AS deals
    ORDER BY tiv DESC, g.id ASC LIMIT $first
    RETURN g.id AS id, g.name AS name, tiv, deals`,
  recipientSupplierYears: `
    MATCH (:Entity {id: $recipient})<-[:BUYER]-(d:Deal)-[:HAS_DELIVERY]->(x:Delivery)
    WHERE x.year >= $from AND x.year <= $to
    MATCH (d)-[:SELLER]->(g)
    WITH g, x.year AS year, sum(coalesce(x.tiv, 0.0)) AS tiv, count(DISTINCT d) AS deals
    WITH g, collect({ year: year, tiv: tiv, deals: deals }) AS years, sum(tiv) AS total
    UNWIND years AS y
    WITH g, total, y ORDER BY total DESC, g.id ASC, y.year ASC LIMIT $first
    RETURN g.id AS id, toInteger(y.year) AS year, y.tiv AS tiv, y.deals AS deals`,
  search: `
    CALL db.index.fulltext.queryNodes('entity_search', $query, {limit: $first * 3}) YIELD node AS n, score
    RETURN n.id AS id, n.name AS name, [l IN labels(n) WHERE l <> 'Entity'][0] AS kind
    ORDER BY score DESC, n.id LIMIT $first`,
  dealById: `
    MATCH (d:Deal {id: $id})
    RETURN ${DEAL_ROW} AS deal`,
  /**
   * Query.neighborhood at depth 2 (src/db/subgraph-queries.ts): breadth first, capped, each level's
   * neighbours kept in the service's order of importance (entities by links, then deals by TIV, recency, id).
   */
  neighborhood: `
    MATCH (s:Entity {id: $id})
    CALL (s) {
      MATCH (s)-[r]-(b:Entity)
      WHERE coalesce(r.retired, false) = false AND coalesce(b.retired, false) = false AND b <> s
      WITH b, count(r) AS links
      ORDER BY CASE WHEN b:Deal THEN 1 ELSE 0 END, CASE WHEN b:Deal THEN 0 ELSE links END DESC,
        coalesce(toFloat(b.tivTotal), -1.0) DESC, coalesce(b.orderYear, -1) DESC, b.id
      LIMIT $first - 1
      RETURN collect(b.id) AS l1
    }
    CALL (s, l1) {
      UNWIND l1 AS fid
      MATCH (a:Entity {id: fid})-[r]-(b:Entity)
      WHERE coalesce(r.retired, false) = false AND coalesce(b.retired, false) = false
        AND b <> s AND NOT b.id IN l1
      WITH b, count(r) AS links
      ORDER BY CASE WHEN b:Deal THEN 1 ELSE 0 END, CASE WHEN b:Deal THEN 0 ELSE links END DESC,
        coalesce(toFloat(b.tivTotal), -1.0) DESC, coalesce(b.orderYear, -1) DESC, b.id
      RETURN collect(b.id) AS l2
    }
    WITH [s.id] + l1 + l2[..($first - 1 - size(l1))] AS ids
    CALL (ids) {
      UNWIND ids AS id
      MATCH (n:Entity {id: id})
      WITH n ORDER BY n.id
      RETURN collect(n {.id, .name, labels: [l IN labels(n) WHERE l <> 'Entity']}) AS nodes
    }
    CALL (ids) {
      UNWIND ids AS id
      MATCH (a:Entity {id: id})-[r]->(b:Entity)
      WHERE b.id IN ids AND coalesce(r.retired, false) = false
      WITH r, a, b, coalesce(r.key, type(r) + ':' + a.id + ':' + b.id + ':') AS eid
      ORDER BY eid LIMIT $first * 5
      RETURN collect({id: eid, type: type(r), source: a.id, target: b.id}) AS edges
    }
    RETURN nodes, edges`,
} as const;

export type FloorQuery = keyof typeof FLOOR_CYPHER;
