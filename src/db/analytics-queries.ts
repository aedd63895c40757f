import { badInput, notFound } from '../errors';
import type { Database } from './database';
import { resolveId } from './entities';
import { inForceCypher } from './in-force';
import { int } from './integers';
import type { Plain } from './mapper';
import { NOT_TRANSFERRED } from '../model';
import { cypherList } from './cypher-text';
import { DEAL_ITEM } from './relation-queries';

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
