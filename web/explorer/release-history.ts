// A SIPRI deal's history across the releases imported: which release its current values come from,
// every release that recorded it, each value that changed from one release to the next (old and new,
// with the release Source that states each), and why it is retired when it is. The releases are
// Sources (sipri-atdb@<date>); the API names them by their 'Data generated' date.
import type { Revision } from '../../src/db/release-diff';
import type { SourceRef } from './api';
import { claimText, formatValue, humanLabel, type Fact } from './side-panel';

// The API's revision, as the data layer computes it (a type only: nothing of src/db is bundled).
export type { Revision };

export interface DealHistory {
  sipriRelease?: string | null;
  sipriReleases?: string[];
  retiredReason?: string | null;
  revisions?: Revision[];
}

/** A release date (ISO) in words: 2026-02-12 → 12 Feb 2026. */
export function releaseDate(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/** What a revision's field is, in words: `delivery 2021` → Delivery in 2021, `seller` → Supplier. */
export function revisionField(field: string): string {
  const delivery = /^delivery (\d{4})$/.exec(field);
  if (delivery) return `Delivery in ${delivery[1]}`;
  const parties: Record<string, string> = { buyer: 'Recipient', seller: 'Supplier', system: 'Weapon system' };
  return parties[field] ?? humanLabel(field);
}

/** A revised value in words; a delivery's record ({quantity, tiv, ...}) as "24 (estimate) delivered, TIV 1.2". */
export function valueText(v: string | null): string {
  if (v === null) return 'not stated';
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return claimText(v);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return claimText(v);
  const o = parsed as Record<string, unknown>;
  const words: string[] = [];
  for (const [k, x] of Object.entries(o)) {
    if (x === null || x === undefined || k === 'quantityEstimated') continue;
    if (k === 'quantity')
      words.push(`${formatValue(x)}${o.quantityEstimated ? ' (estimate)' : ''} delivered`);
    else if (k === 'tiv') words.push(`TIV ${formatValue(x)}`);
    else if (k === 'yearEstimated') {
      if (x === true) words.push('year estimated');
    } else words.push(`${humanLabel(k).toLowerCase()} ${formatValue(x)}`);
  }
  return words.join(', ');
}

/** The release Source of a date, or a plain reference when the service does not list it. */
function releaseSource(date: string, releases: ReadonlyMap<string, SourceRef>): SourceRef {
  return (
    releases.get(date) ?? {
      id: `sipri-atdb@${date}`,
      name: `SIPRI release of ${releaseDate(date)}`,
      url: null,
    }
  );
}

/** The facts of a deal's release history, each with the release Sources that state it. */
export function releaseHistory(deal: DealHistory, releases: ReadonlyMap<string, SourceRef>): Fact[] {
  const facts: Fact[] = [];
  const all = deal.sipriReleases ?? [];
  if (deal.sipriRelease) {
    facts.push({
      parts: [`Current values from SIPRI's release of ${releaseDate(deal.sipriRelease)}`],
      sources: [releaseSource(deal.sipriRelease, releases)],
      data: { kind: 'current', release: deal.sipriRelease },
    });
  }
  if (all.length > 1) {
    const sorted = [...all].sort();
    facts.push({
      parts: [`Recorded in ${all.length} releases: ${sorted.map(releaseDate).join(', ')}`],
      sources: sorted.map((d) => releaseSource(d, releases)),
      data: { kind: 'releases' },
    });
  }
  for (const r of deal.revisions ?? []) {
    facts.push({
      parts: [
        `${revisionField(r.field)}: ${valueText(r.old)} (release of ${releaseDate(r.previousRelease)}) → ` +
          `${valueText(r.new)} (release of ${releaseDate(r.release)})`,
      ],
      sources: [releaseSource(r.previousRelease, releases), releaseSource(r.release, releases)],
      data: { kind: 'revision', field: r.field, release: r.release, previousRelease: r.previousRelease },
    });
  }
  if (deal.retiredReason) {
    facts.push({
      parts: [`Retired: ${deal.retiredReason}`],
      // The release that no longer lists it, which the reason names.
      sources: (/\d{4}-\d{2}-\d{2}/.exec(deal.retiredReason) ?? []).map((d) => releaseSource(d, releases)),
      data: { kind: 'retired' },
    });
  }
  return facts;
}

/** A delivery's releases in words: "in the releases of 3 Jan 2025 to 12 Feb 2026". */
export function deliveryReleases(first: string | null | undefined, last: string | null | undefined): string {
  if (!first && !last) return '';
  if (!first || !last || first === last) return `; in SIPRI's release of ${releaseDate(first ?? last ?? '')}`;
  return `; in SIPRI's releases of ${releaseDate(first)} to ${releaseDate(last)}`;
}
