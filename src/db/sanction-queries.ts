import { badInput, notFound } from '../errors';
import type { Database } from './database';
import { resolveId } from './entities';
import type { EntityLabel } from './constraints';
import { inForceCypher } from './in-force';
import { int } from './integers';
import type { Plain } from './mapper';
import type { SanctionKind } from '../model';
import { DEAL_ITEM } from './relation-queries';

/** Sanctions and arms embargoes, and the deliveries SIPRI records while an embargo was in force. */

const live = (v: string) => `coalesce(${v}.retired, false) = false`;

/** A sanction as an item: as Country.sanctionsReceived returns it (relation-queries.ts). */
const SANCTION_ITEM = (r: string, by: string, target: string) =>
  `${r} { .*, sourceIds: coalesce(${r}.sourceIds, []), byId: ${by}.id, targetId: ${target}.id }`;

async function resolveOrFail(
  db: Database,
  input: string | null | undefined,
  labels: EntityLabel[],
  what: string,
): Promise<string | null> {
  if (input == null) return null;
  const id = await resolveId(db, input, labels);
  if (id === null) throw notFound(`No ${what} matches "${input}"`, { [what]: input });
  return id;
}

export interface SanctionFilter {
  target?: string | null;
  imposedBy?: string | null;
  kind?: SanctionKind | null;
  inForce?: number | null;
}

/**
 * The sanctions matching every filter given. A target also receives the sanctions on its own
 * organisations (CAATSA on Turkey's SSB reaches Turkey), as Country.sanctionsReceived does. `inForce`
 * keeps the sanctions imposed and holding in that year (in-force.ts).
 */
export async function findSanctions(db: Database, filter: SanctionFilter): Promise<Record<string, Plain>[]> {
  const target = await resolveOrFail(db, filter.target, ['Country', 'Organization'], 'target');
  const by = await resolveOrFail(db, filter.imposedBy, ['Country', 'Organization', 'Alliance'], 'imposedBy');
  const rows = await db.read(
    `MATCH (b:Entity)-[r:SANCTIONS]->(t:Entity)
     WHERE ${live('r')}
       AND ($by IS NULL OR b.id = $by)
       AND ($kind IS NULL OR coalesce(r.kind, 'OTHER') = $kind)
       AND ($year IS NULL OR (r.status = 'IMPOSED' AND ${inForceCypher('r', '$year')}))
       AND ($target IS NULL OR t.id = $target OR EXISTS { MATCH (t:Organization)-[:BASED_IN]->(:Country {id: $target}) })
     RETURN ${SANCTION_ITEM('r', 'b', 't')} AS item
     ORDER BY r.since, coalesce(r.id, r.key)`,
    { target, by, kind: filter.kind ?? null, year: int(filter.inForce) },
  );
  return rows.map((r) => r.item as Record<string, Plain>);
}

export const MAX_EMBARGO_PAGE = 500;

export interface EmbargoDeliveryFilter {
  target?: string | null;
  imposedBy?: string | null;
  supplier?: string | null;
  deliveredFrom?: number | null;
  deliveredTo?: number | null;
}

export interface EmbargoDeliveryRow {
  deal: Record<string, Plain>;
  year: number;
  tiv: number | null;
  embargo: Record<string, Plain>;
  supplierId: string;
  recipientId: string;
  /** Null when the supplier is not a state, or the imposer's members are not known to the graph. */
  supplierBound: boolean | null;
  /** What makes this row less than certain: partial years, partial embargoes, estimates. */
  caveats: string[];
  cursor: string;
}

interface EmbargoCursor {
  year: number;
  dealId: string;
  embargoId: string;
}

function encodeCursor(c: EmbargoCursor): string {
  return Buffer.from(JSON.stringify([c.year, c.dealId, c.embargoId])).toString('base64url');
}

function decodeCursor(text: string): EmbargoCursor {
  try {
    const p: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'string' && typeof p[2] === 'string')
      return { year: p[0], dealId: p[1], embargoId: p[2] };
  } catch {
    // fall through to the coded error
  }
  throw badInput('after is not a cursor this API issued', { after: text });
}

/**
 * Each SIPRI delivery to a target in a year when an arms embargo on it was in force, once per
 * embargo, in (year, deal, embargo) order, `first` at a time after the cursor. An embargo on
 * non-governmental forces covers deliveries to the armed groups SIPRI places in the target, not to
 * its government; a whole-state embargo covers both. Whether the supplier was bound: every state for
 * an imposer that binds all states (the UN Security Council), the alliance's members in the
 * delivery year (the EU), the imposing state itself for a national embargo.
 */
export async function deliveriesUnderEmbargo(
  db: Database,
  filter: EmbargoDeliveryFilter,
  first: number,
  after?: string | null,
): Promise<{ rows: EmbargoDeliveryRow[]; hasNextPage: boolean }> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_EMBARGO_PAGE)
    throw badInput(`first must be between 1 and ${MAX_EMBARGO_PAGE}`, { first });
  const { deliveredFrom: from, deliveredTo: to } = filter;
  if (from != null && to != null && from > to) throw badInput('deliveredFrom is after deliveredTo');
  const cursor = after ? decodeCursor(after) : null;
  const target = await resolveOrFail(db, filter.target, ['Country'], 'target');
  const by = await resolveOrFail(db, filter.imposedBy, ['Country', 'Organization', 'Alliance'], 'imposedBy');
  const supplier = await resolveOrFail(db, filter.supplier, ['Country', 'Organization'], 'supplier');
  const rows = await db.read(
    `MATCH (b:Entity)-[e:SANCTIONS]->(t:Country)
     WHERE e.kind = 'ARMS_EMBARGO' AND e.status = 'IMPOSED' AND ${live('e')}
       AND ($target IS NULL OR t.id = $target) AND ($by IS NULL OR b.id = $by)
     WITH b, e, t, coalesce(e.id, e.key) AS eid,
       CASE WHEN e.since IS NULL THEN -1000000 ELSE toInteger(left(e.since, 4)) END AS fromYear,
       CASE WHEN e.until IS NULL THEN 1000000 ELSE toInteger(left(e.until, 4)) END AS toYear
     CALL (e, t) {
       MATCH (d:Deal)-[:BUYER]->(t) WHERE coalesce(e.scope, 'WHOLE_STATE') <> 'NON_GOVERNMENTAL_FORCES'
       RETURN d, t AS recipient
       UNION
       MATCH (d:Deal)-[:BUYER]->(recipient:Organization {kind: 'non_state_group'}) WHERE recipient.countryId = t.id
       RETURN d, recipient
     }
     WITH b, e, t, eid, fromYear, toYear, d, recipient WHERE ${live('d')}
     MATCH (d)-[:SELLER]->(s:Entity) WHERE $supplier IS NULL OR s.id = $supplier
     MATCH (d)-[:HAS_DELIVERY]->(x:Delivery)
     WHERE ${live('x')} AND x.year >= fromYear AND x.year <= toYear AND x.year >= $from AND x.year <= $to
       AND ($cy IS NULL OR x.year > $cy OR (x.year = $cy AND (d.id > $cd OR (d.id = $cd AND eid > $ce))))
     WITH b, e, t, eid, fromYear, toYear, d, recipient, s, x
     ORDER BY x.year, d.id, eid
     LIMIT $limit
     RETURN ${DEAL_ITEM} AS deal, x.year AS year, x.tiv AS tiv, coalesce(x.yearEstimated, false) AS yearEstimated,
       ${SANCTION_ITEM('e', 'b', 't')} AS embargo, eid, s.id AS supplierId, recipient.id AS recipientId,
       x.year = fromYear AS firstYear, x.year = toYear AS lastYear,
       CASE
         WHEN NOT s:Country THEN null
         WHEN b.binds = 'all-states' THEN true
         WHEN b:Alliance THEN EXISTS {
           MATCH (s)-[m:MEMBER_OF]->(b) WHERE ${live('m')} AND ${inForceCypher('m', 'x.year')}
         }
         WHEN b:Country THEN s.id = b.id
         ELSE null
       END AS supplierBound`,
    {
      target,
      by,
      supplier,
      from: int(from ?? -1_000_000),
      to: int(to ?? 1_000_000),
      cy: int(cursor?.year),
      cd: cursor?.dealId ?? '',
      ce: cursor?.embargoId ?? '',
      limit: int(first + 1),
    },
  );
  const page = rows.slice(0, first).map((r): EmbargoDeliveryRow => {
    const embargo = r.embargo as Record<string, Plain>;
    const year = Number(r.year);
    return {
      deal: r.deal as Record<string, Plain>,
      year,
      tiv: typeof r.tiv === 'number' ? r.tiv : null,
      embargo,
      supplierId: String(r.supplierId),
      recipientId: String(r.recipientId),
      supplierBound: typeof r.supplierBound === 'boolean' ? r.supplierBound : null,
      caveats: caveats(embargo, r.firstYear === true, r.lastYear === true, r.yearEstimated === true),
      cursor: encodeCursor({ year, dealId: String((r.deal as { id: string }).id), embargoId: String(r.eid) }),
    };
  });
  return { rows: page, hasNextPage: rows.length > first };
}

/** SIPRI dates deliveries by year only, so a delivery in an embargo's first or last year may fall outside it. */
function caveats(
  embargo: Record<string, Plain>,
  firstYear: boolean,
  lastYear: boolean,
  yearEstimated: boolean,
) {
  const out: string[] = [];
  if (firstYear) out.push(`the embargo began on ${String(embargo.since)}: the delivery may precede it`);
  if (lastYear) out.push(`the embargo ended on ${String(embargo.until)}: the delivery may follow it`);
  if (typeof embargo.items === 'string') out.push(`the embargo covers only: ${embargo.items}`);
  if (embargo.estimate === true)
    out.push(`the embargo's record is partly an estimate: ${String(embargo.note)}`);
  if (yearEstimated) out.push("the delivery year is SIPRI's estimate");
  return out;
}
