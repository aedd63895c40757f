import {
  readCsv,
  readCytoscape,
  readGraphologyGexf,
  readGraphologyGraphml,
  readNetworkx,
} from '../helpers/export-readers';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

/** Deals in the synthetic graph: enough that every format spans many chunks of the stream. */
const DEALS = 5000;

describe('whole-graph exports of a larger synthetic graph', () => {
  let server: TestServer;
  let expected: { nodes: number; edges: number };

  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_RATE_LIMIT: '0' });
    await resetGraph(server.db);
    await writeSyntheticDeals(server.db, DEALS);
    const { body } = await server.gql<{ deals: { totalCount: number } }>('{ deals { totalCount } }');
    expect(body.data?.deals.totalCount).toBe(DEALS);
    // 5 countries, 4 systems, 1 source and the deals; each deal has a buyer, a seller and a system.
    expected = { nodes: DEALS + 10, edges: DEALS * 3 };
  });
  afterAll(async () => {
    await server.close();
  });

  const text = async (format: string) => {
    const res = await fetch(`${server.url}/export/${format}`);
    expect([format, res.status]).toEqual([format, 200]);
    return res.text();
  };

  it('reads back every node and edge in every format', async () => {
    const graphml = await text('graphml');
    const gexf = await text('gexf');
    const nodeLink = await text('node-link');
    const reads = [
      ['cytoscape', readCytoscape(await text('cytoscape'))],
      ['graphology-graphml', readGraphologyGraphml(graphml)],
      ['graphology-gexf', readGraphologyGexf(gexf)],
      ['networkx graphml', readNetworkx('graphml', graphml)],
      ['networkx gexf', readNetworkx('gexf', gexf)],
      ['networkx node-link', readNetworkx('node-link', nodeLink)],
    ] as const;
    for (const [reader, read] of reads) {
      expect([reader, read.nodes, read.edges]).toEqual([reader, expected.nodes, expected.edges]);
    }
    expect(readCsv(await text('nodes.csv'))).toHaveLength(expected.nodes);
    expect(readCsv(await text('edges.csv'))).toHaveLength(expected.edges);
    const deals = readCsv(await text('deals.csv'));
    expect(deals).toHaveLength(DEALS);
    expect(new Set(deals.map((d) => d.deal_id)).size).toBe(DEALS);
  });
});
