import neo4j, {
  isDate,
  isDateTime,
  isDuration,
  isInt,
  isLocalDateTime,
  isLocalTime,
  isTime,
} from 'neo4j-driver';
import type { Node, Relationship } from 'neo4j-driver';

/** A plain JSON value: what every Neo4j value becomes before it leaves the data layer. */
export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/**
 * The one place where Neo4j's Integer and temporal types become plain JSON, so no resolver or export meets a driver type.
 * Integers inside the safe range become numbers; larger ones become strings rather than lose digits.
 */
export function toPlain(value: unknown): Plain {
  // Most values are strings and numbers: answer them before the Integer and temporal checks (an export
  // maps every property of every record here).
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toPlain);
  if (isInt(value)) {
    // An Integer is two signed 32-bit halves: one that fits in `low` is `low` (nearly every integer a
    // graph holds: years, counts, quantities), without the driver's range comparisons.
    const { high, low } = value;
    if ((high === 0 && low >= 0) || (high === -1 && low < 0)) return low;
    return neo4j.integer.inSafeRange(value) ? neo4j.integer.toNumber(value) : value.toString();
  }
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (
    isDate(value) ||
    isDateTime(value) ||
    isLocalDateTime(value) ||
    isTime(value) ||
    isLocalTime(value) ||
    isDuration(value)
  ) {
    return value.toString();
  }
  if (typeof value === 'object') {
    if (isNode(value))
      return {
        elementId: value.elementId,
        labels: value.labels,
        properties: toPlainObject(value.properties),
      };
    if (isRelationship(value)) {
      return { elementId: value.elementId, type: value.type, properties: toPlainObject(value.properties) };
    }
    return toPlainObject(value as Record<string, unknown>);
  }
  return String(value);
}

/**
 * A value the driver just decoded, made plain in place: its lists and maps are the caller's own (the
 * driver makes them fresh for each record), so they are kept and only what they hold is converted,
 * where toPlain would copy each (a deal page is hundreds of maps and lists, and their copies were
 * much of a request's garbage). Driver types (Integer, temporal values, nodes) become new values.
 */
function ownedPlain(v: unknown): Plain {
  if (v === null || typeof v !== 'object') return toPlain(v);
  if (Array.isArray(v)) return toPlainList(v);
  if (Object.getPrototypeOf(v) !== Object.prototype) return toPlain(v);
  const map = v as Record<string, unknown>;
  for (const k in map) {
    const x = map[k];
    if ((x !== null && typeof x === 'object') || x === undefined || typeof x === 'bigint')
      map[k] = ownedPlain(x);
  }
  return map as { [key: string]: Plain };
}

/**
 * A list the driver just decoded, made plain in place (streamed exports: no copy per record). Strings,
 * numbers, booleans and null, nearly every value, are left as they are.
 */
export function toPlainList(list: unknown[]): Plain[] {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if ((v !== null && typeof v === 'object') || v === undefined || typeof v === 'bigint')
      list[i] = ownedPlain(v);
  }
  return list as Plain[];
}

/** A record's fields (Record.toObject(): a fresh object) made plain in place, as toPlainList does. */
export function toPlainRecord(fields: Record<string, unknown>): { [key: string]: Plain } {
  return ownedPlain(fields) as { [key: string]: Plain };
}

export function toPlainObject(obj: Record<string, unknown>): { [key: string]: Plain } {
  const out: { [key: string]: Plain } = {};
  for (const [k, v] of Object.entries(obj)) out[k] = toPlain(v);
  return out;
}

function isNode(v: object): v is Node {
  return 'labels' in v && 'properties' in v && 'elementId' in v;
}
function isRelationship(v: object): v is Relationship {
  return 'type' in v && 'startNodeElementId' in v && 'properties' in v;
}
