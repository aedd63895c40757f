import type { Database } from '../../src/db/database';
import { SeedError } from '../../src/seed/seed-plan';
import { seedGraph } from '../../src/seed/seeder';
import { editedSeed } from '../helpers/scratch-dir';
import { openTestDatabase, resetGraph } from '../helpers/test-app';

/** The graph's nodes and relationships; deal slots (an index the seeder derives) and the TIV rollups' marker (which resetGraph keeps) are not seed data. */
async function counts(db: Database) {
  const [row] = await db.read(
    'CALL () { MATCH (n) WHERE NOT n:DealSlot AND NOT n:TivRollupsBuilt RETURN count(n) AS nodes } CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels',
  );
  return row;
}

describe('seeding', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
    await resetGraph(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('writes the seed once, and a second run changes no counts', async () => {
    const first = await seedGraph(db);
    expect(first.nodesCreated).toBe(first.nodes);
    expect(first.relationsCreated).toBe(first.relations);
    const after1 = await counts(db);
    expect(after1).toEqual({ nodes: first.nodes, rels: first.relations });
    const second = await seedGraph(db);
    expect(second).toMatchObject({ nodesCreated: 0, relationsCreated: 0 });
    expect(await counts(db)).toEqual(after1);
  });

  it('stores years as integers, as the importer does (a float among them makes exports declare double)', async () => {
    await seedGraph(db);
    const rows = await db.read(
      `MATCH (n:Entity) WHERE n.orderYear IS NOT NULL OR n.founded IS NOT NULL
       RETURN n.id AS id, valueType(coalesce(n.orderYear, n.founded)) AS type ORDER BY id`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.type !== 'INTEGER NOT NULL')).toEqual([]);
  });

  it('writes nothing of a seed with one broken file', async () => {
    await resetGraph(db);
    const dir = editedSeed('relations.yaml', (t) => t.replace('status: CONSIDERED', 'status: MAYBE'));
    await expect(seedGraph(db, dir)).rejects.toThrow(SeedError);
    await expect(seedGraph(db, dir)).rejects.toThrow(/relations.yaml: sanctions\[0\]/);
    expect(await counts(db)).toEqual({ nodes: 0, rels: 0 });
  });
});
