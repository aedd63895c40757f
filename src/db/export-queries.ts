import type { Statement } from './database';
import { dealAnchor, dealWhere, type ResolvedDealFilter } from './deal-queries';
import { EDGE_PROJECTION, edgeIdCypher, live, NODE_PROJECTION } from './subgraph-queries';

/**
 * The Cypher of the streamed exports (src/export). A selection is a set of `:Entity` nodes and every
 * live relationship between two of them; each selection gives four statements that run one after the
 * other in one read transaction: the node property keys with their value types, the edge property keys
 * likewise (formats that declare their attributes up front need them: GraphML, GEXF, CSV), the nodes,
 * the edges. Nothing is collected or sorted on our side, so memory does not grow with the graph.
 */
export interface SelectionStatements {
  nodeKeys: Statement;
  edgeKeys: Statement;
  nodes: Statement;
  edges: Statement;
  deals: Statement;
}

/** Property keys with every Cypher value type they hold (valueType(): 'INTEGER NOT NULL', ...). */
const keysOf = (v: string) =>
  `UNWIND keys(${v}) AS k WITH DISTINCT k, valueType(${v}[k]) AS t RETURN k, collect(t) AS types`;

/** When the edge leaves a deal, the deal's dates travel with it (GEXF gives such edges the deal's interval). */
const DEAL_TIME = `CASE WHEN a:Deal THEN a { .orderDate, .orderYear, .deliveryEndYear } END`;

/** One row of deals.csv: the deal, its parties and system by id and name, its provenance. */
export const DEAL_ROW = `d { .id, .name, .status, .category, .orderYear, .orderYearEstimated, .orderDate,
  .deliveryStartYear, .deliveryEndYear, .quantity, .quantityEstimated, .quantityDescription, .delivered,
  .deliveredEstimated, .valueAmount, .valueCurrency, .tivUnit, .tivTotal, .sipriId, .description,
  sourceIds: coalesce(d.sourceIds, []),
  buyer: head([(d)-[:BUYER]->(b) | b { .id, .name }]),
  seller: head([(d)-[:SELLER]->(s) | s { .id, .name }]),
  system: head([(d)-[:COVERS]->(w) | w { .id, .name }]) }`;

/** The whole live entity graph. */
export function wholeGraphStatements(): SelectionStatements {
  const nodes = `MATCH (n:Entity) WHERE ${live('n')}`;
  const edges = `MATCH (a:Entity)-[r]->(b:Entity) WHERE ${live('r')} AND ${live('a')} AND ${live('b')}`;
  return {
    nodeKeys: { cypher: `${nodes} ${keysOf('n')}`, params: {} },
    edgeKeys: { cypher: `${edges} ${keysOf('r')}`, params: {} },
    nodes: { cypher: `${nodes} RETURN ${NODE_PROJECTION('n')} AS n`, params: {} },
    edges: {
      cypher: `${edges} RETURN ${EDGE_PROJECTION('r', 'a', 'b')} AS e, ${DEAL_TIME} AS t`,
      params: {},
    },
    deals: { cypher: `MATCH (d:Deal) WHERE ${live('d')} RETURN ${DEAL_ROW} AS d`, params: {} },
  };
}

/**
 * The deals a DealFilter selects (Query.deals' own condition), their buyers, sellers and systems, and
 * every relationship among those nodes. The node set is a UNION (Neo4j removes duplicates); an edge is
 * kept when it leaves a node of the set for another node of the set, tested by the same condition.
 */
export function dealSelectionStatements(f: ResolvedDealFilter): SelectionStatements {
  const anchor = dealAnchor(f);
  const nodeSet = `CALL () {
      ${anchor} WHERE ${dealWhere('d')} RETURN d AS n
      UNION
      ${anchor} WHERE ${dealWhere('d')}
      MATCH (d)-[p:BUYER|SELLER|COVERS]->(n:Entity) WHERE ${live('p')} AND ${live('n')} RETURN n
    }`;
  const inSet = (v: string) => `${live(v)} AND ((${v}:Deal AND ${dealWhere(v)}) OR EXISTS {
      MATCH (${v})<-[p2:BUYER|SELLER|COVERS]-(d2:Deal) WHERE ${live('p2')} AND ${dealWhere('d2')} })`;
  // A deal of the set reaches its parties and system by definition of the set, so those edges need no
  // test; only the other edges (among parties and systems) pay for the membership test. Two branches,
  // because the planner evaluates both sides of an OR.
  const edges = `${nodeSet} WITH n AS a
    CALL (a) {
      WITH a WHERE a:Deal
      MATCH (a)-[r:BUYER|SELLER|COVERS]->(b:Entity) WHERE ${live('r')} AND ${live('b')}
      RETURN r, b
      UNION
      MATCH (a)-[r]->(b:Entity)
      WHERE NOT (a:Deal AND type(r) IN ['BUYER', 'SELLER', 'COVERS']) AND ${live('r')} AND ${inSet('b')}
      RETURN r, b
    }
    WITH a, r, b`;
  const params = { ...f };
  return {
    nodeKeys: { cypher: `${nodeSet} ${keysOf('n')}`, params },
    edgeKeys: { cypher: `${edges} ${keysOf('r')}`, params },
    nodes: { cypher: `${nodeSet} RETURN ${NODE_PROJECTION('n')} AS n`, params },
    edges: { cypher: `${edges} RETURN ${EDGE_PROJECTION('r', 'a', 'b')} AS e, ${DEAL_TIME} AS t`, params },
    deals: { cypher: `${anchor} WHERE ${dealWhere('d')} RETURN ${DEAL_ROW} AS d`, params },
  };
}

/**
 * A neighbourhood already computed (Query.neighborhood's nodes and edges, at most MAX_NODES and its
 * edge cap), streamed by id so the export holds exactly the subgraph the API returns.
 */
export function neighborhoodStatements(nodeIds: string[], edgeIds: string[]): SelectionStatements {
  const nodes = `UNWIND $ids AS id MATCH (n:Entity {id: id})`;
  const edges = `UNWIND $ids AS id MATCH (a:Entity {id: id})-[r]->(b:Entity)
    WHERE b.id IN $ids AND ${edgeIdCypher('r', 'a', 'b')} IN $edgeIds`;
  const params = { ids: nodeIds, edgeIds };
  return {
    nodeKeys: { cypher: `${nodes} ${keysOf('n')}`, params },
    edgeKeys: { cypher: `${edges} ${keysOf('r')}`, params },
    nodes: { cypher: `${nodes} RETURN ${NODE_PROJECTION('n')} AS n`, params },
    edges: { cypher: `${edges} RETURN ${EDGE_PROJECTION('r', 'a', 'b')} AS e, ${DEAL_TIME} AS t`, params },
    deals: {
      cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) WHERE ${live('d')} RETURN ${DEAL_ROW} AS d`,
      params,
    },
  };
}
