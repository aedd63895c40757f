import path from 'node:path';
import type { Database } from '../db/database';
import { refreshDealSlots } from '../db/deal-slots';
import { projectRoot } from '../project-root';
import { loadSeedPlan, type SeedPlan } from './seed-plan';

export interface SeedReport {
  files: string[];
  nodes: number;
  relations: number;
  /** Nodes and relationships created by this run (0 on a re-run: seeding is idempotent). */
  nodesCreated: number;
  relationsCreated: number;
}

export const DEFAULT_SEED_DIR = () => path.join(projectRoot(), 'seed');

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

const SEED_TIMEOUT_MS = 300_000;

/** Writes a validated plan in ONE transaction: all of it or nothing. */
export async function writeSeedPlan(db: Database, plan: SeedPlan): Promise<SeedReport> {
  // A start-up job, not an API request: it gets minutes, not the per-request query timeout.
  return db.writeTx(async (tx) => {
    let nodesCreated = 0;
    let relationsCreated = 0;
    for (const [label, nodes] of groupBy(plan.nodes, (n) => n.label)) {
      // Labels come from our own closed list (never from the files' text), so they may be spliced in.
      const onCreate = label === 'Claim' ? 'n.created = true' : 'n:Entity, n.created = true';
      const rows = await db.run(
        tx,
        `UNWIND $rows AS row
         MERGE (n:${label} {id: row.id})
         ON CREATE SET ${onCreate}
         WITH n, row, coalesce(n.created, false) AS created
         REMOVE n.created
         SET n += row.props
         RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created`,
        { rows: nodes.map((n) => ({ id: n.id, props: n.props })) },
      );
      nodesCreated += Number(rows[0]?.created ?? 0);
    }
    for (const [type, rels] of groupBy(plan.relations, (r) => r.type)) {
      const target = type === 'HAS_CLAIM' ? 'Claim' : 'Entity';
      const rows = await db.run(
        tx,
        `UNWIND $rows AS row
         MATCH (a:Entity {id: row.from})
         MATCH (b:${target} {id: row.to})
         MERGE (a)-[r:${type} {key: row.key}]->(b)
         ON CREATE SET r.created = true
         WITH r, row, coalesce(r.created, false) AS created
         REMOVE r.created
         SET r += row.props
         RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created`,
        { rows: rels.map((r) => ({ from: r.from, to: r.to, key: r.key, props: r.props })) },
      );
      relationsCreated += Number(rows[0]?.created ?? 0);
    }
    // The seeded deals' page slots, from the relationships just written.
    await refreshDealSlots(
      db,
      tx,
      plan.nodes.filter((n) => n.label === 'Deal').map((n) => n.id),
    );
    return {
      files: plan.files,
      nodes: plan.nodes.length,
      relations: plan.relations.length,
      nodesCreated,
      relationsCreated,
    };
  }, SEED_TIMEOUT_MS);
}

/** Validates the seed folder (nothing is written if any file is broken), then writes it whole. */
export async function seedGraph(db: Database, dir: string = DEFAULT_SEED_DIR()): Promise<SeedReport> {
  return writeSeedPlan(db, loadSeedPlan(dir));
}

/** True when the graph holds no entity yet: `npm start` seeds only then. */
export async function graphIsEmpty(db: Database): Promise<boolean> {
  const rows = await db.read('MATCH (n:Entity) RETURN count(n) > 0 AS any');
  return rows[0]?.any !== true;
}
