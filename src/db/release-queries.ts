import { badInput, notFound } from '../errors';
import type { Database } from './database';
import { diffRecords, type DealRecord, type Revision } from './release-diff';
import { RELEASE_SOURCE_PREFIX, SIPRI_SOURCE_ID } from './release-writes';

/** The SIPRI releases imported, oldest first (their Source ids). */
export async function releaseIds(db: Database): Promise<string[]> {
  const rows = await db.read(
    `MATCH (s:Source)-[:VERSION_OF]->(:Source {id: $parent}) RETURN s.id AS id ORDER BY s.release`,
    { parent: SIPRI_SOURCE_ID },
  );
  return rows.map((r) => String(r.id));
}

export type ReleaseChangeKind = 'ADDED' | 'DROPPED' | 'CHANGED';

export interface ReleaseChanges {
  fromId: string;
  toId: string;
  /** Deals the newer release lists and the older did not, though its scope covered them. */
  added: number;
  /** Deals the newer release lists that lay outside the older release's scope (a wider range). */
  addedOutsideOlderScope: number;
  /** Deals the older release listed inside the newer release's scope that the newer no longer lists. */
  dropped: number;
  /** Deals both list, with at least one value changed. */
  changed: number;
  /** Values changed, over every changed deal. */
  valuesChanged: number;
  /** The first `first` of those deals, in id order. */
  deals: { dealId: string; change: ReleaseChangeKind; revisions: Revision[] }[];
}

interface Scope {
  id: string;
  release: string;
  from: number;
  to: number;
  orders: boolean;
}

const releaseDate = (input: string) =>
  input.startsWith(RELEASE_SOURCE_PREFIX) ? input.slice(RELEASE_SOURCE_PREFIX.length) : input;

/** Whether a release's scope covers a deal as another release recorded it. */
function covers(s: Scope, r: DealRecord): boolean {
  const years = r.deliveries.map((d) => Number(d.slice(0, 4)));
  if (years.some((y) => y >= s.from && y <= s.to)) return true;
  const order = typeof r.orderYear === 'number' ? r.orderYear : null;
  return s.orders && order !== null && order >= s.from && order <= s.to;
}

export const MAX_RELEASE_CHANGES = 500;

/**
 * What changed between two releases (ids `sipri-atdb@<date>` or dates), for analysts who follow
 * SIPRI's revisions: deals added, dropped (only inside the newer release's scope: outside it, a
 * release says nothing) and changed, with each changed value.
 */
export async function releaseChanges(
  db: Database,
  from: string,
  to: string,
  first: number,
): Promise<ReleaseChanges> {
  if (!Number.isInteger(first) || first < 0 || first > MAX_RELEASE_CHANGES)
    throw badInput(`first must be between 0 and ${MAX_RELEASE_CHANGES}`, { first });
  const [a, b] = [releaseDate(from), releaseDate(to)];
  if (a >= b) throw badInput(`from (${a}) must be an older release than to (${b})`, { field: 'from' });
  const scopes = await db.read(
    `UNWIND $ids AS id OPTIONAL MATCH (s:Source {id: id})-[:VERSION_OF]->(:Source {id: $parent})
     RETURN id, s.release AS release, s.scopeFrom AS from, s.scopeTo AS to, s.ordersIncluded AS orders`,
    { ids: [a, b].map((d) => RELEASE_SOURCE_PREFIX + d), parent: SIPRI_SOURCE_ID },
  );
  const missing = scopes.filter((s) => s.release === null).map((s) => String(s.id));
  if (missing.length > 0)
    throw notFound(`No SIPRI release is imported as ${missing.join(' or ')}`, { field: 'from' });
  const [older, newer] = scopes.map((s): Scope => ({
    id: String(s.id),
    release: String(s.release),
    from: Number(s.from),
    to: Number(s.to),
    orders: s.orders === true,
  })) as [Scope, Scope];
  const rows = await db.read(
    `MATCH (r:SipriRecord) WHERE r.release IN $releases RETURN r { .* } AS r ORDER BY r.dealId, r.release`,
    { releases: [a, b] },
  );
  const byDeal = new Map<string, { a?: DealRecord; b?: DealRecord }>();
  for (const row of rows) {
    const r = row.r as unknown as DealRecord;
    const s = r.release === a ? older : newer;
    const rec = { ...r, scopeFrom: s.from, scopeTo: s.to, deliveries: r.deliveries ?? [] };
    byDeal.set(r.dealId, { ...byDeal.get(r.dealId), [r.release === a ? 'a' : 'b']: rec });
  }
  const out: ReleaseChanges = {
    fromId: older.id,
    toId: newer.id,
    added: 0,
    addedOutsideOlderScope: 0,
    dropped: 0,
    changed: 0,
    valuesChanged: 0,
    deals: [],
  };
  for (const [dealId, { a: ra, b: rb }] of [...byDeal.entries()].sort(([x], [y]) => (x < y ? -1 : 1))) {
    let change: ReleaseChangeKind | undefined;
    let revisions: Revision[] = [];
    if (ra && rb) {
      revisions = diffRecords(ra, rb);
      if (revisions.length > 0) {
        change = 'CHANGED';
        out.changed++;
        out.valuesChanged += revisions.length;
      }
    } else if (rb) {
      if (covers(older, rb)) {
        change = 'ADDED';
        out.added++;
      } else out.addedOutsideOlderScope++;
    } else if (ra && covers(newer, ra)) {
      change = 'DROPPED';
      out.dropped++;
    }
    if (change && out.deals.length < first) out.deals.push({ dealId, change, revisions });
  }
  return out;
}
