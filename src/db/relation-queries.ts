import type { Database, Row } from './database';
import { dealPartyIds } from './entities';
import type { Plain } from './mapper';
import { RELEASE_SOURCE_PREFIX } from './release-writes';
import { NOT_TRANSFERRED } from '../model';
import { cypherList } from './cypher-text';

/**
 * Batched queries behind the object fields of the API (Country.purchases, Deal.deliveries, ...).
 * Each takes `$ids` (the owners) and returns rows `{ owner, item }`, so one statement serves every
 * object of a request at that level (no N+1). Retired facts are left out.
 */

const live = (v: string) => `coalesce(${v}.retired, false) = false`;

/** How a deal is projected wherever it is returned: its properties, its parties and its system. */
export const DEAL_ITEM = `d { .*, __typename: 'Deal', ${dealPartyIds('d')} }`;

/** Most deals one object lists (Country.purchases and the like); `first` above it is refused. */
export const MAX_RELATED_DEALS = 500;

/** A relationship as an item: its properties, its provenance, and the ids of what it links. */
const rel = (r: string, ids: string) => `${r} { .*, sourceIds: coalesce(${r}.sourceIds, []), ${ids} }`;

export const RELATION_QUERIES = {
  memberships: `UNWIND $ids AS id MATCH (c:Country {id: id})-[r:MEMBER_OF]->(a:Alliance) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'allianceId: a.id, memberId: c.id')} AS item ORDER BY r.since`,
  members: `UNWIND $ids AS id MATCH (c:Country)-[r:MEMBER_OF]->(a:Alliance {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'allianceId: a.id, memberId: c.id')} AS item ORDER BY c.id`,
  purchases: `UNWIND $ids AS id MATCH (:Entity {id: id})<-[r:BUYER]-(d:Deal) WHERE ${live('d')} AND ${live('r')}
    WITH id, d ORDER BY d.orderYear DESC, d.id
    WITH id, collect(d)[..${MAX_RELATED_DEALS}] AS deals UNWIND deals AS d
    RETURN id AS owner, ${DEAL_ITEM} AS item`,
  sales: `UNWIND $ids AS id MATCH (:Entity {id: id})<-[r:SELLER]-(d:Deal) WHERE ${live('d')} AND ${live('r')}
    WITH id, d ORDER BY d.orderYear DESC, d.id
    WITH id, collect(d)[..${MAX_RELATED_DEALS}] AS deals UNWIND deals AS d
    RETURN id AS owner, ${DEAL_ITEM} AS item`,
  systemDeals: `UNWIND $ids AS id MATCH (:WeaponSystem {id: id})<-[r:COVERS]-(d:Deal) WHERE ${live('d')} AND ${live('r')}
    WITH id, d ORDER BY d.orderYear, d.id
    WITH id, collect(d)[..${MAX_RELATED_DEALS}] AS deals UNWIND deals AS d
    RETURN id AS owner, ${DEAL_ITEM} AS item`,
  operators: `UNWIND $ids AS id MATCH (:WeaponSystem {id: id})<-[rw:COVERS]-(d:Deal)-[rb:BUYER]->(c:Country)
    WHERE ${live('d')} AND ${live('rw')} AND ${live('rb')} AND NOT d.status IN ${cypherList(NOT_TRANSFERRED)}
    WITH DISTINCT id, c ORDER BY c.name RETURN id AS owner, c.id AS item`,
  exclusions: `UNWIND $ids AS id MATCH (c:Country {id: id})-[r:EXCLUDED_FROM]->(p:Program) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'programId: p.id, countryId: c.id')} AS item ORDER BY r.date`,
  programExclusions: `UNWIND $ids AS id MATCH (c:Country)-[r:EXCLUDED_FROM]->(p:Program {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'programId: p.id, countryId: c.id')} AS item ORDER BY r.date`,
  causedExclusions: `UNWIND $ids AS id MATCH (c:Country)-[r:EXCLUDED_FROM]->(p:Program) WHERE r.causeDealId = id AND ${live('r')}
    RETURN id AS owner, ${rel('r', 'programId: p.id, countryId: c.id')} AS item`,
  // A country also "receives" the sanctions imposed on its own organisations (CAATSA on Turkey's SSB).
  sanctionsReceived: `UNWIND $ids AS id MATCH (t:Entity {id: id})
    CALL (t) {
      MATCH (s:Entity)-[r:SANCTIONS]->(t) RETURN s, r, t AS target
      UNION
      MATCH (s:Entity)-[r:SANCTIONS]->(o:Organization)-[:BASED_IN]->(t) RETURN s, r, o AS target
    }
    WITH id, s, r, target WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'byId: s.id, targetId: target.id')} AS item ORDER BY r.since`,
  sanctionsImposed: `UNWIND $ids AS id MATCH (s:Entity {id: id})-[r:SANCTIONS]->(t:Entity) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'byId: s.id, targetId: t.id')} AS item ORDER BY r.since`,
  causedSanctions: `UNWIND $ids AS id MATCH (s:Entity)-[r:SANCTIONS]->(t:Entity) WHERE r.causeDealId = id AND ${live('r')}
    RETURN id AS owner, ${rel('r', 'byId: s.id, targetId: t.id')} AS item ORDER BY r.since`,
  participations: `UNWIND $ids AS id MATCH (e:Entity {id: id})-[r:PARTICIPATES_IN]->(p:Program) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'programId: p.id, participantId: e.id')} AS item`,
  participants: `UNWIND $ids AS id MATCH (e:Entity)-[r:PARTICIPATES_IN]->(p:Program {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'programId: p.id, participantId: e.id')} AS item ORDER BY e.id`,
  interests: `UNWIND $ids AS id MATCH (c:Country {id: id})-[r:INTERESTED_IN]->(w:WeaponSystem) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'countryId: c.id, systemId: w.id')} AS item ORDER BY w.id`,
  interestedCountries: `UNWIND $ids AS id MATCH (c:Country)-[r:INTERESTED_IN]->(w:WeaponSystem {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'countryId: c.id, systemId: w.id')} AS item ORDER BY c.name`,
  makers: `UNWIND $ids AS id MATCH (:WeaponSystem {id: id})-[r:MADE_BY]->(o:Organization) WHERE ${live('r')}
    RETURN id AS owner, o.id AS item`,
  origin: `UNWIND $ids AS id MATCH (:WeaponSystem {id: id})-[r:ORIGIN]->(c:Country) WHERE ${live('r')}
    RETURN id AS owner, c.id AS item`,
  leader: `UNWIND $ids AS id MATCH (:Program {id: id})-[r:LED_BY]->(c:Country) WHERE ${live('r')}
    RETURN id AS owner, c.id AS item`,
  develops: `UNWIND $ids AS id MATCH (:Program {id: id})-[r:DEVELOPS]->(w:WeaponSystem) WHERE ${live('r')}
    RETURN id AS owner, w.id AS item`,
  basedIn: `UNWIND $ids AS id MATCH (:Organization {id: id})-[r:BASED_IN]->(c:Country) WHERE ${live('r')}
    RETURN id AS owner, c.id AS item`,
  dealParties: `UNWIND $ids AS id MATCH (d:Deal {id: id}) RETURN id AS owner, ${DEAL_ITEM} AS item`,
  deliveries: `UNWIND $ids AS id MATCH (:Deal {id: id})-[:HAS_DELIVERY]->(x:Delivery) WHERE ${live('x')}
    RETURN id AS owner, x { .*, sourceIds: coalesce(x.sourceIds, []) } AS item ORDER BY x.year`,
  // Each SIPRI release's record of a deal, with that release's scope (src/db/release-diff.ts).
  sipriRecords: `UNWIND $ids AS id MATCH (:Deal {id: id})-[:HAS_RECORD]->(r:SipriRecord)
    OPTIONAL MATCH (s:Source {id: '${RELEASE_SOURCE_PREFIX}' + r.release})
    RETURN id AS owner, r { .*, scopeFrom: s.scopeFrom, scopeTo: s.scopeTo } AS item ORDER BY r.release`,
  claims: `UNWIND $ids AS id MATCH (:Entity {id: id})-[:HAS_CLAIM]->(c:Claim) WHERE ${live('c')}
    RETURN id AS owner, c { .*, sourceIds: coalesce(c.sourceIds, []) } AS item ORDER BY c.field, c.id`,
  announcements: `UNWIND $ids AS id MATCH (p:Person)-[r:ANNOUNCED]->(d:Deal {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'personId: p.id, dealId: d.id')} AS item`,
  personAnnouncements: `UNWIND $ids AS id MATCH (p:Person {id: id})-[r:ANNOUNCED]->(d:Deal) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'personId: p.id, dealId: d.id')} AS item`,
  objections: `UNWIND $ids AS id MATCH (e:Entity)-[r:OBJECTED_TO]->(d:Deal {id: id}) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'byId: e.id, dealId: d.id')} AS item ORDER BY e.id`,
  offices: `UNWIND $ids AS id MATCH (p:Person {id: id})-[r:HOLDS_OFFICE]->(o:Entity) WHERE ${live('r')}
    RETURN id AS owner, ${rel('r', 'personId: p.id, ofId: o.id')} AS item`,
} as const;

export type RelationQuery = keyof typeof RELATION_QUERIES;

/** Runs one relation query for many owners and groups the items by owner, in the order asked. */
export async function relatedBatch(
  db: Database,
  name: RelationQuery,
  ids: readonly string[],
): Promise<Plain[][]> {
  const rows: Row[] = await db.read(RELATION_QUERIES[name], { ids: [...new Set(ids)] });
  const byOwner = new Map<string, Plain[]>();
  for (const row of rows) {
    const owner = row.owner as string;
    const list = byOwner.get(owner) ?? [];
    list.push(row.item ?? null);
    byOwner.set(owner, list);
  }
  return ids.map((id) => byOwner.get(id) ?? []);
}
