// The explorer's only way out of the page: GraphQL over HTTP to this service's own /graphql.

/** A node of the contract's Subgraph. */
export interface GraphNode {
  id: string;
  labels: string[];
  name: string;
  properties: Record<string, unknown>;
}

/** An edge of the contract's Subgraph; source and target are node ids. */
export interface GraphEdge {
  id: string;
  type: string;
  source: string;
  target: string;
  properties: Record<string, unknown>;
}

export interface Subgraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
  /** Neighbourhoods: what the node cap left out, by kind. */
  omitted?: Array<{ label: string; count: number }> | null;
}

export interface SearchHit {
  __typename: string;
  id: string;
  name: string;
}

export interface SourceRef {
  id: string;
  name: string;
  url: string | null;
}

export interface EntityDetails {
  __typename: string;
  id: string;
  name: string;
  aliases: string[];
  sources: SourceRef[];
  /** A country's memberships and the sanctions it received, with their dates and sources. */
  memberships?: Array<{
    alliance: { id: string; name: string };
    since: string | null;
    until: string | null;
    status: string;
    estimate: boolean;
    sources: SourceRef[];
  }>;
  sanctionsReceived?: Array<{
    id: string;
    kind: string;
    status: string;
    since: string | null;
    until: string | null;
    instrument: string | null;
    scope: string | null;
    items: string | null;
    estimate: boolean;
    imposedBy: { id: string; name: string };
    target: { id: string; name: string };
    sources: SourceRef[];
  }>;
}

/** A GraphQL or HTTP failure, with the API's extensions.code when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

const TOKEN_KEY = 'armsgraph.readToken';

/** The read token (when the service requires one) lives in this tab's session storage only. */
export function setToken(token: string): void {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export function hasToken(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

/** Cancelled by the analyst (the page's Cancel button): not an error to show. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled.');
  }
}

async function gql<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (signal?.aborted) throw new Cancelled();
    throw new ApiError(
      `The service did not answer (${err instanceof Error ? err.message : String(err)}).`,
      undefined,
    );
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    if (signal?.aborted) throw new Cancelled();
    throw new ApiError(`The service answered HTTP ${res.status}.`, undefined);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code);
  if (!body.data) throw new ApiError(`The service answered HTTP ${res.status} without data.`, undefined);
  return body.data;
}

const SUBGRAPH_FIELDS = `nodes { id labels name properties } edges { id type source target properties } truncated`;

export type Signal = AbortSignal | undefined;

export async function search(text: string, signal?: Signal, first = 12): Promise<SearchHit[]> {
  const data = await gql<{ search: SearchHit[] }>(
    `query Search($text: String!, $first: Int) { search(text: $text, first: $first) { __typename id name } }`,
    { text, first },
    signal,
  );
  return data.search;
}

export async function neighborhood(
  id: string,
  depth: number,
  first: number,
  signal?: Signal,
): Promise<Subgraph> {
  const data = await gql<{ neighborhood: Subgraph }>(
    `query Neighborhood($id: ID!, $depth: Int, $first: Int) {
       neighborhood(id: $id, depth: $depth, first: $first) { ${SUBGRAPH_FIELDS} omitted { label count } }
     }`,
    { id, depth, first },
    signal,
  );
  return data.neighborhood;
}

/** Given entities and the real relationships among them. */
export async function subgraph(ids: string[], signal?: Signal): Promise<Subgraph> {
  const data = await gql<{ subgraph: Subgraph }>(
    `query Subgraph($ids: [ID!]!) { subgraph(ids: $ids) { ${SUBGRAPH_FIELDS} } }`,
    { ids },
    signal,
  );
  return data.subgraph;
}

export async function paths(
  from: string,
  to: string,
  maxHops: number,
  types: string[] | null,
  signal?: Signal,
): Promise<Subgraph> {
  const data = await gql<{ paths: Subgraph }>(
    `query Paths($from: ID!, $to: ID!, $maxHops: Int, $types: [String!]) {
       paths(from: $from, to: $to, maxHops: $maxHops, types: $types) { ${SUBGRAPH_FIELDS} }
     }`,
    { from, to, maxHops, types },
    signal,
  );
  return data.paths;
}

export interface DealGroup {
  key: string;
  entity: { __typename: string; id: string; name: string };
  role: 'BUYER' | 'SELLER';
  deals: number;
  tivDelivered: number;
  firstOrderYear: number | null;
  lastOrderYear: number | null;
}

export async function dealGroups(
  id: string,
  by: 'PARTNER' | 'SYSTEM',
  signal?: Signal,
): Promise<DealGroup[]> {
  const data = await gql<{ dealGroups: DealGroup[] }>(
    `query Groups($id: ID!, $by: DealGroupBy) {
       dealGroups(id: $id, by: $by) { key entity { __typename id name } role deals tivDelivered firstOrderYear lastOrderYear }
     }`,
    { id, by },
    signal,
  );
  return data.dealGroups;
}

export interface DealRow {
  id: string;
  name: string;
  status: string;
  orderYear: number | null;
  orderYearEstimated: boolean;
  quantity: number | null;
  delivered: number | null;
  tivDelivered: number | null;
  category: string | null;
  buyer: { id: string; name: string } | null;
  seller: { id: string; name: string } | null;
  system: { id: string; name: string } | null;
}

export interface DealPage {
  totalCount: number;
  edges: Array<{ cursor: string; node: DealRow }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export async function deals(
  filter: Record<string, unknown>,
  orderBy: string,
  first: number,
  after: string | undefined,
  signal?: Signal,
): Promise<DealPage> {
  const data = await gql<{ deals: DealPage }>(
    `query Deals($filter: DealFilter, $orderBy: DealOrderBy, $first: Int, $after: String) {
       deals(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
         totalCount
         edges { cursor node { id name status orderYear orderYearEstimated quantity delivered tivDelivered category
                 buyer { id name } seller { id name } system { id name } } }
         pageInfo { hasNextPage endCursor }
       }
     }`,
    { filter, orderBy, first, after: after ?? null },
    signal,
  );
  return data.deals;
}

/** One row of transferTotals (the TIV tables contract: key, label, share, then). */
export interface TotalRow {
  key: string;
  label: string;
  entity: { id: string; name: string } | null;
  year: number | null;
  then: { key: string; label: string; year: number | null } | null;
  tivDelivered: number;
  deals: number;
  share: number | null;
  cursor: string;
}

export async function transferTotals(
  args: {
    by: string;
    then?: string | null;
    filter: Record<string, string[]>;
    deliveredFrom?: number | undefined;
    deliveredTo?: number | undefined;
    first: number;
  },
  signal?: Signal,
): Promise<TotalRow[]> {
  const data = await gql<{ transferTotals: TotalRow[] }>(
    `query Totals($by: TransferTotalsBy!, $then: TransferTotalsBy, $filter: TransferFilter, $from: Int, $to: Int, $first: Int) {
       transferTotals(by: $by, then: $then, filter: $filter, deliveredFrom: $from, deliveredTo: $to, first: $first) {
         key label entity { id name } year then { key label year } tivDelivered deals share cursor
       }
     }`,
    {
      by: args.by,
      then: args.then ?? null,
      filter: args.filter,
      from: args.deliveredFrom ?? null,
      to: args.deliveredTo ?? null,
      first: args.first,
    },
    signal,
  );
  return data.transferTotals;
}

/** One group's TIV in one year: a row of transferTotals with `then: YEAR`, with only what a pivot needs. */
export interface YearRow {
  key: string;
  label: string;
  then: { year: number | null } | null;
  tivDelivered: number;
  cursor: string;
}

/** Rows a pivot asks for at a time: few fields each, well inside the API's cost limit. */
const YEAR_PAGE = 1000;

/**
 * Every year of the given groups (`keys`): transferTotals(by, then: YEAR) page by page. The API sends
 * the rows of the largest groups first, so reading stops at the first row of a group not asked for.
 */
export async function totalsByYear(
  args: {
    by: string;
    filter: Record<string, string[]>;
    deliveredFrom?: number | undefined;
    deliveredTo?: number | undefined;
  },
  keys: readonly string[],
  signal?: Signal,
  maxPages = 20,
): Promise<YearRow[]> {
  const wanted = new Set(keys);
  const rows: YearRow[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const data: { transferTotals: YearRow[] } = await gql<{ transferTotals: YearRow[] }>(
      `query Years($by: TransferTotalsBy!, $filter: TransferFilter, $from: Int, $to: Int, $first: Int, $after: String) {
         transferTotals(by: $by, then: YEAR, filter: $filter, deliveredFrom: $from, deliveredTo: $to, first: $first, after: $after) {
           key label then { year } tivDelivered cursor
         }
       }`,
      {
        by: args.by,
        filter: args.filter,
        from: args.deliveredFrom ?? null,
        to: args.deliveredTo ?? null,
        first: YEAR_PAGE,
        after,
      },
      signal,
    );
    const got = data.transferTotals;
    for (const r of got) {
      if (!wanted.has(r.key)) return rows;
      rows.push(r);
    }
    if (got.length < YEAR_PAGE) break;
    after = got[got.length - 1]?.cursor ?? null;
  }
  return rows;
}

const SOURCES = `sources { id name url }`;
const REF = `{ __typename id name }`;

/**
 * An entity with every fact the panel shows, each with its own sources: a deal's values, deliveries
 * by year and disagreements; a country's memberships, exclusions and sanctions; and so on.
 */
const DETAILS_QUERY = `query Details($id: ID!) {
  node(id: $id) {
    __typename id name aliases ${SOURCES}
    ... on Deal {
      status orderYear orderYearEstimated orderDate quantity quantityEstimated quantityDescription delivered
      deliveredEstimated tivUnit tivUnitNew tivDelivered category condition localProduction technologyTransfer
      governmentToGovernment description notes sipriId sipriFirstSeen sipriLastSeen
      sipriRelease sipriReleases retiredReason revisions { release previousRelease field old new }
      value { amount currency }
      buyer ${REF} seller ${REF} system ${REF}
      deliveries { year yearEstimated quantity quantityEstimated tiv sipriFirstSeen sipriLastSeen ${SOURCES} }
      disagreements { field shown claims { value ${SOURCES} } }
      objectedBy { by ${REF} reason ${SOURCES} }
      announcedBy { person ${REF} date statement ${SOURCES} }
      causedExclusions { program ${REF} country ${REF} date ${SOURCES} }
      causedSanctions { imposedBy ${REF} target ${REF} status since instrument ${SOURCES} }
    }
    ... on Country {
      iso2 historical
      memberships { alliance ${REF} since until status estimate ${SOURCES} }
      programs { program ${REF} role since until ${SOURCES} }
      exclusions { program ${REF} date cause ${REF} ${SOURCES} }
      sanctionsReceived { id kind status since until instrument scope items estimate imposedBy ${REF} target ${REF} ${SOURCES} }
      sanctionsImposed { target ${REF} status since instrument cause ${REF} ${SOURCES} }
    }
    ... on WeaponSystem { category description origin ${REF} makers ${REF} }
    ... on Alliance { founded members { member ${REF} since until ${SOURCES} } }
    ... on Program { description leader ${REF} }
    ... on Organization { kind country ${REF} }
    ... on Person { description offices { title of ${REF} since until ${SOURCES} } }
    ... on Source { kind title author publisher url published citation }
  }
}`;

/** The entity's fields, as the API answered them (the panel reads what its kind has). */
export type EntityFacts = EntityDetails & Record<string, unknown>;

export async function entityDetails(id: string, signal?: Signal): Promise<EntityFacts | null> {
  const data = await gql<{ node: EntityFacts | null }>(DETAILS_QUERY, { id }, signal);
  return data.node;
}

let sourceCache: Promise<Map<string, SourceRef>> | undefined;

/** Every source, fetched once: edges name their sources by id (sourceIds) and the panel shows them. */
export function allSources(): Promise<Map<string, SourceRef>> {
  sourceCache ??= gql<{ sources: SourceRef[] }>(`{ sources { id name url } }`, {}).then(
    (d) => new Map(d.sources.map((s) => [s.id, s])),
    (err: unknown) => {
      sourceCache = undefined;
      throw err;
    },
  );
  return sourceCache;
}

/** The supplier → recipient network of a period (SUPPLIED edges with weight = TIV and deals). */
export async function transferNetwork(
  args: {
    filter: Record<string, string[]>;
    deliveredFrom: number | null;
    deliveredTo: number | null;
    minTiv: number;
  },
  signal?: Signal,
): Promise<Subgraph> {
  const data = await gql<{ transferNetwork: Subgraph }>(
    `query Network($filter: TransferFilter, $from: Int, $to: Int, $minTiv: Float) {
       transferNetwork(filter: $filter, deliveredFrom: $from, deliveredTo: $to, minTiv: $minTiv) { ${SUBGRAPH_FIELDS} }
     }`,
    { filter: args.filter, from: args.deliveredFrom, to: args.deliveredTo, minTiv: args.minTiv },
    signal,
  );
  return data.transferNetwork;
}

/** A SIPRI release as a Source: its id (sipri-atdb@<date>), name and 'Data generated' date. */
export interface ReleaseSource extends SourceRef {
  release: string | null;
}

let releaseCache: Promise<Map<string, ReleaseSource>> | undefined;

/** The SIPRI releases imported, by their 'Data generated' date, fetched once: revisions name them by date. */
export function releaseSources(): Promise<Map<string, ReleaseSource>> {
  releaseCache ??= gql<{ sipriReleases: ReleaseSource[] }>(
    `{ sipriReleases { id name url release } }`,
    {},
  ).then(
    (d) => new Map(d.sipriReleases.flatMap((s) => (s.release ? [[s.release, s] as const] : []))),
    (err: unknown) => {
      releaseCache = undefined;
      throw err;
    },
  );
  return releaseCache;
}
