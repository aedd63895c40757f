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

async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(`The service answered HTTP ${res.status}.`, undefined);
  }
  const first = body.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code);
  if (!body.data) throw new ApiError(`The service answered HTTP ${res.status} without data.`, undefined);
  return body.data;
}

const SUBGRAPH_FIELDS = `nodes { id labels name properties } edges { id type source target properties } truncated`;

export async function search(text: string, first = 12): Promise<SearchHit[]> {
  const data = await gql<{ search: SearchHit[] }>(
    `query Search($text: String!, $first: Int) { search(text: $text, first: $first) { __typename id name } }`,
    { text, first },
  );
  return data.search;
}

export async function neighborhood(id: string, depth: number, first: number): Promise<Subgraph> {
  const data = await gql<{ neighborhood: Subgraph }>(
    `query Neighborhood($id: ID!, $depth: Int, $first: Int) {
       neighborhood(id: $id, depth: $depth, first: $first) { ${SUBGRAPH_FIELDS} }
     }`,
    { id, depth, first },
  );
  return data.neighborhood;
}

export async function entityDetails(id: string): Promise<EntityDetails | null> {
  const data = await gql<{ node: EntityDetails | null }>(
    `query Details($id: ID!) { node(id: $id) { __typename id name aliases sources { id name url }
       ... on Country {
         memberships { alliance { id name } since until status estimate sources { id name url } }
         sanctionsReceived { id kind status since until instrument scope items estimate
           imposedBy { id name } target { id name } sources { id name url } }
       } } }`,
    { id },
  );
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
