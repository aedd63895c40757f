import path from 'node:path';
import type { Database } from '../db/database';
import { refreshDealSlots } from '../db/deal-slots';
import { refreshTivRollups } from '../db/tiv-rollups';
import { mergeNodes, mergeRelations } from '../db/graph-writer';
import type { NodeLabel, RelationType } from '../model';
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
    for (const [label, nodes] of groupBy(plan.nodes, (n) => n.label))
      nodesCreated += await mergeNodes(db, tx, label as NodeLabel, nodes);
    for (const [type, rels] of groupBy(plan.relations, (r) => r.type)) {
      const rows = rels.map((r) => {
        const { sourceIds, ...props } = r.props;
        return { from: r.from, to: r.to, props, sourceIds: (sourceIds as string[] | undefined) ?? [] };
      });
      // A retirement stands when the seed is written again: the seed states facts, it does not revive them.
      relationsCreated += (await mergeRelations(db, tx, type as RelationType, rows, { revive: false }))
        .created;
    }
    // The seeded deals' page slots and TIV rollups, from the relationships and deliveries just written.
    const dealIds = plan.nodes.filter((n) => n.label === 'Deal').map((n) => n.id);
    await refreshDealSlots(db, tx, dealIds);
    await refreshTivRollups(db, tx, dealIds);
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
