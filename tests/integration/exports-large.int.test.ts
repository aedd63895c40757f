import {
  readCsv,
  readCytoscape,
  readGraphologyGexf,
  readGraphologyGraphml,
  readNetworkx,
} from '../helpers/export-readers';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

/** Polls a condition (at most 30 s): a wait for the server to catch up, not a timing assertion. */
async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
    // Download everything first, then read: long pauses between requests would race the HTTP
    // keep-alive timeout of the client's pooled connection.
    const files = new Map<string, string>();
    for (const format of ['cytoscape', 'graphml', 'gexf', 'node-link', 'nodes.csv', 'edges.csv', 'deals.csv'])
      files.set(format, await text(format));
    const file = (format: string) => files.get(format) ?? '';
    const reads = [
      ['cytoscape', readCytoscape(file('cytoscape'))],
      ['graphology-graphml', readGraphologyGraphml(file('graphml'))],
      ['graphology-gexf', readGraphologyGexf(file('gexf'))],
      ['networkx graphml', readNetworkx('graphml', file('graphml'))],
      ['networkx gexf', readNetworkx('gexf', file('gexf'))],
      ['networkx node-link', readNetworkx('node-link', file('node-link'))],
    ] as const;
    for (const [reader, read] of reads) {
      expect([reader, read.nodes, read.edges]).toEqual([reader, expected.nodes, expected.edges]);
    }
    expect(readCsv(file('nodes.csv'))).toHaveLength(expected.nodes);
    expect(readCsv(file('edges.csv'))).toHaveLength(expected.edges);
    const deals = readCsv(file('deals.csv'));
    expect(deals).toHaveLength(DEALS);
    expect(new Set(deals.map((d) => d.deal_id)).size).toBe(DEALS);
  });

  it('stops reading Neo4j when the client goes away mid-export', async () => {
    const exportTx = async () =>
      (
        await server.db.read(
          // The pattern is a parameter so that this query's own text does not match it.
          `SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $pattern RETURN count(*) AS n`,
          { pattern: 'MATCH (a)-[r]->(b:Entity)' },
        )
      )[0]?.n;
    const abort = new AbortController();
    const res = await fetch(`${server.url}/export/graphml`, { signal: abort.signal });
    const reader = res.body!.getReader();
    // Read the beginning, then stop reading: the export waits on the socket (backpressure) ...
    let received = 0;
    while (received < 256 * 1024) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBeGreaterThanOrEqual(256 * 1024);
    // ... with its read transaction still open, streaming edges.
    await waitFor(async () => (await exportTx()) === 1, 'the export transaction to be running');
    abort.abort();
    // Going away ends it: the transaction is rolled back and the session released.
    await waitFor(async () => (await exportTx()) === 0, 'the export transaction to end');
    const again = await fetch(`${server.url}/export/edges.csv`);
    expect(readCsv(await again.text())).toHaveLength(expected.edges);
  });
});
