import { notFound } from '../errors';
import type { Database } from './database';
import { resolveId } from './entities';
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
 * Members buying from states outside the alliance: the buyer was a member in the order year and the
 * supplier was not (membership dates are compared by year). Offers and cancelled deals are not purchases.
 */
export async function allianceConflicts(db: Database, alliance: string): Promise<AllianceConflictRow[]> {
  const id = await resolveId(db, alliance, ['Alliance']);
  if (id === null) throw notFound(`No alliance matches "${alliance}"`);
  const rows = await db.read(
    `MATCH (a:Alliance {id: $id})<-[m:MEMBER_OF]-(c:Country)<-[rb:BUYER]-(d:Deal)-[rs:SELLER]->(s:Country)
     WHERE coalesce(d.retired, false) = false AND coalesce(rb.retired, false) = false AND coalesce(rs.retired, false) = false AND NOT d.status IN ${cypherList(NOT_TRANSFERRED)}
       AND coalesce(m.retired, false) = false
       AND (m.since IS NULL OR d.orderYear IS NULL OR toInteger(left(m.since, 4)) <= d.orderYear)
       AND (m.until IS NULL OR d.orderYear IS NULL OR toInteger(left(m.until, 4)) >= d.orderYear)
       AND NOT EXISTS {
         MATCH (s)-[sm:MEMBER_OF]->(a)
         WHERE coalesce(sm.retired, false) = false
           AND (sm.since IS NULL OR d.orderYear IS NULL OR toInteger(left(sm.since, 4)) <= d.orderYear)
           AND (sm.until IS NULL OR d.orderYear IS NULL OR toInteger(left(sm.until, 4)) >= d.orderYear)
       }
     RETURN c.id AS memberId, s.id AS supplierId, ${DEAL_ITEM} AS deal
     ORDER BY d.orderYear, d.id`,
    { id },
  );
  return rows.map((r) => ({
    memberId: String(r.memberId),
    supplierId: String(r.supplierId),
    deal: r.deal as Record<string, Plain>,
  }));
}
