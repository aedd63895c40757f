import type { Plain } from './mapper';

/**
 * Revisions between SIPRI releases, computed from each release's own record of a deal (never from
 * the order the releases were imported in): what changed from one release recording the deal to the
 * next. A delivery year is compared only where both releases' scopes cover it, so a wider scope is
 * not read as deliveries added.
 */

/** A release's record of a deal, with the scope of that release. */
export interface DealRecord {
  dealId: string;
  release: string;
  scopeFrom: number | null;
  scopeTo: number | null;
  deliveries: string[];
  [field: string]: Plain | undefined;
}

export interface Revision {
  release: string;
  previousRelease: string;
  /** buyer, seller, system, a Deal property (orderYear, tivUnit, description, ...), or `delivery <year>`. */
  field: string;
  /** JSON text; null when the release does not state it. */
  old: string | null;
  new: string | null;
}

/** Recorded fields and the names the API gives them (the Deal property, or the party field). */
export const RECORD_FIELDS: readonly { key: string; field: string }[] = [
  { key: 'buyerId', field: 'buyer' },
  { key: 'sellerId', field: 'seller' },
  { key: 'systemId', field: 'system' },
  ...[
    'designation',
    'description',
    'category',
    'orderYear',
    'orderYearEstimated',
    'quantity',
    'quantityEstimated',
    'sipriStatus',
    'tivUnit',
    'tivUnitNew',
    'tivOrder',
    'localProduction',
    'sipriComments',
  ].map((k) => ({ key: k, field: k })),
];

const json = (v: Plain | undefined): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);

function deliveriesByYear(r: DealRecord): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of r.deliveries) out.set(Number(d.slice(0, 4)), d.slice(5));
  return out;
}

const covers = (r: DealRecord, year: number) =>
  (r.scopeFrom === null || year >= r.scopeFrom) && (r.scopeTo === null || year <= r.scopeTo);

/** What changed from `a` (older) to `b` (newer). */
export function diffRecords(a: DealRecord, b: DealRecord): Revision[] {
  const out: Revision[] = [];
  const at = { release: b.release, previousRelease: a.release };
  for (const { key, field } of RECORD_FIELDS) {
    const [o, n] = [json(a[key]), json(b[key])];
    if (o !== n) out.push({ ...at, field, old: o, new: n });
  }
  const [da, db] = [deliveriesByYear(a), deliveriesByYear(b)];
  const years = [...new Set([...da.keys(), ...db.keys()])].sort((x, y) => x - y);
  for (const year of years) {
    if (!covers(a, year) || !covers(b, year)) continue;
    const [o, n] = [da.get(year) ?? null, db.get(year) ?? null];
    if (o !== n) out.push({ ...at, field: `delivery ${year}`, old: o, new: n });
  }
  return out;
}

/** Every revision of a deal across the releases recording it, oldest first. */
export function revisionsOf(records: readonly DealRecord[]): Revision[] {
  const sorted = [...records].sort((x, y) => (x.release < y.release ? -1 : x.release > y.release ? 1 : 0));
  const out: Revision[] = [];
  for (let i = 1; i < sorted.length; i++) out.push(...diffRecords(sorted[i - 1]!, sorted[i]!));
  return out;
}

/** Per field, each value the releases state and the releases stating it, where they differ. */
export function releaseClaims(
  records: readonly DealRecord[],
  sourceIdOf: (release: string) => string,
): { field: string; key: string; claims: { value: string; sourceIds: string[] }[] }[] {
  const out = [];
  for (const { key, field } of RECORD_FIELDS) {
    const byValue = new Map<string, string[]>();
    for (const r of records) {
      const v = json(r[key]);
      if (v === null) continue;
      byValue.set(v, [...(byValue.get(v) ?? []), sourceIdOf(r.release)]);
    }
    if (byValue.size > 1)
      out.push({
        field,
        key,
        claims: [...byValue.entries()].map(([value, sourceIds]) => ({ value, sourceIds })),
      });
  }
  return out;
}
