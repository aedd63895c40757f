import { canonicalCategory } from './categories';
import type { Database } from './database';
import {
  dealPartyIds,
  keysParam,
  projectionFor,
  propsFromValues,
  type PropertyKeys,
  resolveCypher,
  resolveId,
  resolveParams,
  toEntities,
  type EntityRecord,
} from './entities';
import type { Plain } from './mapper';
import { DEAL_ITEM } from './relation-queries';
import { badInput, notFound } from '../errors';
import { int, type Integer } from './integers';
import { NO_YEAR } from './deal-slots';
import { LIVE_DELIVERY } from './tiv-rollups';
import { SIPRI_STATUS, type DealCondition } from '../model';
import { DEAL_PARTY_PATTERN } from '../model';

export type { DealStatus } from '../model';
import type { DealStatus } from '../model';
export type DealOrderBy = 'ORDER_YEAR_ASC' | 'ORDER_YEAR_DESC' | 'TIV_DELIVERED_DESC' | 'ID_ASC';

export interface DealFilter {
  buyer?: string | null;
  seller?: string | null;
  system?: string | null;
  status?: DealStatus[] | null;
  category?: string | null;
  orderedFrom?: number | null;
  orderedTo?: number | null;
  source?: string | null;
  /** Deals with live deliveries in these years (either end open). */
  deliveredFrom?: number | null;
  deliveredTo?: number | null;
  condition?: DealCondition[] | null;
  localProduction?: boolean | null;
}

export const MAX_DEAL_PAGE = 500;

/** Sort key per ordering: missing values sort last; ties broken by id so cursors are total. */
const NULL_KEY_ASC = 999999;
const NULL_KEY_DESC = -1;
const ORDER: Record<DealOrderBy, { key: string; dir: 'ASC' | 'DESC' }> = {
  ORDER_YEAR_ASC: { key: `coalesce(d.orderYear, ${NULL_KEY_ASC})`, dir: 'ASC' },
  ORDER_YEAR_DESC: { key: `coalesce(d.orderYear, ${NULL_KEY_DESC})`, dir: 'DESC' },
  TIV_DELIVERED_DESC: { key: 'coalesce(toFloat(d.tivTotal), -1.0)', dir: 'DESC' },
  ID_ASC: { key: '0', dir: 'ASC' },
};

interface Cursor {
  k: number;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.k, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { k: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the coded error
  }
  throw badInput('after is not a cursor this API issued', { after: text });
}

/**
 * The filters that name a party: what the name may resolve to, and the relationship (and the label of
 * its end) a deal reaches it by. In anchor order: the first one given starts a page's MATCH.
 */
const PARTY_FILTERS = [
  { field: 'buyer', labels: ['Country', 'Organization'], role: 'BUYER', node: 'Entity' },
  { field: 'seller', labels: ['Country', 'Organization'], role: 'SELLER', node: 'Entity' },
  { field: 'system', labels: ['WeaponSystem'], role: 'COVERS', node: 'WeaponSystem' },
] as const;

/** A family's deals are its variants' too (F-35 reaches F-35A and F-35B deals): one VARIANT_OF step. */
const familyStep = (p: { field: string }) =>
  p.field === 'system' ? '<-[:VARIANT_OF*0..1]-(:WeaponSystem)' : '';
type PartyFilter = (typeof PARTY_FILTERS)[number];

/** The deals `d` that reach the party whose id is the Cypher expression `id`. */
const partyMatch = (p: PartyFilter, id: string) =>
  `MATCH (:${p.node} {id: ${id}})${familyStep(p)}<-[${p.field}Rel:${p.role} WHERE coalesce(${p.field}Rel.retired, false) = false]-(d:Deal)`;

/** Whether `d` reaches the party the page statement resolved into `<field>Id`. */
const partyExists = (p: PartyFilter) =>
  `EXISTS { (:${p.node} {id: ${p.field}Id})${familyStep(p)}<-[r:${p.role}]-(d) WHERE coalesce(r.retired, false) = false }`;

/** Checks the filter's plain values; names (buyer, seller, system) are resolved inside the page query. */
function checkFilter(filter: DealFilter) {
  let category: string | null = null;
  if (filter.category !== undefined && filter.category !== null) {
    category = canonicalCategory(filter.category) ?? null;
    if (!category)
      throw badInput(`"${filter.category}" is not a SIPRI armament category`, { field: 'category' });
  }
  if (filter.orderedFrom != null && filter.orderedTo != null && filter.orderedFrom > filter.orderedTo) {
    throw badInput('orderedFrom is after orderedTo');
  }
  if (
    filter.deliveredFrom != null &&
    filter.deliveredTo != null &&
    filter.deliveredFrom > filter.deliveredTo
  ) {
    throw badInput('deliveredFrom is after deliveredTo');
  }
  const delivered = filter.deliveredFrom != null || filter.deliveredTo != null;
  return {
    delivered,
    deliveredFrom: int(delivered ? (filter.deliveredFrom ?? 0) : null),
    deliveredTo: int(delivered ? (filter.deliveredTo ?? 9999) : null),
    condition:
      filter.condition && filter.condition.length > 0 ? filter.condition.map((c) => SIPRI_STATUS[c]) : null,
    localProduction: filter.localProduction ?? null,
    status: filter.status && filter.status.length > 0 ? filter.status : null,
    category,
    orderedFrom: filter.orderedFrom ?? null,
    orderedTo: filter.orderedTo ?? null,
    source: filter.source ?? null,
  };
}

/** Resolves the filter's names to ids; a name that matches nothing is NOT_FOUND, not an empty page. */
export async function resolveDealFilter(db: Database, filter: DealFilter) {
  const resolve = async (field: 'buyer' | 'seller' | 'system', kinds: Parameters<typeof resolveId>[2]) => {
    const input = filter[field];
    if (input === undefined || input === null) return null;
    const id = await resolveId(db, input, kinds);
    if (id === null) throw notFound(`No entity matches ${field} "${input}"`, { field, value: input });
    return id;
  };
  const checked = checkFilter(filter);
  return {
    buyer: await resolve('buyer', ['Country', 'Organization']),
    seller: await resolve('seller', ['Country', 'Organization']),
    system: await resolve('system', ['WeaponSystem']),
    ...checked,
  };
}

/** The parameters resolveDealFilter returns: what dealWhere and dealAnchor read. */
export type ResolvedDealFilter = Awaited<ReturnType<typeof resolveDealFilter>>;

/**
 * The filter as a Cypher condition on the deal variable `v` (parameters from resolveDealFilter), so
 * the exports select exactly the deals Query.deals does. `v` is a constant of the caller's. Its own
 * variables (party, hd, x) must not be the caller's: an export's edge statement binds `r`.
 */
export function dealWhere(v: string): string {
  return `coalesce(${v}.retired, false) = false
      AND ($buyer IS NULL OR EXISTS { (${v})-[party:BUYER]->(:Entity {id: $buyer}) WHERE coalesce(party.retired, false) = false })
      AND ($seller IS NULL OR EXISTS { (${v})-[party:SELLER]->(:Entity {id: $seller}) WHERE coalesce(party.retired, false) = false })
      AND ($system IS NULL OR EXISTS { (${v})-[party:COVERS]->(:WeaponSystem)-[:VARIANT_OF*0..1]->(:WeaponSystem {id: $system}) WHERE coalesce(party.retired, false) = false })
      AND ($status IS NULL OR ${v}.status IN $status)
      AND ($category IS NULL OR ${v}.category = $category)
      AND ($orderedFrom IS NULL OR ${v}.orderYear >= $orderedFrom)
      AND ($orderedTo IS NULL OR ${v}.orderYear <= $orderedTo)
      AND ($source IS NULL OR $source IN ${v}.sourceIds)
      AND ($condition IS NULL OR ${v}.sipriStatus IN $condition)
      AND ($localProduction IS NULL OR ${v}.localProduction = $localProduction)
      AND (NOT $delivered OR ${deliveredIn(v)})`;
}

/** Whether deal `v` has a live delivery in [$deliveredFrom, $deliveredTo]. */
const deliveredIn = (v: string) => `EXISTS {
  MATCH ${LIVE_DELIVERY(v, 'x')} AND x.year >= $deliveredFrom AND x.year <= $deliveredTo }`;

/** The MATCH that starts from the most selective anchor given (buyer, seller or system), binding `d`. */
export function dealAnchor(f: ResolvedDealFilter): string {
  // The anchor is chosen from which filters are present, never from their text.
  const lead = PARTY_FILTERS.find((p) => f[p.field]);
  return lead ? partyMatch(lead, `$${lead.field}`) : 'MATCH (d:Deal)';
}

/**
 * A page in order-year order that reads about a page of index entries, however many deals match:
 * the years are walked one at a time in page order (from the cursor's), and each year's deals are
 * read in id order from an index, each year stopping at the page's size. With a buyer, seller or
 * system the index is the deal slots' (role, partyId, sortYear, dealId), otherwise the deals' own
 * (orderYear, id). Deals without an order year come last in both orders (ORDER's coalesce): the slots
 * hold them as year -1; without a party they are read (by label, in id order) only when the page
 * reaches them. Binds `d` and `k` (the sort key the cursor carries), at most $limit rows, in order.
 */
function yearOrderedSelect(
  asc: boolean,
  where: string,
  hasYear: boolean,
  /** The party filter the page starts from (PARTY_FILTERS' first given), if any. */
  anchor: PartyFilter | undefined,
  imports: string,
): string {
  const step = asc ? 1 : -1;
  const nullKey = asc ? NULL_KEY_ASC : NULL_KEY_DESC;
  // Years from the cursor's on (a cursor among the deals without a year has no years left).
  const fromCursor = `($cursorYear IS NULL OR ($cursorYear <> ${NO_YEAR} AND y ${asc ? '>=' : '<='} $cursorYear))`;
  const lowerId = `CASE WHEN y = $cursorYear THEN $afterId ELSE '' END`;
  if (anchor) {
    const party = `${anchor.field}Id`;
    const slot = `s.role = '${anchor.role}' AND s.partyId = ${party}`;
    const bound = (order: 'ASC' | 'DESC', name: string) =>
      `CALL (${party}) {
         MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
         WHERE ${slot} AND s.sortYear >= $yearFrom AND s.sortYear <= $yearTo AND s.dealId IS NOT NULL
         WITH s ORDER BY s.role ${order}, s.partyId ${order}, s.sortYear ${order} LIMIT 1
         RETURN collect(s.sortYear)[0] AS ${name}
       }`;
    return `${bound('ASC', 'lo')}
       ${bound('DESC', 'hi')}
       WITH ${imports}, [y IN CASE WHEN lo IS NULL THEN [] ELSE range(${asc ? 'lo, hi' : 'hi, lo'}, ${step}) END
         WHERE ${fromCursor}] + ${hasYear ? '[]' : `[${NO_YEAR}]`} AS years
       UNWIND years AS y
       CALL (${imports}, y) {
         MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
         WHERE ${slot} AND s.sortYear = y AND s.dealId > ${lowerId}
         MATCH (d:Deal {id: s.dealId}) ${where}
         WITH d, s ORDER BY s.role, s.partyId, s.sortYear, s.dealId LIMIT $limit
         RETURN d
       }
       WITH d, CASE WHEN y = ${NO_YEAR} THEN ${nullKey} ELSE y END AS k LIMIT $limit`;
  }
  const bound = (order: 'ASC' | 'DESC', name: string) =>
    `CALL () {
       MATCH (d:Deal) WHERE d.orderYear >= $yearFrom AND d.orderYear <= $yearTo
       WITH d ORDER BY d.orderYear ${order} LIMIT 1
       RETURN collect(d.orderYear)[0] AS ${name}
     }`;
  const known = `${bound('ASC', 'lo')}
     ${bound('DESC', 'hi')}
     CALL (lo, hi) {
       UNWIND [y IN CASE WHEN lo IS NULL THEN [] ELSE range(${asc ? 'lo, hi' : 'hi, lo'}, ${step}) END WHERE ${fromCursor}] AS y
       CALL (y) {
         MATCH (d:Deal) USING INDEX d:Deal(orderYear, id) ${where} AND d.orderYear = y AND d.id > ${lowerId}
         WITH d ORDER BY d.orderYear, d.id LIMIT $limit
         RETURN d
       }
       WITH d, y LIMIT $limit
       RETURN collect({ d: d, k: y }) AS known
     }`;
  if (hasYear)
    return `${known}
       UNWIND known AS found
       WITH found.d AS d, found.k AS k`;
  return `${known}
     CALL (known) {
       // UNWIND, not WHERE: the planner cannot move it after the scan below.
       UNWIND CASE WHEN size(known) < $limit THEN [true] ELSE [] END AS more
       MATCH (d:Deal) ${where} AND d.orderYear IS NULL
         AND ($cursorYear IS NULL OR $cursorYear <> ${NO_YEAR} OR d.id > $afterId)
       WITH d ORDER BY d.id ASC LIMIT $limit
       RETURN collect({ d: d, k: ${nullKey} }) AS unknown
     }
     UNWIND (known + unknown)[..$limit] AS found
     WITH found.d AS d, found.k AS k`;
}

export interface DealPage {
  /** Null when not asked for. */
  totalCount: number | null;
  deals: Array<Record<string, Plain>>;
  cursors: string[];
  hasNextPage: boolean;
  /** The entities the page's deals name (buyers, sellers, systems), once each. */
  entities: EntityRecord[];
}

/**
 * One page of deals, the count of all that match and the entities the page names, in ONE statement:
 * the filter's names (buyer, seller, system) are resolved inside it (a name that matches nothing is
 * NOT_FOUND, not an empty page). In order-year order (the default) a page reads about its size from
 * an index, however many deals match (yearOrderedSelect); in the other orders the query starts from
 * the most selective anchor given (buyer, seller or system, through their relationships) and sorts
 * the matches. The count is made only when asked for (`options.count`). Only the filters given become
 * predicates: a `$x IS NULL OR ...` predicate hides the indexes (order year, status) from the
 * planner. The statement's shape follows which filters are present, never their text; values are
 * always parameters.
 */
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options?: { count: true; keys?: PropertyKeys },
): Promise<DealPage & { totalCount: number }>;
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options: { count: boolean; keys?: PropertyKeys },
): Promise<DealPage>;
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  /**
   * count: whether to count every match (totalCount); a page alone costs its size, a count does not.
   * keys: the properties the caller reads of each deal and entity (null: all; see PropertyKeys).
   */
  options: { count: boolean; keys?: PropertyKeys } = { count: true },
): Promise<DealPage> {
  const keys = options.keys ?? null;
  if (!Number.isInteger(first) || first < 0 || first > MAX_DEAL_PAGE) {
    throw badInput(`first must be between 0 and ${MAX_DEAL_PAGE}`, { first });
  }
  const cursor = after ? decodeCursor(after) : null;
  const f = checkFilter(filter);
  const parties = PARTY_FILTERS.filter((p) => filter[p.field] !== undefined && filter[p.field] !== null);
  for (const p of parties) if (filter[p.field] === '') throw notFound(`No entity matches ${p.field} ""`);
  const [lead, ...others] = parties;
  // Each name becomes a variable (`buyerId`, ...): null when nothing matches, which the caller reports.
  const resolutions = parties
    .map(
      (p) =>
        `CALL () { CALL () { ${resolveCypher(`${p.field}_`, 'r')} RETURN r.id AS id } RETURN collect(id)[0] AS ${p.field}Id }`,
    )
    .join('\n');
  const vars = parties.map((p) => `${p.field}Id`);
  const anchor = lead ? partyMatch(lead, `${lead.field}Id`) : 'MATCH (d:Deal)';
  // The other parties given are conditions on the anchor's deals.
  const conditions: string[] = others.map(partyExists);
  if (f.status) conditions.push('d.status IN $status');
  if (f.category) conditions.push('d.category = $category');
  if (f.orderedFrom !== null) conditions.push('d.orderYear >= $orderedFrom');
  if (f.orderedTo !== null) conditions.push('d.orderYear <= $orderedTo');
  if (f.source) conditions.push('$source IN d.sourceIds');
  if (f.condition) conditions.push('d.sipriStatus IN $condition');
  if (f.localProduction !== null) conditions.push('d.localProduction = $localProduction');
  if (f.delivered) conditions.push(deliveredIn('d'));
  const where = `WHERE ${['coalesce(d.retired, false) = false', ...conditions].join(' AND ')}`;
  const { key, dir } = ORDER[orderBy];
  // With a period filter every deal has an order year: no tail of deals without one.
  const hasYear = f.orderedFrom !== null || f.orderedTo !== null;
  const afterCursor = cursor ? `WHERE k ${dir === 'ASC' ? '>' : '<'} $k OR (k = $k AND d.id > $afterId)` : '';
  const params = {
    ...f,
    orderedFrom: int(f.orderedFrom),
    orderedTo: int(f.orderedTo),
    k: cursor?.k ?? null,
    afterId: cursor?.id ?? '',
    cursorYear: null as Integer | null,
    // The years a year-ordered page walks: the filter's, within those any deal has.
    yearFrom: int(f.orderedFrom ?? 0),
    yearTo: int(f.orderedTo ?? NULL_KEY_ASC),
    limit: int(first + 1),
    ...Object.assign(
      {},
      ...parties.map((p) => resolveParams(String(filter[p.field]), p.labels, `${p.field}_`)),
    ),
  };
  const imports = vars.join(', ');
  const select = orderBy.startsWith('ORDER_YEAR')
    ? yearOrderedSelect(orderBy === 'ORDER_YEAR_ASC', where, hasYear, lead, imports)
    : `${anchor} ${where}
       WITH d, ${key} AS k ${afterCursor}
       ORDER BY k ${dir}, d.id ASC LIMIT $limit`;
  // The cursor's year as the slots and the year loop see it: -1 for the deals without one.
  const nullKey = orderBy === 'ORDER_YEAR_ASC' ? NULL_KEY_ASC : NULL_KEY_DESC;
  params.cursorYear = cursor ? int(cursor.k === nullKey ? NO_YEAR : cursor.k) : null;
  // Counted as all matches less the retired ones: the first needs no property read where an index or
  // the count store answers (a period, no filter), the second starts from the index of retired deals
  // (few). `coalesce(d.retired, false) = false` in the count would read every matching deal.
  const anchorExists = lead ? [partyExists(lead)] : [];
  // One party and nothing else: its degree, which Neo4j keeps per relationship type (no deal read).
  const only = parties.length === 1 && conditions.length === 0 ? lead : undefined;
  const matched = only
    ? only.field === 'system'
      ? // A system's deals include its variants' (a family): its slots hold both, one per live deal.
        // Every slot has a year (NO_YEAR when none) and a deal: the existence predicates let the
        // planner count from the (role, partyId, sortYear, dealId) index alone.
        `MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
         WHERE s.role = '${only.role}' AND s.partyId = ${only.field}Id AND s.sortYear IS NOT NULL AND s.dealId IS NOT NULL
         RETURN count(s) AS matched`
      : // Its degree less its retired relationships of the role (few: found by index, as retired deals are).
        `MATCH (p:Entity {id: ${only.field}Id})
       CALL (p) {
         MATCH ()-[r:${only.role}]->(q) USING INDEX r:${only.role}(retired) WHERE r.retired = true AND q = p
         RETURN count(r) AS gone
       }
       RETURN COUNT { (p)<-[:${only.role}]-() } - gone AS matched`
    : `${anchor} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} RETURN count(d) AS matched`;
  const count = !options.count
    ? 'RETURN null AS total'
    : `CALL (${imports}) { ${matched} }
     CALL (${imports}) {
       MATCH (d:Deal) WHERE ${['d.retired = true', ...anchorExists, ...conditions].join(' AND ')}
       RETURN count(d) AS retired
     }
     RETURN matched - retired AS total`;
  // The page also brings every entity it names (parties, systems), once each, for the request's loader.
  const page =
    first === 0
      ? 'RETURN [] AS rows, [] AS entities'
      : `${select}
         WITH collect({ deal: ${keys ? DEAL_VALUES : DEAL_ITEM}, k: k }) AS rows, collect(d) AS page
         CALL (page) {
           UNWIND page AS d
           MATCH (d)-[r:${DEAL_PARTY_PATTERN}]->(n:Entity) WHERE coalesce(r.retired, false) = false
           WITH DISTINCT n
           RETURN collect(${projectionFor('n', keys)}) AS entities
         }
         RETURN rows, entities`;
  const [row] = await db.read(
    `${resolutions}
     CALL (${imports}) { ${count} }
     CALL (${imports}) { ${page} }
     RETURN ${vars.map((v) => `${v}, `).join('')}total, rows, entities`,
    { ...params, ...keysParam(keys) },
  );
  for (const p of parties) {
    if (row?.[`${p.field}Id`] === null || row?.[`${p.field}Id`] === undefined) {
      const value = filter[p.field];
      throw notFound(`No entity matches ${p.field} "${value}"`, { field: p.field, value });
    }
  }
  const rows = (row?.rows ?? []) as Array<{ deal: Record<string, Plain>; k: Plain }>;
  const shown = rows.slice(0, first);
  const deals = shown.map((r) => (keys ? dealFromValues(r.deal, keys) : r.deal));
  return {
    totalCount: row?.total === null || row?.total === undefined ? null : Number(row.total),
    deals,
    cursors: shown.map((r, i) => encodeCursor({ k: Number(r.k), id: String(deals[i]!.id) })),
    hasNextPage: rows.length > first,
    entities: toEntities(row?.entities, keys),
  };
}

/**
 * DEAL_ITEM for a page whose caller reads only `$keys`: their values in order (one plan whatever the
 * keys), zipped back by dealFromValues; a deal of a page is several times the fields a page shows.
 */
const DEAL_VALUES = `{ values: [k IN $keys | d[k]], ${dealPartyIds('d')} }`;

/** A DEAL_VALUES item as DEAL_ITEM has it: absent properties left out, as `d { .* }` leaves them out. */
function dealFromValues(item: Record<string, Plain>, keys: readonly string[]): Record<string, Plain> {
  return {
    __typename: 'Deal',
    ...propsFromValues((item.values as Plain[] | null) ?? [], keys),
    buyerId: item.buyerId ?? null,
    sellerId: item.sellerId ?? null,
    systemId: item.systemId ?? null,
  };
}
