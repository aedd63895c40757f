import { canonicalCategory } from './categories';
import type { Database } from './database';
import { resolveId } from './entities';
import type { Plain } from './mapper';
import { DEAL_ITEM } from './relation-queries';
import { badInput, notFound } from '../errors';

export type DealStatus = 'OFFERED' | 'PENDING' | 'DELIVERING' | 'COMPLETED' | 'CANCELLED';
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
}

export const MAX_DEAL_PAGE = 500;

/** Sort key per ordering: missing values sort last; ties broken by id so cursors are total. */
const ORDER: Record<DealOrderBy, { key: string; dir: 'ASC' | 'DESC' }> = {
  ORDER_YEAR_ASC: { key: 'coalesce(d.orderYear, 999999)', dir: 'ASC' },
  ORDER_YEAR_DESC: { key: 'coalesce(d.orderYear, -1)', dir: 'DESC' },
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

/** Resolves the filter's names to ids; a name that matches nothing is NOT_FOUND, not an empty page. */
export async function resolveDealFilter(db: Database, filter: DealFilter) {
  const resolve = async (field: 'buyer' | 'seller' | 'system', kinds: Parameters<typeof resolveId>[2]) => {
    const input = filter[field];
    if (input === undefined || input === null) return null;
    const id = await resolveId(db, input, kinds);
    if (id === null) throw notFound(`No entity matches ${field} "${input}"`, { field, value: input });
    return id;
  };
  let category: string | null = null;
  if (filter.category !== undefined && filter.category !== null) {
    category = canonicalCategory(filter.category) ?? null;
    if (!category)
      throw badInput(`"${filter.category}" is not a SIPRI armament category`, { field: 'category' });
  }
  if (filter.orderedFrom != null && filter.orderedTo != null && filter.orderedFrom > filter.orderedTo) {
    throw badInput('orderedFrom is after orderedTo');
  }
  return {
    buyer: await resolve('buyer', ['Country', 'Organization']),
    seller: await resolve('seller', ['Country', 'Organization']),
    system: await resolve('system', ['WeaponSystem']),
    status: filter.status && filter.status.length > 0 ? filter.status : null,
    category,
    orderedFrom: filter.orderedFrom ?? null,
    orderedTo: filter.orderedTo ?? null,
    source: filter.source ?? null,
  };
}

/** The parameters resolveDealFilter returns: what dealWhere and dealAnchor read. */
export type ResolvedDealFilter = Awaited<ReturnType<typeof resolveDealFilter>>;

/**
 * The filter as a Cypher condition on the deal variable `v` (parameters from resolveDealFilter), so
 * Query.deals and the exports select exactly the same deals. `v` is a constant of the caller's.
 */
export function dealWhere(v: string): string {
  return `coalesce(${v}.retired, false) = false
      AND ($buyer IS NULL OR EXISTS { (${v})-[:BUYER]->(:Entity {id: $buyer}) })
      AND ($seller IS NULL OR EXISTS { (${v})-[:SELLER]->(:Entity {id: $seller}) })
      AND ($system IS NULL OR EXISTS { (${v})-[:COVERS]->(:WeaponSystem {id: $system}) })
      AND ($status IS NULL OR ${v}.status IN $status)
      AND ($category IS NULL OR ${v}.category = $category)
      AND ($orderedFrom IS NULL OR ${v}.orderYear >= $orderedFrom)
      AND ($orderedTo IS NULL OR ${v}.orderYear <= $orderedTo)
      AND ($source IS NULL OR $source IN ${v}.sourceIds)`;
}

/** The MATCH that starts from the most selective anchor given (buyer, seller or system), binding `d`. */
export function dealAnchor(f: ResolvedDealFilter): string {
  // The anchor is chosen from which filters are present, never from their text.
  return f.buyer
    ? 'MATCH (:Entity {id: $buyer})<-[:BUYER]-(d:Deal)'
    : f.seller
      ? 'MATCH (:Entity {id: $seller})<-[:SELLER]-(d:Deal)'
      : f.system
        ? 'MATCH (:WeaponSystem {id: $system})<-[:COVERS]-(d:Deal)'
        : 'MATCH (d:Deal)';
}

export interface DealPage {
  totalCount: number;
  deals: Array<Record<string, Plain>>;
  cursors: string[];
  hasNextPage: boolean;
}

/**
 * One page of deals. The query starts from the most selective anchor given (buyer, seller or system,
 * through their relationships) so a filtered page does not scan every deal; the rest is a WHERE.
 */
export async function findDeals(
  db: Database,
  filter: DealFilter,
  orderBy: DealOrderBy,
  first: number,
  after: string | null | undefined,
): Promise<DealPage> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_DEAL_PAGE) {
    throw badInput(`first must be between 0 and ${MAX_DEAL_PAGE}`, { first });
  }
  const cursor = after ? decodeCursor(after) : null;
  const f = await resolveDealFilter(db, filter);
  const anchor = dealAnchor(f);
  const where = `WHERE ${dealWhere('d')}`;
  const { key, dir } = ORDER[orderBy];
  const after_ = `WITH d, ${key} AS k
    WHERE $k IS NULL OR k ${dir === 'ASC' ? '>' : '<'} $k OR (k = $k AND d.id > $afterId)
    WITH d, k`;
  const params = { ...f, k: cursor?.k ?? null, afterId: cursor?.id ?? null, limit: first + 1 };

  return db.readTx(async (tx) => {
    const [countRow] = await db.run(tx, `${anchor} ${where} RETURN count(d) AS total`, params);
    const rows =
      first === 0
        ? []
        : await db.run(
            tx,
            `${anchor} ${where} ${after_}
             ORDER BY k ${dir}, d.id ASC LIMIT toInteger($limit)
             RETURN ${DEAL_ITEM} AS deal, k`,
            params,
          );
    const page = rows.slice(0, first);
    return {
      totalCount: Number(countRow?.total ?? 0),
      deals: page.map((r) => r.deal as Record<string, Plain>),
      cursors: page.map((r) =>
        encodeCursor({ k: Number(r.k), id: String((r.deal as Record<string, Plain>).id) }),
      ),
      hasNextPage: rows.length > first,
    };
  });
}
