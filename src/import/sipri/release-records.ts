import type { SipriRow } from './map-row';

/**
 * What one release records of a deal, kept beside the deal (a `SipriRecord`) so that every value a
 * later release changes stays queryable: its parties and system, SIPRI's facts, and its deliveries as
 * `year|json` (merged by year when a deal's rows fall into several batches). Absent facts are null,
 * so a record replaced by the same release's later rows drops them too.
 */
export interface ReleaseRecord {
  dealId: string;
  props: Record<string, unknown>;
  deliveries: string[];
  years: string[];
}

/** A recorded delivery's values, in a fixed key order (records are compared as text). */
export function deliveryValue(d: SipriRow['deliveries'][number]): string {
  return JSON.stringify({
    quantity: d.quantity ?? null,
    quantityEstimated: d.quantityEstimated ?? null,
    yearEstimated: d.yearEstimated ?? null,
    tiv: d.tiv ?? null,
  });
}

export function recordOf(
  dealId: string,
  parties: { buyerId: string; sellerId: string; systemId: string },
  facts: Record<string, unknown>,
  deliveries: SipriRow['deliveries'],
): ReleaseRecord {
  return {
    dealId,
    props: { ...parties, ...facts },
    deliveries: deliveries.map((d) => `${d.year}|${deliveryValue(d)}`),
    years: deliveries.map((d) => String(d.year)),
  };
}
