import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';
import { QUERY_MIX, type MixParams } from '../../bench/query-mix';

/**
 * The cheaper request path (issue 7) answers exactly what the full one did: lookups, search, totals
 * and neighbourhoods fetch only the properties the operation can read (src/graphql/selected-fields.ts), and
 * single reads run as auto-commit queries. Each answer here is checked against the same entities read
 * through a path that still fetches every property (the deals page, the loader, `properties`).
 */

/** Every scalar and derived field of a deal, and its parties as the loader serves them. */
const DEAL_FIELDS = `id name aliases status orderYear orderYearEstimated orderDate quantity quantityEstimated
  quantityDescription delivered firstDeliveryDate tivUnit tivDelivered category condition localProduction
  technologyTransfer governmentToGovernment description notes value { amount currency }
  sources { id name } buyer { id name } seller { id name } system { id name }`;

type Json = Record<string, unknown>;

describe('request cost: answers unchanged by fetching less', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    await writeSyntheticDeals(server.db, 30);
  });
  afterAll(async () => {
    await server.close();
  });

  const data = async (query: string, variables?: Json): Promise<Json> => {
    const { body } = await server.gql<Json>(query, variables);
    expect(body.errors).toBeUndefined();
    return body.data ?? {};
  };

  it('a lookup by id gives every field a deals page gives, derived fields included', async () => {
    const page = await data(`{ deals(filter: { category: "air-defense systems" }, first: 10) {
      edges { node { ${DEAL_FIELDS} } } } }`);
    const nodes = (page.deals as { edges: { node: Json }[] }).edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    // The seeded S-400 deals carry values, notes and sources: the comparison is not of empty fields.
    expect(nodes.some((n) => n.value !== null)).toBe(true);
    expect(nodes.some((n) => (n.sources as unknown[]).length > 0)).toBe(true);
    for (const node of nodes) {
      const one = await data(`query($id: ID!) { deal(id: $id) { ${DEAL_FIELDS} } }`, { id: node.id });
      expect(one.deal).toEqual(node);
    }
  });

  it('a deals page reading only the selected fields answers as one reading every property', async () => {
    const query = (extra: string) => `{ deals(filter: { category: "air-defense systems" }, first: 20) {
      totalCount edges { cursor node { ${DEAL_FIELDS} ${extra} } } } }`;
    // Deal.disagreements reads every property (selection.ts), so this page is the full path.
    const full = (await data(query('disagreements { field }'))).deals as { edges: { node: Json }[] };
    const lean = (await data(query(''))).deals as { edges: { node: Json }[] };
    expect(lean.edges.length).toBeGreaterThanOrEqual(3);
    expect(lean.edges.some((e) => e.node.value !== null && e.node.buyer !== null)).toBe(true);
    expect(lean).toEqual({
      ...full,
      edges: full.edges.map(({ node: { disagreements: _, ...node }, ...edge }) => ({ ...edge, node })),
    });
  });

  it('a lookup by name resolves as before: an exact id first, then a name or alias', async () => {
    const byName = await data('{ country(id: "Türkiye") { id name } node(id: "turkiye") { id } }');
    expect(byName).toEqual({ country: { id: 'TUR', name: 'Turkey' }, node: { id: 'TUR' } });
    const none = await data('{ country(id: "no such place") { id } deal(id: "TUR") { id } }');
    expect(none).toEqual({ country: null, deal: null });
  });

  it('an entity primed by a lookup serves another field of the operation with the fields it asks for', async () => {
    const both = await data(`{ deal(id: "tur-s-400-2017") { buyer { id ... on Country { iso2 historical } } }
      alone: country(id: "TUR") { id iso2 historical aliases } }`);
    const alone = both.alone as Json;
    expect(alone.iso2).toEqual(expect.any(String));
    expect((both.deal as { buyer: Json }).buyer).toEqual({
      id: 'TUR',
      iso2: alone.iso2,
      historical: alone.historical,
    });
  });

  it('a deal asked for its disagreements still reads every property', async () => {
    const withClaims = await data(
      '{ deals(first: 100) { edges { node { id disagreements { field shown claims { value } } } } } }',
    );
    const disputed = (withClaims.deals as { edges: { node: Json }[] }).edges
      .map((e) => e.node)
      .filter((n) => (n.disagreements as unknown[]).length > 0);
    expect(disputed.length).toBeGreaterThan(0);
    for (const node of disputed) {
      const one = await data(
        'query($id: ID!) { deal(id: $id) { id disagreements { field shown claims { value } } } }',
        { id: node.id },
      );
      expect(one.deal).toEqual(node);
    }
  });

  it('search and totals return the entities the loader returns for the same ids', async () => {
    const found = await data('{ search(text: "s-400", first: 5) { __typename id name aliases } }');
    const hits = found.search as Json[];
    expect(hits.length).toBeGreaterThan(0);
    const totals = await data(
      '{ transferTotals(by: SUPPLIER, first: 5) { entity { __typename id name aliases } deals } }',
    );
    const suppliers = (totals.transferTotals as { entity: Json }[]).map((t) => t.entity);
    expect(suppliers.length).toBeGreaterThan(0);
    for (const e of [...hits, ...suppliers]) {
      const one = await data('query($id: ID!) { node(id: $id) { __typename id name aliases } }', {
        id: e.id,
      });
      expect(one.node).toEqual(e);
    }
  });

  it('a neighbourhood without properties has the nodes and edges of one with them', async () => {
    const args = 'id: "TUR", depth: 2, first: 60';
    const full = await data(`{ neighborhood(${args}) { nodes { id labels name properties }
      edges { id type source target properties } truncated truncatedBy } }`);
    const bare = await data(`{ neighborhood(${args}) { nodes { id labels name }
      edges { id type source target } truncated truncatedBy } }`);
    type Sub = { nodes: Json[]; edges: Json[]; truncated: boolean; truncatedBy: string[] };
    const f = full.neighborhood as Sub;
    const b = bare.neighborhood as Sub;
    expect(f.nodes.length).toBeGreaterThan(10);
    expect(f.edges.length).toBeGreaterThan(10);
    expect(b.nodes).toEqual(f.nodes.map(({ properties: _p, ...n }) => n));
    expect(b.edges).toEqual(f.edges.map(({ properties: _p, ...e }) => e));
    expect([b.truncated, b.truncatedBy]).toEqual([f.truncated, f.truncatedBy]);
  });

  it('a lookup costs one Cypher statement, and answers are marked uncacheable with a request id', async () => {
    const before = server.db.statements;
    await data('{ deal(id: "tur-s-400-2017") { id buyer { id } seller { id } system { id } } }');
    expect(server.db.statements - before).toBe(1);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("costs each query of the bench's mix the floor's one Cypher statement (one round trip), a deal page's sources included", async () => {
    const params: MixParams = {
      buyer: 'ZB1',
      system: 'zsys-1',
      periodFrom: 2003,
      periodTo: 2005,
      totalsFrom: 2001,
      totalsTo: 2010,
      dealId: 'tur-s-400-2017',
      searchText: 's-400',
      neighborhoodId: 'TUR',
    };
    const statements: Record<string, number> = {};
    for (const q of QUERY_MIX) {
      const { query, variables } = q.armsgraph(params);
      const before = server.db.statements;
      const answer = q.answer.armsgraph(await data(query, variables));
      statements[q.name] = server.db.statements - before;
      // Real answers: each names at least one id (a string value, not a key), so none is empty.
      expect([q.name, JSON.stringify(answer)]).toEqual([q.name, expect.stringMatching(/"[^"]+"(?!:)/)]);
    }
    // The neighbourhood walks level by level (src/db/subgraph-queries.ts), a few statements whatever
    // its size, and is already faster than the floor's one; every other query is one statement.
    const { 'neighbourhood, depth 2': walk, ...single } = statements;
    expect(walk).toBeLessThanOrEqual(5);
    expect(single).toEqual(
      Object.fromEntries(QUERY_MIX.filter((q) => q.name in single).map((q) => [q.name, 1])),
    );
    expect(Object.keys(single)).toHaveLength(QUERY_MIX.length - 1);
  });
});
