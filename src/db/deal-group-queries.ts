import { badInput, notFound } from '../errors';
import type { Database } from './database';
import { resolveId } from './entities';
import { live } from './subgraph-queries';

/**
 * One entity's deals collapsed into groups, the way Bloom collapses relationships: one group per
 * partner (the other party of each deal) or per weapon system, with the number of deals and the TIV
 * delivered under them. A graph view draws one weighted edge per group instead of hundreds of deal
 * nodes, and opens a group into its deals (Query.deals with the group's filter) on demand.
 */
export type DealGroupBy = 'PARTNER' | 'SYSTEM';
export type DealRole = 'BUYER' | 'SELLER';

export interface DealGroup {
  /** `<role>:<entity id>`: unique within the answer. */
  key: string;
  /** The partner or the system. */
  entityId: string;
  /** The asked entity's role in these deals: BUYER when it bought them (from the partner). */
  role: DealRole;
  deals: number;
  tivDelivered: number;
  firstOrderYear: number | null;
  lastOrderYear: number | null;
}

export interface DealGroupsArgs {
  id: string;
  by?: DealGroupBy | null;
}

const GROUP_MATCH: Record<DealGroupBy, string> = {
  PARTNER: `MATCH (d)-[p:BUYER|SELLER]->(g:Entity) WHERE type(p) <> type(r) AND ${live('p')} AND ${live('g')}`,
  SYSTEM: `MATCH (d)-[p:COVERS]->(g:Entity) WHERE ${live('p')} AND ${live('g')}`,
};

/** Largest delivered TIV first, then most deals, then the most recent order. */
export async function dealGroups(db: Database, args: DealGroupsArgs): Promise<DealGroup[]> {
  const by = args.by ?? 'PARTNER';
  if (!(by in GROUP_MATCH)) throw badInput(`by must be PARTNER or SYSTEM`, { field: 'by', value: by });
  return db.readTx(async (tx) => {
    const id = await resolveId(db, args.id, undefined, tx);
    if (id === null) throw notFound(`No entity matches id "${args.id}"`, { field: 'id', value: args.id });
    const rows = await db.run(
      tx,
      `MATCH (e:Entity {id: $id})<-[r:BUYER|SELLER]-(d:Deal)
       WHERE ${live('r')} AND ${live('d')}
       ${GROUP_MATCH[by]}
       WITH g.id AS entityId, type(r) AS role, d
       WITH entityId, role, count(DISTINCT d) AS deals, sum(coalesce(toFloat(d.tivTotal), 0.0)) AS tiv,
            min(d.orderYear) AS firstYear, max(d.orderYear) AS lastYear
       RETURN entityId, role, deals, tiv, firstYear, lastYear
       ORDER BY tiv DESC, deals DESC, lastYear DESC, entityId`,
      { id },
    );
    return rows.map((r) => ({
      key: `${String(r.role)}:${String(r.entityId)}`,
      entityId: String(r.entityId),
      role: r.role as DealRole,
      deals: Number(r.deals),
      tivDelivered: Math.round(Number(r.tiv) * 1e6) / 1e6,
      firstOrderYear: r.firstYear === null || r.firstYear === undefined ? null : Number(r.firstYear),
      lastOrderYear: r.lastYear === null || r.lastYear === undefined ? null : Number(r.lastYear),
    }));
  });
}
