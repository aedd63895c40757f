import { openTestDatabase, resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';
import type { Database } from '../../src/db/database';

/**
 * GraphML, GEXF and the CSVs declare their attributes up front from key passes over the selection;
 * the keys read stay cached while the database's state (its bookmark) does not change. Every write,
 * by the service or by another client, must make the next export read them again: a property added
 * by a write is declared by the export after it.
 */
describe('exports reuse declared keys until the graph changes', () => {
  let server: TestServer;
  let other: Database;

  const exportOf = async (pathAndQuery: string) => {
    const before = server.db.statements;
    const res = await fetch(`${server.url}${pathAndQuery}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    return { text, statements: server.db.statements - before };
  };
  const timeless = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'GENERATED');

  beforeAll(async () => {
    server = await startTestServer();
    // Another client of the same database, as an import run from the CLI would be.
    other = await openTestDatabase();
    await resetGraph(server.db);
    await writeSyntheticDeals(server.db, 6);
  });
  afterAll(async () => {
    await other.close();
    await server.close();
  });

  it('skips the key passes of a graph that has not changed, with the same file', async () => {
    const first = await exportOf('/export/graphml');
    const second = await exportOf('/export/graphml');
    // The node and edge key passes are the two statements the second export did not send.
    expect(second.statements).toBe(first.statements - 2);
    expect(timeless(second.text)).toBe(timeless(first.text));
    // edges.csv reads the same edge keys as GraphML did: only the state's mark and the edge pass.
    const csv = await exportOf('/export/edges.csv');
    expect(csv.statements).toBe(2);
    expect(csv.text.split('\r\n')[0]).toBe('Source,Target,Type,Id,Label,sourceIds');
  });

  it("declares a property the service's own write added", async () => {
    await exportOf('/export/graphml');
    await server.db.write(
      `MATCH (d:Deal {id: 'zdeal-0001'})-[r:BUYER]->(b) SET r.confidence = 0.5, b.motto = 'Per aspera'`,
    );
    const after = await exportOf('/export/graphml');
    expect(after.text).toMatch(/<key id="e\d+" for="edge" attr.name="confidence" attr.type="double"\/>/);
    expect(after.text).toMatch(/<key id="d\d+" for="node" attr.name="motto" attr.type="string"\/>/);
    expect(after.text).toContain('>Per aspera</data>');
    expect(after.text).toContain('>0.5</data>');
    const header = (await exportOf('/export/edges.csv')).text.split('\r\n')[0];
    expect(header?.split(',')).toContain('confidence');
    const nodes = (await exportOf('/export/nodes.csv')).text.split('\r\n')[0];
    expect(nodes?.split(',')).toContain('motto');
  });

  it("declares a property another client's write added, and a type it widened", async () => {
    const before = await exportOf('/export/gexf');
    expect(before.text).not.toContain('title="origin"');
    await other.write(`MATCH (s:WeaponSystem {id: 'zsys-2'}) SET s.origin = 'elsewhere'`);
    const after = await exportOf('/export/gexf');
    expect(after.text).toMatch(/<attribute id="n\d+" title="origin" type="string"\/>/);
    expect(after.text).toContain('value="elsewhere"');
    // The edge property was a double; a string value of it makes the attribute a string.
    await other.write(`MATCH ()-[r:BUYER {confidence: 0.5}]->() SET r.confidence = 'high'`);
    const widened = await exportOf('/export/graphml');
    expect(widened.text).toMatch(/attr.name="confidence" attr.type="string"/);
    expect(widened.text).toContain('>high</data>');
  });

  it('never writes rows that a write committed after the keys were taken has changed', async () => {
    // The race made deterministic: another client's write commits right after the export has taken
    // the database's mark (and found the keys kept for it), before its node and edge passes read.
    const stateMark = server.db.stateMark.bind(server.db);
    let write: string | null = null;
    server.db.stateMark = async (timeoutMs?: number) => {
      const mark = await stateMark(timeoutMs);
      if (write) await other.write(write);
      write = null;
      return mark;
    };
    try {
      for (const [change, declared] of [
        // A key the kept keys lack, on an edge and on a node ...
        [`MATCH (:Deal {id: 'zdeal-0002'})-[r:SELLER]->() SET r.grade = 'A'`, /attr.name="grade"/],
        [`MATCH (n:Country {id: 'ZB1'}) SET n.founded = 1923`, /attr.name="founded"/],
        // ... and a value its declared type cannot hold (`tivTotal` is declared a long).
        [
          `MATCH (d:Deal {id: 'zdeal-0003'}) SET d.tivTotal = 'unknown'`,
          /attr.name="tivTotal" attr.type="string"/,
        ],
      ] as const) {
        await exportOf('/export/graphml');
        write = change;
        const res = await fetch(`${server.url}/export/graphml`);
        const text = await res.text();
        expect(write).toBeNull();
        // Refused with a code that says to export again, never a file that leaves the change out ...
        if (res.status !== 200) {
          expect(res.status).toBe(409);
          expect(
            (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
          ).toBe('CONFLICT_RETRY');
        } else expect(text).toMatch(declared);
        // ... and the next export declares it.
        expect((await exportOf('/export/graphml')).text).toMatch(declared);
      }
    } finally {
      server.db.stateMark = stateMark;
    }
  });

  it('keeps the keys of each selection apart', async () => {
    // The whole graph holds the motto (ZB1) and the origin (zsys-2); ZB0's deals reach neither.
    await exportOf('/export/graphml');
    const selected = await exportOf('/export/graphml?buyer=ZB0');
    expect(selected.text).not.toContain('attr.name="motto"');
    expect(selected.text).not.toContain('attr.name="origin"');
    expect(selected.text).toContain('attr.name="orderYear"');
    const again = await exportOf('/export/graphml?buyer=ZB0');
    expect(again.statements).toBe(selected.statements - 2);
    expect(timeless(again.text)).toBe(timeless(selected.text));
  });
});
