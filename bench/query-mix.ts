import { luceneQuery } from '../src/db/search-queries';
import type { FloorQuery } from './floor-cypher';

/**
 * The fixed mix of analyst queries, each written three ways that must give the same answer:
 * armsgraph's GraphQL, the floor's hand-written Cypher (bench/floor-cypher.ts) and @neo4j/graphql's
 * generated API (bench/peer/type-defs.graphql). `answer` reduces each response to what the three
 * must agree on (ids in order, counts), so the bench checks it measures equal work.
 */

/** Values picked from the loaded graph (bench/mix-params.ts), so every size gets real hits. */
export interface MixParams {
  buyer: string;
  system: string;
  periodFrom: number;
  periodTo: number;
  totalsFrom: number;
  totalsTo: number;
  dealId: string;
  searchText: string;
  neighborhoodId: string;
}

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

type Json = Record<string, unknown>;

export interface MixQuery {
  name: string;
  what: string;
  armsgraph(p: MixParams): GraphqlRequest;
  floor(p: MixParams): { query: FloorQuery; params: Json };
  peer(p: MixParams): GraphqlRequest;
  answer: { armsgraph(data: Json): unknown; floor(rows: Json[]): unknown; peer(data: Json): unknown };
}

const PAGE = 20;
const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);
const ids = (list: unknown, ...keys: string[]) =>
  Array.isArray(list) ? list.map((x) => get(x, ...keys, 'id') ?? get(x, ...keys)) : null;

const PARTY = '{ id name }';
const PEER_PARTY = '{ ... on Country { id name } ... on Organization { id name } }';
const DEAL_FIELDS = `id name orderYear status tivDelivered buyer ${PARTY} seller ${PARTY} system ${PARTY}`;
const PEER_DEAL_FIELDS = `id name orderYear status tivTotal buyer ${PEER_PARTY} seller ${PEER_PARTY} system ${PARTY}`;

const connectionAnswer = (conn: unknown) => ({
  total: get(conn, 'totalCount'),
  ids: ids(get(conn, 'edges'), 'node'),
});
const floorPageAnswer = (rows: Json[]) => ({ total: rows[0]?.total, ids: ids(rows[0]?.page) });

/** A filtered page of deals, newest orders first: the same shape for buyer, system and period. */
function filteredPage(
  name: string,
  what: string,
  floorQuery: FloorQuery,
  ours: (p: MixParams) => [string, Json, string],
  peerWhere: (p: MixParams) => [string, Json, string],
  floorParams: (p: MixParams) => Json,
): MixQuery {
  return {
    name,
    what,
    armsgraph(p) {
      const [decl, variables, filter] = ours(p);
      return {
        query: `query(${decl}) { deals(filter: ${filter}, orderBy: ORDER_YEAR_DESC, first: ${PAGE}) {
          totalCount edges { cursor node { ${DEAL_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
        variables,
      };
    },
    floor: (p) => ({ query: floorQuery, params: { ...floorParams(p), first: PAGE } }),
    peer(p) {
      const [decl, variables, where] = peerWhere(p);
      return {
        query: `query(${decl}) { dealsConnection(where: ${where}, first: ${PAGE}, sort: [{ orderYear: DESC }, { id: ASC }]) {
          totalCount edges { cursor node { ${PEER_DEAL_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
        variables,
      };
    },
    answer: {
      armsgraph: (d) => connectionAnswer(d.deals),
      floor: floorPageAnswer,
      peer: (d) => connectionAnswer(d.dealsConnection),
    },
  };
}

export const QUERY_MIX: MixQuery[] = [
  filteredPage(
    'deals by buyer',
    `deals of the busiest recipient, ${PAGE} a page, with parties and system`,
    'dealsByBuyer',
    (p) => ['$buyer: ID!', { buyer: p.buyer }, '{ buyer: $buyer }'],
    (p) => ['$buyer: ID!', { buyer: p.buyer }, '{ buyer: { some: { Country: { id: { eq: $buyer } } } } }'],
    (p) => ({ party: p.buyer }),
  ),
  filteredPage(
    'deals by system',
    `deals covering the most-traded system, ${PAGE} a page`,
    'dealsBySystem',
    (p) => ['$system: ID!', { system: p.system }, '{ system: $system }'],
    (p) => ['$system: ID!', { system: p.system }, '{ system: { some: { id: { eq: $system } } } }'],
    (p) => ({ party: p.system }),
  ),
  filteredPage(
    'deals by period',
    `deals ordered in a 3-year window, ${PAGE} a page`,
    'dealsByPeriod',
    (p) => [
      '$from: Int!, $to: Int!',
      { from: p.periodFrom, to: p.periodTo },
      '{ orderedFrom: $from, orderedTo: $to }',
    ],
    (p) => [
      '$from: Int!, $to: Int!',
      { from: p.periodFrom, to: p.periodTo },
      '{ orderYear: { gte: $from, lte: $to } }',
    ],
    (p) => ({ from: p.periodFrom, to: p.periodTo }),
  ),
  {
    name: 'deal page of 100',
    what: 'the first 100 deals by order year with buyer, seller, system and sources',
    armsgraph: () => ({
      query: `{ deals(orderBy: ORDER_YEAR_ASC, first: 100) { totalCount
        edges { cursor node { ${DEAL_FIELDS} sources { id name } } } pageInfo { hasNextPage endCursor } } }`,
      variables: {},
    }),
    floor: () => ({ query: 'dealPage', params: { first: 100 } }),
    peer: () => ({
      query: `{ dealsConnection(first: 100, sort: [{ orderYear: ASC }, { id: ASC }]) { totalCount
        edges { cursor node { ${PEER_DEAL_FIELDS} sources { id name } } } pageInfo { hasNextPage endCursor } } }`,
      variables: {},
    }),
    answer: {
      armsgraph: (d) => ({
        ...connectionAnswer(d.deals),
        sources: (get(d, 'deals', 'edges') as Json[] | undefined)?.map((e) => ids(get(e, 'node', 'sources'))),
      }),
      floor: (rows) => ({
        ...floorPageAnswer(rows),
        sources: (rows[0]?.page as Json[] | undefined)?.map((d) => ids(d.sources)),
      }),
      peer: (d) => ({
        ...connectionAnswer(d.dealsConnection),
        sources: (get(d, 'dealsConnection', 'edges') as Json[] | undefined)?.map((e) =>
          ids(get(e, 'node', 'sources')),
        ),
      }),
    },
  },
  {
    name: 'totals by supplier, 5 years',
    what: 'SIPRI TIV table: top 10 suppliers by TIV delivered over the last five years',
    armsgraph: (p) => ({
      query: `query($from: Int!, $to: Int!) { transferTotals(by: SUPPLIER, deliveredFrom: $from, deliveredTo: $to, first: 10) {
        entity { id name } tivDelivered deals } }`,
      variables: { from: p.totalsFrom, to: p.totalsTo },
    }),
    floor: (p) => ({ query: 'supplierTotals', params: { from: p.totalsFrom, to: p.totalsTo, first: 10 } }),
    peer: (p) => ({
      query: `query($from: Int!, $to: Int!) { supplierTotals(from: $from, to: $to, first: 10) {
        supplierId supplierName tivDelivered deals } }`,
      variables: { from: p.totalsFrom, to: p.totalsTo },
    }),
    answer: {
      armsgraph: (d) =>
        (d.transferTotals as Json[] | undefined)?.map((t) => [get(t, 'entity', 'id'), t.deals]) ?? null,
      floor: (rows) => rows.map((r) => [r.id, r.deals]),
      peer: (d) => (d.supplierTotals as Json[] | undefined)?.map((t) => [t.supplierId, t.deals]) ?? null,
    },
  },
  {
    name: 'imports of one recipient by supplier',
    what: "a recipient's suppliers over the last five years, largest first (the dependency table)",
    armsgraph: (p) => ({
      query: `query($r: ID!, $from: Int!, $to: Int!) { transferTotals(by: SUPPLIER, filter: { recipient: [$r] },
        deliveredFrom: $from, deliveredTo: $to, first: 10) { key label tivDelivered deals share } }`,
      variables: { r: p.buyer, from: p.totalsFrom, to: p.totalsTo },
    }),
    floor: (p) => ({
      query: 'recipientImports',
      params: { recipient: p.buyer, from: p.totalsFrom, to: p.totalsTo, first: 10 },
    }),
    peer: (p) => ({
      query: `query($r: ID!, $from: Int!, $to: Int!) { recipientImports(recipient: $r, from: $from, to: $to, first: 10) {
        supplierId supplierName tivDelivered deals } }`,
      variables: { r: p.buyer, from: p.totalsFrom, to: p.totalsTo },
    }),
    answer: {
      armsgraph: (d) => (d.transferTotals as Json[] | undefined)?.map((t) => [t.key, t.deals]) ?? null,
      floor: (rows) => rows.map((r) => [r.id, r.deals]),
      peer: (d) => (d.recipientImports as Json[] | undefined)?.map((t) => [t.supplierId, t.deals]) ?? null,
    },
  },
  {
    name: 'supplier × year for one recipient',
    what: "a recipient's imports per supplier and delivery year over the last five years",
    armsgraph: (p) => ({
      query: `query($r: ID!, $from: Int!, $to: Int!) { transferTotals(by: SUPPLIER, then: YEAR, filter: { recipient: [$r] },
        deliveredFrom: $from, deliveredTo: $to, first: 500) { key then { year } tivDelivered deals } }`,
      variables: { r: p.buyer, from: p.totalsFrom, to: p.totalsTo },
    }),
    floor: (p) => ({
      query: 'recipientSupplierYears',
      params: { recipient: p.buyer, from: p.totalsFrom, to: p.totalsTo, first: 500 },
    }),
    peer: (p) => ({
      query: `query($r: ID!, $from: Int!, $to: Int!) { recipientSupplierYears(recipient: $r, from: $from, to: $to, first: 500) {
        supplierId year tivDelivered deals } }`,
      variables: { r: p.buyer, from: p.totalsFrom, to: p.totalsTo },
    }),
    answer: {
      armsgraph: (d) =>
        (d.transferTotals as Json[] | undefined)?.map((t) => [t.key, get(t, 'then', 'year'), t.deals]) ??
        null,
      floor: (rows) => rows.map((r) => [r.id, r.year, r.deals]),
      peer: (d) =>
        (d.recipientSupplierYears as Json[] | undefined)?.map((t) => [t.supplierId, t.year, t.deals]) ?? null,
    },
  },
  {
    name: 'search',
    what: 'names and aliases, ranked, 10 hits',
    armsgraph: (p) => ({
      query: 'query($text: String!) { search(text: $text, first: 10) { __typename id name } }',
      variables: { text: p.searchText },
    }),
    floor: (p) => ({ query: 'search', params: { query: luceneQuery(p.searchText), first: 10 } }),
    peer: (p) => ({
      query: 'query($q: String!) { search(query: $q, first: 10) { id name kind } }',
      variables: { q: luceneQuery(p.searchText) },
    }),
    answer: {
      armsgraph: (d) => ids(d.search),
      floor: (rows) => ids(rows),
      peer: (d) => ids(d.search),
    },
  },
  {
    name: 'lookup by id',
    what: 'one deal by id with its parties and system',
    armsgraph: (p) => ({
      query: `query($id: ID!) { deal(id: $id) { ${DEAL_FIELDS} } }`,
      variables: { id: p.dealId },
    }),
    floor: (p) => ({ query: 'dealById', params: { id: p.dealId } }),
    peer: (p) => ({
      query: `query($id: ID!) { deals(where: { id: { eq: $id } }) { ${PEER_DEAL_FIELDS} } }`,
      variables: { id: p.dealId },
    }),
    answer: {
      armsgraph: (d) => [get(d, 'deal', 'id'), get(d, 'deal', 'buyer', 'id'), get(d, 'deal', 'system', 'id')],
      floor: (rows) => [
        get(rows[0], 'deal', 'id'),
        get(rows[0], 'deal', 'buyer', 'id'),
        get(rows[0], 'deal', 'system', 'id'),
      ],
      peer: (d) => {
        const deal = (d.deals as Json[] | undefined)?.[0];
        return [get(deal, 'id'), get(deal, 'buyer', '0', 'id'), get(deal, 'system', '0', 'id')];
      },
    },
  },
  {
    name: 'neighbourhood, depth 2',
    what: 'entities within two hops of Turkey, at most 200 nodes, and the relations among them',
    armsgraph: (p) => ({
      query: `query($id: ID!) { neighborhood(id: $id, depth: 2, first: 200) {
        nodes { id labels name } edges { id type source target } truncated } }`,
      variables: { id: p.neighborhoodId },
    }),
    floor: (p) => ({ query: 'neighborhood', params: { id: p.neighborhoodId, first: 200 } }),
    peer: (p) => ({
      query: `query($id: ID!) { neighborhood(id: $id, first: 200) {
        nodes { id labels name } edges { id type source target } } }`,
      variables: { id: p.neighborhoodId },
    }),
    answer: {
      armsgraph: (d) => ({
        nodes: ids(get(d, 'neighborhood', 'nodes')),
        edges: ids(get(d, 'neighborhood', 'edges')),
      }),
      floor: (rows) => ({ nodes: ids(rows[0]?.nodes), edges: ids(rows[0]?.edges) }),
      peer: (d) => ({
        nodes: ids(get(d, 'neighborhood', 'nodes')),
        edges: ids(get(d, 'neighborhood', 'edges')),
      }),
    },
  },
];
