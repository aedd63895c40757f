import { badInput } from '../errors';
import type { Database } from './database';
import { keysParam, projectionFor, toEntities, type EntityRecord, type PropertyKeys } from './entities';
import { nameKey } from './names';

export const MAX_SEARCH = 100;

/**
 * Builds the Lucene query for the full-text index from the user's text. Only keys (letters and
 * digits) reach it, so no Lucene syntax from the user can: a whole-key match on names and aliases
 * ("S400" finds "S-400"), each word as a prefix, and each longer word with a small edit distance.
 */
export function luceneQuery(text: string): string | null {
  const whole = nameKey(text);
  const words = text
    .split(/[\s\-_/.,;:()'"]+/)
    .map(nameKey)
    .filter((w) => w !== '');
  if (whole === '' && words.length === 0) return null;
  const clauses = new Set<string>();
  if (whole !== '') clauses.add(`nameKeysText:${whole}^8`).add(`nameKeysText:${whole}*^4`);
  for (const w of words) {
    clauses.add(`searchText:${w}^2`);
    clauses.add(`searchText:${w}*`);
    if (w.length >= 4) clauses.add(`searchText:${w}~${w.length >= 7 ? 2 : 1}`);
    if (w.length >= 4) clauses.add(`nameKeysText:${w}~1`);
  }
  return [...clauses].join(' OR ');
}

export async function searchEntities(
  db: Database,
  text: string,
  first: number,
  /** The properties to bring; null: every one. */
  keys: PropertyKeys = null,
): Promise<EntityRecord[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_SEARCH)
    throw badInput(`first must be between 1 and ${MAX_SEARCH}`);
  if (text.length > 200) throw badInput('text must be at most 200 characters');
  const query = luceneQuery(text);
  if (query === null) throw badInput('text must contain at least one letter or digit');
  const rows = await db.read(
    `CALL db.index.fulltext.queryNodes('entity_search', $query, {limit: toInteger($first * 3)}) YIELD node AS n, score
     WHERE coalesce(n.retired, false) = false
     WITH n, score ORDER BY score DESC, n.id LIMIT toInteger($first)
     RETURN collect(${projectionFor('n', keys)}) AS found`,
    { query, first, ...keysParam(keys) },
  );
  // One record holding the list: the driver builds a Record per record (see NODE_PROJECTION).
  return toEntities(rows[0]?.found, keys);
}
