import { refreshDealSlots } from '../../src/db/deal-slots';
import neo4j from 'neo4j-driver';
import { createApp } from '../../src/app';
import { Database } from '../../src/db/database';
import { nameFields } from '../../src/db/names';
import { silentLogger } from '../../src/logger';
import { seedGraph } from '../../src/seed/seeder';
import {
  readCsv,
  readCytoscape,
  readGraphologyGexf,
  readGraphologyGraphml,
  readNetworkx,
  type ReadBack,
} from '../helpers/export-readers';
import { resetGraph, startTestServer, testConfig, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

/** A name every format must carry intact: XML specials, quotes, non-Latin scripts, an astral character. */
const TRICKY = `Smith & "Sons" <Ltd> 'Ω' Россия 中国 العربية 🚀`;
/** The same with a control character, which XML cannot hold: XML formats drop it, JSON and CSV keep it. */
const TRICKY_STORED = `${TRICKY}\u0001`;
const FORMULA_DEAL = '=HYPERLINK("http://example.invalid","x")';

type Counts = { nodes: number; edges: number };

describe('streamed exports read back by real readers', () => {
  let server: TestServer;

  const get = async (pathAndQuery: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${pathAndQuery}`, { headers });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_READ_TOKEN: 'reader:read-secret' });
    await resetGraph(server.db);
    await seedGraph(server.db);
    await writeSyntheticDeals(server.db, 40);
    // A buyer with a hard name, its deal (named like a spreadsheet formula) of the S-400 from Russia,
    // and two sanctions between the same two countries: parallel edges that must stay two.
    await server.db.write(
      `MERGE (q:Country:Entity {id: 'QZX'}) SET q += $q, q.sourceIds = ['article-s400-turkey']
       MERGE (d:Deal:Entity {id: 'qzx-s-400'}) SET d += $d, d.status = 'PENDING', d.orderYear = 2021,
         d.orderDate = '2021-03-04', d.category = 'Air defence systems', d.sourceIds = ['article-s400-turkey']
       WITH q, d MATCH (r:Country {id: 'RUS'}), (s:WeaponSystem {id: 's-400'})
       MERGE (d)-[:BUYER {key: 'BUYER:qzx-s-400:QZX:', sourceIds: ['article-s400-turkey']}]->(q)
       MERGE (d)-[:SELLER {key: 'SELLER:qzx-s-400:RUS:', sourceIds: ['article-s400-turkey']}]->(r)
       MERGE (d)-[:COVERS {key: 'COVERS:qzx-s-400:s-400:', sourceIds: ['article-s400-turkey']}]->(s)
       MERGE (q)-[a:SANCTIONS {key: 'SANCTIONS:QZX:RUS:IMPOSED:law-1:'}]->(r)
         SET a.status = 'IMPOSED', a.instrument = 'law 1', a.sourceIds = ['article-s400-turkey']
       MERGE (q)-[b:SANCTIONS {key: 'SANCTIONS:QZX:RUS:IMPOSED:law-2:'}]->(r)
         SET b.status = 'IMPOSED', b.instrument = 'law 2 & "more"', b.sourceIds = ['article-s400-turkey']`,
      { q: nameFields('QZX', TRICKY_STORED), d: nameFields('qzx-s-400', FORMULA_DEAL) },
    );
    // Written by hand, so its page slots too, as every writer of deals does (src/db/deal-slots.ts).
    await server.db.writeTx((tx) => refreshDealSlots(server.db, tx, ['qzx-s-400']));
  });
  afterAll(async () => {
    await server.close();
  });

  const AUTH = { authorization: 'Bearer read-secret' };
  const exportText = async (format: string, query = '') => {
    const r = await get(`/export/${format}${query ? `?${query}` : ''}`, AUTH);
    expect([format, query, r.status]).toEqual([format, query, 200]);
    return r;
  };

  /** Every graph format, read by every reader that reads it; all must agree with `expected`. */
  async function readAll(query: string, expected: Counts, ids: string[] = []) {
    // Download everything first, then read: long pauses between requests would race the HTTP
    // keep-alive timeout of the client's pooled connection.
    const cy = await exportText('cytoscape', query);
    const graphml = await exportText('graphml', query);
    const gexf = await exportText('gexf', query);
    const nodeLink = await exportText('node-link', query);
    const nodesCsvText = (await exportText('nodes.csv', query)).text;
    const edgesCsvText = (await exportText('edges.csv', query)).text;
    const results: Array<[string, ReadBack]> = [];
    results.push(['cytoscape', readCytoscape(cy.text)]);
    results.push(['graphology-graphml', readGraphologyGraphml(graphml.text)]);
    const nxGraphml = readNetworkx('graphml', graphml.text, ids);
    results.push(['networkx graphml', nxGraphml]);
    results.push(['graphology-gexf', readGraphologyGexf(gexf.text)]);
    const nxGexf = readNetworkx('gexf', gexf.text, ids);
    results.push(['networkx gexf', nxGexf]);
    const nxNodeLink = readNetworkx('node-link', nodeLink.text, ids);
    results.push(['networkx node-link', nxNodeLink]);
    const nodesCsv = readCsv(nodesCsvText);
    const edgesCsv = readCsv(edgesCsvText);
    for (const [reader, read] of results) {
      expect([reader, read.nodes, read.edges]).toEqual([reader, expected.nodes, expected.edges]);
    }
    expect(['nodes.csv', nodesCsv.length]).toEqual(['nodes.csv', expected.nodes]);
    expect(['edges.csv', edgesCsv.length]).toEqual(['edges.csv', expected.edges]);
    for (const nx of [nxGraphml, nxGexf, nxNodeLink]) {
      expect(nx.directed).toBe(true);
      expect(nx.multigraph).toBe(true);
      // Every edge id is distinct: parallel edges were not merged.
      expect(nx.distinctEdgeKeys).toBe(expected.edges);
    }
    return {
      results,
      nxGraphml,
      nxGexf,
      nxNodeLink,
      nodesCsv,
      edgesCsv,
      gexf: gexf.text,
      graphml: graphml.text,
    };
  }

  it('exports the whole graph: every reader sees the nodes and edges the database holds', async () => {
    const [row] = await server.db.read(
      `MATCH (n:Entity) WHERE coalesce(n.retired, false) = false WITH count(n) AS nodes
       MATCH (a:Entity)-[r]->(b:Entity)
       WHERE coalesce(r.retired, false) = false AND coalesce(a.retired, false) = false AND coalesce(b.retired, false) = false
       RETURN nodes, count(r) AS edges`,
    );
    const expected = { nodes: Number(row?.nodes), edges: Number(row?.edges) };
    const all = await readAll('', expected, ['QZX', 'RUS', 'qzx-s-400', 'tur-s-400-2017']);

    // Names survive: XML readers without the control character, JSON readers with it.
    for (const [reader, read] of all.results) {
      const xml = reader.includes('graphml') || reader.includes('gexf');
      expect([reader, read.name('QZX')]).toEqual([reader, xml ? TRICKY : TRICKY_STORED]);
    }
    expect(all.nodesCsv.find((r) => r.Id === 'QZX')?.Label).toBe(TRICKY_STORED);
    // Two sanctions between the same countries stay two edges, each with its own id, in every reader.
    for (const nx of [all.nxGraphml, all.nxGexf, all.nxNodeLink]) {
      expect(nx.edgesBetween['QZX->RUS']).toEqual([
        'SANCTIONS:QZX:RUS:IMPOSED:law-1:',
        'SANCTIONS:QZX:RUS:IMPOSED:law-2:',
      ]);
    }
    const sanctions = all.edgesCsv.filter((r) => r.Source === 'QZX' && r.Target === 'RUS');
    expect(sanctions.map((r) => r.instrument).sort()).toEqual(['law 1', 'law 2 & "more"']);
    expect(new Set(all.edgesCsv.map((r) => r.Type))).toEqual(new Set(['Directed']));

    // Typed attributes: GraphML declares orderYear numeric (long, or double where some years are stored
    // as floats), and NetworkX reads a number back, not text.
    expect(all.graphml).toMatch(
      /<key id="d\d+" for="node" attr.name="orderYear" attr.type="(long|double)"\/>/,
    );
    expect(all.graphml).toMatch(/<key id="d\d+" for="node" attr.name="name" attr.type="string"\/>/);
    expect(all.nxGraphml.nodeData['tur-s-400-2017']?.orderYear).toBe(2017);
    expect(all.nxGexf.nodeData['tur-s-400-2017']?.orderYear).toBe(2017);
    // Provenance travels with the nodes.
    expect(String(all.nxGraphml.nodeData.QZX?.sourceIds)).toBe('article-s400-turkey');

    // GEXF is dynamic: the deal lives from its order on (spells), Gephi's time line.
    expect(all.gexf).toMatch(/<graph defaultedgetype="directed" mode="dynamic" timeformat="date"/);
    expect(all.nxGexf.nodeData['qzx-s-400']?.spells).toEqual([['2021-03-04', 'None']]);
  });

  it('exports a neighbourhood: the same nodes and edges as Query.neighborhood', async () => {
    const { body } = await server.gql<{
      neighborhood: { nodes: { id: string }[]; edges: { id: string }[]; truncated: boolean };
    }>(
      `{ neighborhood(id: "Turkey", depth: 2, first: 1000) { nodes { id } edges { id } truncated } }`,
      {},
      AUTH,
    );
    const sub = body.data!.neighborhood;
    expect(sub.truncated).toBe(false);
    const all = await readAll('around=Turkey&depth=2', { nodes: sub.nodes.length, edges: sub.edges.length });
    const cy = readCytoscape((await exportText('cytoscape', 'around=Turkey&depth=2')).text);
    expect(
      cy.cy
        .nodes()
        .map((n) => n.id())
        .sort(),
    ).toEqual(sub.nodes.map((n) => n.id).sort());
    expect(
      cy.cy
        .edges()
        .map((e) => e.id())
        .sort(),
    ).toEqual(sub.edges.map((e) => e.id).sort());
    expect(all.nodesCsv.map((r) => r.Id)).toContain('s-400');

    const cut = await get('/export/graphml?around=TUR&depth=2&first=5', AUTH);
    expect(cut.headers.get('x-armsgraph-truncated')).toBe('NODES');
    expect(readGraphologyGraphml(cut.text).nodes).toBe(5);
  });

  it('exports a filtered set: the deals Query.deals selects, with their parties and systems', async () => {
    const filter = 'system: "s-400", orderedFrom: 2014';
    const { body } = await server.gql<{
      deals: {
        totalCount: number;
        edges: {
          node: { id: string; buyer: { id: string }; seller: { id: string }; system: { id: string } };
        }[];
      };
    }>(
      `{ deals(filter: { ${filter} }, first: 500) { totalCount edges { node { id buyer { id } seller { id } system { id } } } } }`,
      {},
      AUTH,
    );
    const deals = body.data!.deals;
    expect(deals.totalCount).toBeGreaterThanOrEqual(3);
    const ids = new Set<string>();
    for (const { node } of deals.edges)
      for (const id of [node.id, node.buyer.id, node.seller.id, node.system.id]) ids.add(id);

    const query = 'system=S-400%20Triumf&orderedFrom=2014';
    const cy = readCytoscape((await exportText('cytoscape', query)).text);
    expect(
      cy.cy
        .nodes()
        .map((n) => n.id())
        .sort(),
    ).toEqual([...ids].sort());
    expect(cy.cy.nodes('.Deal').length).toBe(deals.totalCount);
    // Each deal has its buyer, seller and system edges; other relations among those nodes come along.
    for (const type of ['BUYER', 'SELLER', 'COVERS']) {
      expect([type, cy.cy.edges(`[type = "${type}"]`).length]).toEqual([type, deals.totalCount]);
    }
    expect(cy.cy.edges('[type = "SANCTIONS"]').length).toBeGreaterThanOrEqual(2);
    await readAll(query, { nodes: cy.nodes, edges: cy.edges });

    const dealsCsv = readCsv((await exportText('deals.csv', query)).text);
    expect(dealsCsv).toHaveLength(deals.totalCount);
    expect(dealsCsv.map((r) => r.deal_id).sort()).toEqual(deals.edges.map((e) => e.node.id).sort());
    const qzx = dealsCsv.find((r) => r.deal_id === 'qzx-s-400');
    // The formula-looking name is defused for spreadsheets; the other cells are the deal's.
    expect(qzx).toMatchObject({
      deal: `'${FORMULA_DEAL}`,
      buyer: TRICKY_STORED,
      seller_id: 'RUS',
      system_id: 's-400',
      status: 'PENDING',
      order_year: '2021',
      sources: 'article-s400-turkey',
    });
  });

  it('names the file after the selection, with the content type of the format', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['graphml', '', /^application\/graphml\+xml/],
      ['gexf', 'buyer=TUR', /^application\/gexf\+xml/],
      ['cytoscape', 'around=TUR&depth=2', /^application\/json/],
      ['node-link', '', /^application\/json/],
      ['deals.csv', 'status=PENDING,DELIVERING', /^text\/csv/],
    ];
    const names: string[] = [];
    for (const [format, query, type] of cases) {
      const r = await exportText(format, query);
      expect(r.headers.get('content-type')).toMatch(type);
      names.push(r.headers.get('content-disposition') ?? '');
    }
    expect(names).toEqual([
      'attachment; filename="armsgraph-all.graphml"',
      'attachment; filename="armsgraph-deals-buyer-TUR.gexf"',
      'attachment; filename="armsgraph-around-TUR-depth-2.cytoscape.json"',
      'attachment; filename="armsgraph-all.node-link.json"',
      'attachment; filename="armsgraph-deals-PENDING_DELIVERING.deals.csv"',
    ]);
  });

  it('refuses bad requests with a coded JSON error, and honours the read token', async () => {
    const cases: Array<[string, number, string]> = [
      ['/export/pdf', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?buyers=TUR', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?around=TUR&depth=9', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?around=TUR&buyer=TUR', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?status=SOLD', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?orderedFrom=soon', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?category=Spaceships', 400, 'BAD_USER_INPUT'],
      ['/export/graphml?around=atlantis', 404, 'NOT_FOUND'],
      ['/export/gexf?buyer=atlantis', 404, 'NOT_FOUND'],
    ];
    for (const [url, status, code] of cases) {
      const r = await get(url, AUTH);
      expect([url, r.status, r.headers.get('content-type')]).toEqual([
        url,
        status,
        expect.stringMatching(/json/),
      ]);
      expect([
        url,
        (JSON.parse(r.text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      ]).toEqual([url, code]);
    }
    const anonymous = await get('/export/graphml');
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toMatch(/UNAUTHENTICATED/);
  });

  it('answers 503 DATABASE_UNAVAILABLE when Neo4j cannot be reached', async () => {
    const config = testConfig({ NEO4J_URI: 'bolt://127.0.0.1:9' });
    const driver = neo4j.driver('bolt://127.0.0.1:9', neo4j.auth.basic('neo4j', 'x'), {
      maxTransactionRetryTime: 500,
      connectionTimeout: 2000,
      logging: { level: 'error', logger: () => undefined },
    });
    const db = new Database(driver, {
      database: undefined,
      logger: silentLogger(),
      debugCypher: false,
      timeoutMs: 5000,
    });
    const app = await createApp({ config, db, logger: silentLogger() });
    const port = await app.listen(0, '127.0.0.1');
    try {
      for (const path of ['/export/graphml', '/export/deals.csv?buyer=TUR']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
        expect([path, res.status, body.errors[0]?.extensions.code]).toEqual([
          path,
          503,
          'DATABASE_UNAVAILABLE',
        ]);
      }
    } finally {
      await app.close();
      await db.close();
    }
  });
});
