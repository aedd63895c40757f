import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

type GNode = { id: string; labels: string[]; name: string; properties: Record<string, unknown> };
type GEdge = {
  id: string;
  type: string;
  source: string;
  target: string;
  properties: Record<string, unknown>;
};
type Sub = {
  nodes: GNode[];
  edges: GEdge[];
  truncated: boolean;
  truncatedBy: string[];
  nodeCap: number;
  edgeCap: number;
};

const FIELDS = `nodes { id labels name properties } edges { id type source target properties }
  truncated truncatedBy nodeCap edgeCap`;

/** The invariants every subgraph keeps, whatever the query. */
function expectWellFormed(sub: Sub): void {
  const ids = new Set(sub.nodes.map((n) => n.id));
  expect(ids.size).toBe(sub.nodes.length);
  expect(new Set(sub.edges.map((e) => e.id)).size).toBe(sub.edges.length);
  for (const e of sub.edges) {
    expect(ids.has(e.source)).toBe(true);
    expect(ids.has(e.target)).toBe(true);
    expect(Array.isArray(e.properties.sourceIds)).toBe(true);
  }
  for (const n of sub.nodes) {
    expect(Array.isArray(n.properties.sourceIds)).toBe(true);
    expect(n.labels).not.toContain('Entity');
    expect(n.properties).not.toHaveProperty('nameKeys');
  }
}

describe('subgraphs: neighborhood and paths', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    await writeSyntheticDeals(server.db, 60);
  });
  afterAll(async () => {
    await server.close();
  });

  const neighborhood = async (args: string) => {
    const { body } = await server.gql<{ neighborhood: Sub }>(`{ neighborhood(${args}) { ${FIELDS} } }`);
    return body;
  };
  const paths = async (args: string) => {
    const { body } = await server.gql<{ paths: Sub }>(`{ paths(${args}) { ${FIELDS} } }`);
    return body;
  };

  it("reaches the S-400 from Turkey through Turkey's deal, with directed, sourced edges", async () => {
    const { data, errors } = await neighborhood('id: "Türkiye", depth: 2');
    expect(errors).toBeUndefined();
    const sub = data!.neighborhood;
    expectWellFormed(sub);
    const ids = sub.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['TUR', 'tur-s-400-2017', 's-400', 'RUS', 'nato']));
    const buyer = sub.edges.find((e) => e.type === 'BUYER' && e.source === 'tur-s-400-2017');
    expect(buyer).toMatchObject({ target: 'TUR', id: 'BUYER:tur-s-400-2017:TUR:' });
    expect(sub.edges).toContainEqual(
      expect.objectContaining({ type: 'COVERS', source: 'tur-s-400-2017', target: 's-400' }),
    );
    const s400 = sub.nodes.find((n) => n.id === 's-400');
    expect(s400?.labels).toEqual(['WeaponSystem']);
    expect((s400?.properties.sourceIds as string[]).length).toBeGreaterThan(0);
    expect(sub.truncated).toBe(false);
    expect(sub.truncatedBy).toEqual([]);
  });

  it('gives the same edge ids on every call (stable, not Neo4j element ids)', async () => {
    const a = (await neighborhood('id: "TUR", depth: 2')).data!.neighborhood;
    const b = (await neighborhood('id: "Turkey", depth: 2')).data!.neighborhood;
    expect(b.edges.map((e) => e.id)).toEqual(a.edges.map((e) => e.id));
    for (const e of a.edges) expect(e.id.startsWith(`${e.type}:`)).toBe(true);
  });

  it("depth 1 stays at one hop: Turkey's deals, but not Russia, the seller", async () => {
    const sub = (await neighborhood('id: "TUR", depth: 1')).data!.neighborhood;
    expectWellFormed(sub);
    const ids = sub.nodes.map((n) => n.id);
    expect(ids).toContain('tur-s-400-2017');
    expect(ids).not.toContain('RUS');
    for (const id of ids) {
      if (id === 'TUR') continue;
      const touching = sub.edges.filter(
        (e) => (e.source === 'TUR' && e.target === id) || (e.target === 'TUR' && e.source === id),
      );
      expect(touching.length).toBeGreaterThan(0);
    }
  });

  it('filters relation types and labels', async () => {
    const sub = (await neighborhood('id: "TUR", depth: 2, types: ["BUYER", "COVERS"]')).data!.neighborhood;
    expectWellFormed(sub);
    expect(new Set(sub.edges.map((e) => e.type))).toEqual(new Set(['BUYER', 'COVERS']));
    expect(sub.nodes.map((n) => n.id)).toContain('s-400');
    expect(sub.nodes.map((n) => n.id)).not.toContain('nato');

    const deals = (await neighborhood('id: "TUR", depth: 1, labels: ["Deal"]')).data!.neighborhood;
    expectWellFormed(deals);
    for (const n of deals.nodes) if (n.id !== 'TUR') expect(n.labels).toContain('Deal');
    expect(deals.nodes.length).toBeGreaterThan(1);
  });

  it('reports the node and edge caps when they cut the result', async () => {
    // ZB0 bought 20 of the 60 synthetic deals.
    const sub = (await neighborhood('id: "ZB0", depth: 1, first: 5')).data!.neighborhood;
    expectWellFormed(sub);
    expect(sub.nodes).toHaveLength(5);
    expect(sub.truncated).toBe(true);
    expect(sub.truncatedBy).toContain('NODES');
    expect(sub.nodeCap).toBe(5);

    const whole = (await neighborhood('id: "ZB0", depth: 2, first: 100')).data!.neighborhood;
    expectWellFormed(whole);
    // ZB0, its 20 deals, their 2 sellers and 4 systems: 27 nodes, 60 edges, nothing cut.
    expect(whole.nodes).toHaveLength(27);
    expect(whole.edges).toHaveLength(60);
    expect(whole.truncated).toBe(false);
  });

  it('keeps the most important neighbours when it cuts: largest TIV first, and says what it left out', async () => {
    // ZB0's deals are zdeal-i for i = 0, 3, ..., 57, with TIV i: the four largest are 57, 54, 51, 48.
    const { body } = await server.gql<{
      neighborhood: Sub & { omitted: Array<{ label: string; count: number }> };
    }>(`{ neighborhood(id: "ZB0", first: 5) { nodes { id } omitted { label count } } }`);
    const sub = body.data!.neighborhood;
    expect(sub.nodes.map((n) => n.id).sort()).toEqual(
      ['ZB0', 'zdeal-0048', 'zdeal-0051', 'zdeal-0054', 'zdeal-0057'].sort(),
    );
    expect(sub.omitted).toEqual([{ label: 'Deal', count: 16 }]);
    const whole = await server.gql<{ neighborhood: { omitted: unknown[] } }>(
      `{ neighborhood(id: "ZB0", first: 100) { omitted { label } } }`,
    );
    expect(whole.body.data!.neighborhood.omitted).toEqual([]);
  });

  it('keeps the entities that frame a country before its deals', async () => {
    const all = (await neighborhood('id: "TUR", first: 1000')).data!.neighborhood;
    const frame = all.nodes.filter((n) => n.id !== 'TUR' && !n.labels.includes('Deal')).map((n) => n.id);
    expect(frame).toContain('nato');
    const cut = (await neighborhood(`id: "TUR", first: ${frame.length + 1}`)).data!.neighborhood;
    expect(cut.nodes.map((n) => n.id).sort()).toEqual(['TUR', ...frame].sort());
  });

  it('draws the relationships among chosen entities (subgraph)', async () => {
    const { body } = await server.gql<{ subgraph: Sub }>(
      `{ subgraph(ids: ["ZB0", "zdeal-0003", "Testland ZS1", "zdeal-0003"]) { ${FIELDS} } }`,
    );
    expect(body.errors).toBeUndefined();
    const sub = body.data!.subgraph;
    expectWellFormed(sub);
    expect(sub.nodes.map((n) => n.id).sort()).toEqual(['ZB0', 'ZS1', 'zdeal-0003']);
    expect(sub.edges.map((e) => `${e.type}:${e.source}:${e.target}`).sort()).toEqual([
      'BUYER:zdeal-0003:ZB0',
      'SELLER:zdeal-0003:ZS1',
    ]);
    const unknown = await server.gql(`{ subgraph(ids: ["ZB0", "no-such-entity"]) { nodes { id } } }`);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it("groups an entity's deals by partner and by system, largest TIV first", async () => {
    type Group = { key: string; entity: { id: string }; role: string; deals: number; tivDelivered: number };
    const { body } = await server.gql<{ dealGroups: Group[] }>(
      `{ dealGroups(id: "ZB0") { key entity { id } role deals tivDelivered firstOrderYear lastOrderYear } }`,
    );
    expect(body.errors).toBeUndefined();
    // ZB0 bought deal i (i = 0, 3, ..., 57) from ZS{i % 2}: odd i from ZS1, even i from ZS0.
    const ids = Array.from({ length: 20 }, (_, k) => 3 * k);
    const sum = (odd: number) => ids.filter((i) => i % 2 === odd).reduce((a, i) => a + i, 0);
    expect(body.data!.dealGroups).toEqual([
      {
        key: 'BUYER:ZS1',
        entity: { id: 'ZS1' },
        role: 'BUYER',
        deals: 10,
        tivDelivered: sum(1),
        firstOrderYear: 2001,
        lastOrderYear: 2009,
      },
      {
        key: 'BUYER:ZS0',
        entity: { id: 'ZS0' },
        role: 'BUYER',
        deals: 10,
        tivDelivered: sum(0),
        firstOrderYear: 2000,
        lastOrderYear: 2008,
      },
    ]);
    // The totals agree with Query.deals.
    const count = await server.gql<{ deals: { totalCount: number } }>(
      `{ deals(filter: { buyer: "ZB0", seller: "ZS1" }) { totalCount } }`,
    );
    expect(count.body.data!.deals.totalCount).toBe(10);
    const bySystem = await server.gql<{ dealGroups: Group[] }>(
      `{ dealGroups(id: "ZS0", by: SYSTEM) { entity { id } role deals } }`,
    );
    expect(bySystem.body.data!.dealGroups.map((g) => [g.entity.id, g.role, g.deals]).sort()).toEqual([
      ['zsys-0', 'SELLER', 15],
      ['zsys-2', 'SELLER', 15],
    ]);
  });

  it('keeps parallel edges apart and cuts edges at the edge cap', async () => {
    // Eleven sanctions between the same two countries, each its own fact (its own key).
    await server.db.write(
      `MERGE (a:Country:Entity {id: 'QXA'}) SET a.name = 'Parallelia', a.aliases = [], a.sourceIds = ['test-source']
       MERGE (b:Country:Entity {id: 'QXB'}) SET b.name = 'Targetia', b.aliases = [], b.sourceIds = ['test-source']
       WITH a, b UNWIND range(1, 11) AS i
       MERGE (a)-[r:SANCTIONS {key: 'SANCTIONS:QXA:QXB:IMPOSED:law-' + i + ':'}]->(b)
       SET r.status = 'IMPOSED', r.instrument = 'law-' + i, r.sourceIds = ['test-source']`,
    );
    const all = (await neighborhood('id: "QXA", first: 10')).data!.neighborhood;
    expectWellFormed(all);
    expect(all.edges.filter((e) => e.type === 'SANCTIONS')).toHaveLength(11);
    expect(all.truncated).toBe(false);

    const cut = (await neighborhood('id: "QXA", first: 2')).data!.neighborhood;
    expectWellFormed(cut);
    expect(cut.edgeCap).toBe(10);
    expect(cut.edges).toHaveLength(10);
    expect(cut.truncatedBy).toEqual(['EDGES']);
  });

  it('finds the shortest paths from Turkey to Russia, through the S-400 deals', async () => {
    const { data, errors } = await paths('from: "TUR", to: "Russia"');
    expect(errors).toBeUndefined();
    const sub = data!.paths;
    expectWellFormed(sub);
    const ids = sub.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['TUR', 'RUS', 'tur-s-400-2017']));
    expect(sub.edges).toContainEqual(
      expect.objectContaining({ type: 'SELLER', source: 'tur-s-400-2017', target: 'RUS' }),
    );
    // Shortest: two hops, so every node other than the ends touches both of them.
    const touches = (a: string, b: string) =>
      sub.edges.some((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));
    for (const n of sub.nodes) {
      if (n.id === 'TUR' || n.id === 'RUS') continue;
      expect([n.id, touches(n.id, 'TUR') && touches(n.id, 'RUS')]).toEqual([n.id, true]);
    }
  });

  it('respects maxHops and the type filter in paths', async () => {
    const none = (await paths('from: "TUR", to: "RUS", maxHops: 1')).data!.paths;
    expect(none.nodes).toEqual([]);
    expect(none.edges).toEqual([]);
    const viaMembership = (await paths('from: "TUR", to: "USA", types: ["MEMBER_OF"]')).data!.paths;
    expectWellFormed(viaMembership);
    expect(viaMembership.nodes.map((n) => n.id).sort()).toEqual(['TUR', 'USA', 'nato']);
  });

  it('answers NOT_FOUND for an unknown id and BAD_USER_INPUT for bounds and filters', async () => {
    const unknown = await neighborhood('id: "no-such-thing"');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const unknownTo = await paths('from: "TUR", to: "atlantis"');
    expect(unknownTo.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const args of [
      'id: "TUR", depth: 4',
      'id: "TUR", depth: 0',
      'id: "TUR", first: 0',
      'id: "TUR", first: 1001',
      'id: "TUR", types: ["CHANGED"]',
      'id: "TUR", labels: ["Change"]',
    ]) {
      const r = await neighborhood(args);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    for (const hops of [0, 7]) {
      const r = await paths(`from: "TUR", to: "RUS", maxHops: ${hops}`);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
