import type { Plain } from '../db/mapper';

/** A time interval (ISO dates, either end open): a deal from its order to its last delivery. */
export interface Interval {
  start?: string;
  end?: string;
}

/** `1952`, `1952-02-18`, `2019-07-17T...` → an ISO date; anything else → undefined. */
export function isoDate(value: Plain | undefined, end = false): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return `${value}-${end ? '12-31' : '01-01'}`;
  if (typeof value !== 'string') return undefined;
  if (/^\d{4}$/.test(value)) return `${value}-${end ? '12-31' : '01-01'}`;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return m?.[1];
}

/** An interval from a start (a date, else a year) to the end of an end year; undefined when undated. */
export function interval(
  startDate: Plain | undefined,
  startYear: Plain | undefined,
  endYear: Plain | undefined,
) {
  const start = isoDate(startDate) ?? isoDate(startYear);
  let end = isoDate(endYear, true);
  if (start && end && end < start) end = undefined;
  if (!start && !end) return undefined;
  const t: Interval = {};
  if (start) t.start = start;
  if (end) t.end = end;
  return t;
}

/** A deal's interval: from its order (date, else year) to the end of its last delivery year. */
export function dealInterval(p: { [key: string]: Plain } | null | undefined): Interval | undefined {
  if (!p) return undefined;
  return interval(p.orderDate, p.orderYear, p.deliveryEndYear);
}
