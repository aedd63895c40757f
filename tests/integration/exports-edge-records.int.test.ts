import {
  declaredKeys,
  EDGE_RECORD,
  EDGE_ROW,
  kindKeys,
  NODE_ROW,
  wholeGraphStatements,
} from '../../src/db/export-queries';
import type { Database } from '../../src/db/database';
import type { Plain } from '../../src/db/mapper';
import { openTestDatabase, resetGraph } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

/**
 * The edge pass sends a source's edges as one record, a slice of at most EDGE_RECORD_MAX of them: a
 * dense source is split over several records, and together the records hold every edge once. The
 * node pass sends slices of at most NODE_RECORD_MAX nodes.
 */
describe('node and edge records', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
    await resetGraph(db);
    // Each deal has three edges between entities: buyer, seller, system.
    await writeSyntheticDeals(db, 5);
  });
  afterAll(async () => {
    await db.close();
  });

  it("splits a source's edges into slices of the record size, each edge once", async () => {
    const [expected] = await db.read(
      `MATCH (a:Entity)-[r]->(b:Entity) RETURN count(r) AS edges, count(DISTINCT a) AS sources`,
    );
    const statement = wholeGraphStatements().edges(kindKeys('edge', []), true);
    // A record size of 2 makes every deal (3 edges) a dense source.
    const records: { source: string; ids: string[] }[] = [];
    await db.streamRowsTx(
      [{ ...statement, params: { ...statement.params, exportEdgeMax: 2 } }],
      60_000,
      (_, row) => {
        const edges = row[EDGE_RECORD.edges] as Plain[][];
        records.push({
          source: row[EDGE_RECORD.source] as string,
          ids: edges.map((e) => e[EDGE_ROW.id] as string),
        });
      },
    );
    const ids = records.flatMap((r) => r.ids);
    expect(ids).toHaveLength(Number(expected?.edges));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Math.max(...records.map((r) => r.ids.length))).toBe(2);
    expect(Math.min(...records.map((r) => r.ids.length))).toBeGreaterThan(0);
    // Every deal's three edges arrive as a slice of two and a slice of one.
    const deals = records.filter((r) => r.source.startsWith('zdeal-'));
    expect(deals.map((r) => r.ids.length).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    // A source without edges sends no record.
    expect(new Set(records.map((r) => r.source)).size).toBe(Number(expected?.sources));
  });

  it('sends the nodes in slices of the record size, each node once', async () => {
    const [expected] = await db.read(
      `MATCH (n:Entity) WHERE coalesce(n.retired, false) = false RETURN count(n) AS nodes`,
    );
    for (const keys of [kindKeys('node', []), declaredKeys('node', ['name'])]) {
      const statement = wholeGraphStatements().nodes(keys);
      const records: string[][] = [];
      await db.streamRowsTx(
        [{ ...statement, params: { ...statement.params, exportNodeMax: 4 } }],
        60_000,
        (_, row) => void records.push((row as Plain[][]).map((n) => n[NODE_ROW.id] as string)),
      );
      const ids = records.flat();
      expect(ids).toHaveLength(Number(expected?.nodes));
      expect(new Set(ids).size).toBe(ids.length);
      // Every record full but the last.
      expect(records.slice(0, -1).every((r) => r.length === 4)).toBe(true);
      expect(records.at(-1)?.length).toBeGreaterThan(0);
      expect(records.length).toBe(Math.ceil(ids.length / 4));
    }
  });
});
