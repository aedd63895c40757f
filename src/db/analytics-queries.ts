import { badInput, notFound } from '../errors';
import type { Database } from './database';
import {
  keysParam,
  projectionFor,
  resolveId,
  toEntity,
  type EntityRecord,
  type PropertyKeys,
} from './entities';
import { inForceCypher } from './in-force';
import { int } from './integers';
import type { Plain } from './mapper';
import { NOT_TRANSFERRED } from '../model';
import { cypherList } from './cypher-text';
import { DEAL_ITEM } from './relation-queries';

export type TotalsBy = 'SUPPLIER' | 'RECIPIENT' | 'YEAR' | 'SYSTEM';

export const MAX_TOTALS = 500;

/**
 * How each grouping sums the deliveries `x` of deals `d` into groups `g` (an entity, or the delivery
 * year). An entity grouping sums per deal first, then reaches each deal's party once rather than
 * once per delivery (most deals deliver over several years): the same sums, a third fewer reads.
 */
const GROUP: Record<TotalsBy, string> = {
  SUPPLIER: byParty('(d)-[r:SELLER]->(g:Entity)'),
  RECIPIENT: byParty('(d)-[r:BUYER]->(g:Entity)'),
  SYSTEM: byParty('(d)-[r:COVERS]->(g:WeaponSystem)'),
  YEAR: 'WITH x.year AS g, sum(coalesce(x.tiv, 0.0)) AS tiv, count(DISTINCT d) AS deals',
};

function byParty(pattern: string): string {
  return `WITH d, sum(coalesce(x.tiv, 0.0)) AS dealTiv
     MATCH ${pattern} WHERE coalesce(r.retired, false) = false
     WITH g, sum(dealTiv) AS tiv, count(d) AS deals`;
}

export interface TransferTotalRow {
  key: string | number;
  /** The supplier, recipient or system itself (null for YEAR), so the API needs no second round trip. */
  entity: EntityRecord | null;
  tivDelivered: number;
  deals: number;
}

/**
 * SIPRI's TIV tables: the TIV of deliveries made in [from, to], summed per supplier, recipient,
 * system or year, largest first. Starts from the delivery-year index, so a period reads only its rows.
 */
export async function transferTotals(
  db: Database,
  by: TotalsBy,
  from: number | null | undefined,
  to: number | null | undefined,
  first: number,
  /** The properties of the supplier, recipient or system to bring; null: every one. */
  keys: PropertyKeys = null,
): Promise<TransferTotalRow[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_TOTALS)
    throw badInput(`first must be between 1 and ${MAX_TOTALS}`);
  if (from != null && to != null && from > to) throw badInput('deliveredFrom is after deliveredTo');
  const byYear = by === 'YEAR';
  const rows = await db.read(
    `// Retired deals and deliveries are few: found once by index, they spare reading a flag on every row.
     CALL () { MATCH (d:Deal) WHERE d.retired = true RETURN collect(d) AS goneDeals }
     CALL () { MATCH (x:Delivery) WHERE x.retired = true RETURN collect(x) AS goneDeliveries }
     MATCH (x:Delivery) WHERE x.year >= $from AND x.year <= $to AND NOT x IN goneDeliveries
     MATCH (d:Deal)-[:HAS_DELIVERY]->(x) WHERE NOT d IN goneDeals
     ${GROUP[by]}
     ORDER BY tiv DESC, ${byYear ? 'g' : 'g.id'} ASC LIMIT $first
     ${byYear ? 'RETURN g AS key, null AS e, tiv, deals' : `WITH g AS n, tiv, deals RETURN n.id AS key, ${projectionFor('n', keys)} AS e, tiv, deals`}`,
    { from: int(from ?? -1_000_000), to: int(to ?? 1_000_000), first: int(first), ...keysParam(keys) },
  );
  return rows.map((r) => ({
    key: r.key as string | number,
    entity: byYear ? null : toEntity(r.e ?? null, keys),
    tivDelivered: Number(r.tiv),
    deals: Number(r.deals),
  }));
}

export interface AllianceConflictRow {
  memberId: string;
  supplierId: string;
  deal: Record<string, Plain>;
}

/**
 * Members buying from states outside the alliance: the buyer was a member (not suspended) in the
 * deal's order year and the supplier was not a member at all in that year (in-force.ts: by year, so a
 * purchase from a state that joined during the order year never counts). Offers and cancelled deals
 * are not purchases. With an order-year range, deals without an order year are left out.
 */
export async function allianceConflicts(
  db: Database,
  alliance: string,
  orderedFrom?: number | null,
  orderedTo?: number | null,
): Promise<AllianceConflictRow[]> {
  if (orderedFrom != null && orderedTo != null && orderedFrom > orderedTo)
    throw badInput('orderedFrom is after orderedTo');
  const id = await resolveId(db, alliance, ['Alliance']);
  if (id === null) throw notFound(`No alliance matches "${alliance}"`);
  const ranged = orderedFrom != null || orderedTo != null;
  const rows = await db.read(
    `MATCH (a:Alliance {id: $id})<-[m:MEMBER_OF]-(c:Country)<-[rb:BUYER]-(d:Deal)-[rs:SELLER]->(s:Country)
     WHERE coalesce(d.retired, false) = false AND coalesce(rb.retired, false) = false AND coalesce(rs.retired, false) = false AND NOT d.status IN ${cypherList(NOT_TRANSFERRED)}
       AND coalesce(m.retired, false) = false AND coalesce(m.status, 'MEMBER') = 'MEMBER'
       ${ranged ? 'AND d.orderYear >= $from AND d.orderYear <= $to' : ''}
       AND (d.orderYear IS NULL OR ${inForceCypher('m', 'd.orderYear')})
       AND NOT EXISTS {
         MATCH (s)-[sm:MEMBER_OF]->(a)
         WHERE coalesce(sm.retired, false) = false AND (d.orderYear IS NULL OR ${inForceCypher('sm', 'd.orderYear')})
       }
     RETURN c.id AS memberId, s.id AS supplierId, ${DEAL_ITEM} AS deal
     ORDER BY d.orderYear, d.id`,
    { id, from: int(orderedFrom ?? -1_000_000), to: int(orderedTo ?? 1_000_000) },
  );
  return rows.map((r) => ({
    memberId: String(r.memberId),
    supplierId: String(r.supplierId),
    deal: r.deal as Record<string, Plain>,
  }));
}
