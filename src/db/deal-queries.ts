import type { Database, Statement } from './database';
import {
  checkResolved,
  compileDealFilter,
  partyResolutions,
  type DealFilter,
  type PartyField,
} from './deal-filter';
import {
  boundPartyIdList,
  boundPartyIds,
  collectPartyNodes,
  dealPartyNodes,
  entityProjection,
  keysParam,
  propsFromValues,
  type PropertyKeys,
  toEntities,
  type EntityRecord,
} from './entities';
import type { Plain } from './mapper';
import { badInput } from '../errors';
import { int } from './integers';
import { NO_YEAR } from './deal-slots';

export type { DealStatus } from '../model';
export type DealOrderBy = 'ORDER_YEAR_ASC' | 'ORDER_YEAR_DESC' | 'TIV_DELIVERED_DESC' | 'ID_ASC';

export type { DealFilter } from './deal-filter';

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
  /** The party field the page starts from (the filter's lead party), if any. */
  anchor: PartyField | undefined,
  imports: string,
): string {
  const step = asc ? 1 : -1;
  const nullKey = asc ? NULL_KEY_ASC : NULL_KEY_DESC;
  // Years from the cursor's on (a cursor among the deals without a year has no years left).
  const fromCursor = `($cursorYear IS NULL OR ($cursorYear <> ${NO_YEAR} AND y ${asc ? '>=' : '<='} $cursorYear))`;
  const lowerId = `CASE WHEN y = $cursorYear THEN $afterId ELSE '' END`;
  if (anchor) {
    const party = `${anchor.name}Id`;
    const slot = `s.role = '${anchor.party.type}' AND s.partyId = ${party}`;
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

/** What a deal page asks for besides its filter and order. */
export interface DealPageOptions {
  /** Whether to count every match (totalCount); a page alone costs its size, a count does not. */
  count: boolean;
  /** The properties the caller reads of each deal and entity (null: all; see PropertyKeys). */
  keys?: PropertyKeys;
  /**
   * Whether the page also brings the sources its deals and parties name (`sources` fields): then
   * they come with the page's entities instead of a loader batch, a second round trip.
   */
  sources?: boolean;
}

/**
 * The one statement of a deal page (see findDeals) and its parameters: pure, so its shape can be
 * tested without a database.
 */
export function dealPageStatement(
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options: DealPageOptions = { count: true },
): Statement {
  const keys = options.keys ?? null;
  if (!Number.isInteger(first) || first < 0 || first > MAX_DEAL_PAGE) {
    throw badInput(`first must be between 0 and ${MAX_DEAL_PAGE}`, { first });
  }
  const cursor = after ? decodeCursor(after) : null;
  const c = compileDealFilter(filter);
  const { lead, parties } = c;
  // Each name becomes a variable (`buyerId`, ...): null when nothing matches, which the caller reports.
  const resolutions = partyResolutions(filter, c);
  const vars = parties.map((p) => `${p.name}Id`);
  const anchor = c.anchor('d');
  // The other fields given are conditions on the anchor's deals.
  const conditions = c.conditions('d', { withoutLead: true });
  const where = `WHERE ${['coalesce(d.retired, false) = false', ...conditions].join(' AND ')}`;
  const { key, dir } = ORDER[orderBy];
  // With a period filter every deal has an order year: no tail of deals without one.
  const hasYear = c.hasYear;
  const afterCursor = cursor ? `WHERE k ${dir === 'ASC' ? '>' : '<'} $k OR (k = $k AND d.id > $afterId)` : '';
  // The cursor's year as the slots and the year loop see it: -1 for the deals without one.
  const nullKey = orderBy === 'ORDER_YEAR_ASC' ? NULL_KEY_ASC : NULL_KEY_DESC;
  const params = {
    ...c.params,
    ...resolutions.params,
    k: cursor?.k ?? null,
    afterId: cursor?.id ?? '',
    cursorYear: cursor ? int(cursor.k === nullKey ? NO_YEAR : cursor.k) : null,
    // The years a year-ordered page walks: the filter's, within those any deal has.
    yearFrom: int(filter.orderedFrom ?? 0),
    yearTo: int(filter.orderedTo ?? NULL_KEY_ASC),
    limit: int(first + 1),
  };
  const imports = vars.join(', ');
  const select = orderBy.startsWith('ORDER_YEAR')
    ? yearOrderedSelect(orderBy === 'ORDER_YEAR_ASC', where, hasYear, lead, imports)
    : `${anchor} ${where}
       WITH d, ${key} AS k ${afterCursor}
       ORDER BY k ${dir}, d.id ASC LIMIT $limit`;
  // Counted as all matches less the retired ones: the first needs no property read where an index or
  // the count store answers (a period, no filter), the second starts from the index of retired deals
  // (few). `coalesce(d.retired, false) = false` in the count would read every matching deal.
  // One party and nothing else: its degree, which Neo4j keeps per relationship type (no deal read).
  const only = parties.length === 1 && conditions.length === 0 ? lead : undefined;
  // Its retired relationships of the role: few, found by index, as retired deals are.
  const gone = (p: string, type: string) => `CALL (${p}) {
         MATCH ()-[r:${type}]->(q) USING INDEX r:${type}(retired) WHERE r.retired = true AND q = ${p}
         RETURN count(r) AS gone
       }`;
  const matched = only
    ? only.party.family
      ? // A system's deals include its variants' (a family): its slots hold both, one per live deal.
        // Every slot has a year (NO_YEAR when none) and a deal: the existence predicates let the
        // planner count from the (role, partyId, sortYear, dealId) index alone. That still reads one
        // index entry per deal (20 ms for a system of 50,000 deals), so a system without variants,
        // whose deals are exactly its own, is counted by its degree like a buyer. A CASE evaluates
        // only the branch it takes (a UNION of guarded branches did not: the planner read the slots
        // before the guard).
        `MATCH (p:WeaponSystem {id: ${only.name}Id})
         ${gone('p', only.party.type)}
         RETURN CASE WHEN EXISTS { (p)<-[:VARIANT_OF]-(:WeaponSystem) }
           THEN COUNT {
             MATCH (s:DealSlot) USING INDEX s:DealSlot(role, partyId, sortYear, dealId)
             WHERE s.role = '${only.party.type}' AND s.partyId = p.id AND s.sortYear IS NOT NULL AND s.dealId IS NOT NULL
           }
           ELSE COUNT { (p)<-[:${only.party.type}]-() } - gone END AS matched`
      : // One party and nothing else: its degree less its retired relationships of the role.
        `MATCH (p:Entity {id: ${only.name}Id})
       ${gone('p', only.party.type)}
       RETURN COUNT { (p)<-[:${only.party.type}]-() } - gone AS matched`
    : `${anchor} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} RETURN count(d) AS matched`;
  const count = !options.count
    ? 'RETURN null AS total'
    : `CALL (${imports}) { ${matched} }
     CALL (${imports}) {
       MATCH (d:Deal) WHERE ${['d.retired = true', ...c.conditions('d')].join(' AND ')}
       RETURN count(d) AS retired
     }
     RETURN matched - retired AS total`;
  // The page also brings every entity it names (parties, systems), once each, for the request's loader:
  // the live party nodes each row's ids come from (dealPartyNodes reads each relationship and its
  // `retired` once), so neither the relationships nor an index are read a second time. They are never
  // deals, so their projection needs no party ids of its own. With `sources`, the entities the deals'
  // and the parties' sourceIds name come too, found as the entity loader finds them (by id, any label).
  const named = options.sources
    ? `parties + COLLECT {
         UNWIND sourceLists + [p IN parties | p.sourceIds] AS ids
         UNWIND ids AS sid
         MATCH (s:Entity {id: sid})
         RETURN s
       }`
    : 'parties';
  const page =
    first === 0
      ? 'RETURN [] AS rows, [] AS entities'
      : `${select}
         WITH d, k, ${dealPartyNodes('d')}
         WITH collect([${keys ? DEAL_VALUES : DEAL_ROW}, k]) AS rows,
           ${collectPartyNodes('d')} AS parties${options.sources ? ', collect(d.sourceIds) AS sourceLists' : ''}
         CALL (parties${options.sources ? ', sourceLists' : ''}) {
           UNWIND ${named} AS n
           WITH DISTINCT n
           RETURN collect(${entityProjection('n', keys ? 'keys' : null, false)}) AS entities
         }
         RETURN rows, entities`;
  return {
    cypher: `${resolutions.cypher}
     CALL (${imports}) { ${count} }
     CALL (${imports}) { ${page} }
     RETURN ${vars.map((v) => `${v}, `).join('')}total, rows, entities`,
    params: { ...params, ...keysParam(keys) },
  };
}

/**
 * One page of deals, the count of all that match and the entities the page names, in ONE statement
 * (dealPageStatement): the filter's names (buyer, seller, system) are resolved inside it (a name that
 * matches nothing is NOT_FOUND, not an empty page). In order-year order (the default) a page reads
 * about its size from an index, however many deals match (yearOrderedSelect); in the other orders the
 * query starts from the filter's lead party (buyer, seller or system, through their relationships) and
 * sorts the matches. The count is made only when asked for (`options.count`). The filter is compiled
 * by compileDealFilter (src/db/deal-filter.ts), as the exports' is.
 */
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options?: { count: true; keys?: PropertyKeys; sources?: boolean },
): Promise<DealPage & { totalCount: number }>;
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options: DealPageOptions,
): Promise<DealPage>;
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
  options: DealPageOptions = { count: true },
): Promise<DealPage> {
  const keys = options.keys ?? null;
  const statement = dealPageStatement(filter, orderBy, first, after, options);
  const [row] = await db.read(statement.cypher, statement.params);
  checkResolved(filter, compileDealFilter(filter), row);
  // Each row is [deal, k]: lists, not maps (the driver decodes every key of every map it reads).
  const rows = (row?.rows ?? []) as Array<[Plain, Plain]>;
  const shown = rows.slice(0, first);
  const deals = shown.map(([deal]) =>
    keys ? dealFromValues(deal as Plain[], keys.keys) : (deal as Record<string, Plain>),
  );
  return {
    totalCount: row?.total === null || row?.total === undefined ? null : Number(row.total),
    deals,
    cursors: shown.map(([, k], i) => encodeCursor({ k: Number(k), id: String(deals[i]!.id) })),
    hasNextPage: rows.length > first,
    entities: toEntities(row?.entities, keys),
  };
}

/**
 * DEAL_ITEM for a page whose caller reads only `$keys`: their values in order (one plan whatever the
 * keys), then the buyer's, seller's and system's ids, zipped back by dealFromValues; a deal of a page
 * is several times the fields a page shows.
 */
const DEAL_VALUES = `[[k IN $keys | d[k]], ${boundPartyIdList('d')}]`;

/** DEAL_ITEM (every property) for a page row whose party nodes are bound (dealPartyNodes). */
const DEAL_ROW = `d { .*, __typename: 'Deal', ${boundPartyIds('d')} }`;

/** A DEAL_VALUES item as DEAL_ITEM has it: absent properties left out, as `d { .* }` leaves them out. */
function dealFromValues(item: Plain[], keys: readonly string[]): Record<string, Plain> {
  const [values, buyerId, sellerId, systemId] = item;
  const deal = propsFromValues((values as Plain[] | null) ?? [], keys, { __typename: 'Deal' });
  deal.buyerId = buyerId ?? null;
  deal.sellerId = sellerId ?? null;
  deal.systemId = systemId ?? null;
  return deal;
}
