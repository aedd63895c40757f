import { badInput } from '../errors';
import { DEAL_CONDITIONS, DEAL_STATUSES, PARTY_LABELS, type EntityLabel } from '../model';
import { canonicalCategory } from './categories';
import { int } from './integers';

/**
 * The kinds of value a filter field takes, declared once for every filter that has them (the deal
 * filter, src/db/deal-filter.ts; the transfer tables' filter, src/db/transfer-totals.ts): the GraphQL
 * type of one value, the text form an export URL parameter or CLI option writes it in, the entity
 * labels a name resolves to, and the check that turns a given value into the stored one. What each
 * filter does with a field (a deal's predicate, a rollup's key) stays with that filter.
 */

/** How a value is written as text (export URL parameters, CLI options); lists are comma-separated. */
export type TextKind = 'name' | 'text' | 'year' | 'boolean' | 'status' | 'condition';

export interface FilterValue {
  /** The GraphQL type of one value (a list field is `[type!]`). */
  graphql: string;
  text: TextKind;
  /** A name of an entity with one of these labels (an id, name or alias), resolved to its id. */
  labels?: readonly EntityLabel[];
  /** The stored value of a given one (BAD_USER_INPUT when it has none). */
  stored?: (value: never) => unknown;
}

/** The canonical spelling of a SIPRI armament category, or BAD_USER_INPUT (every table's filter). */
export function checkCategory(text: string): string {
  const canonical = canonicalCategory(text);
  if (!canonical) throw badInput(`"${text}" is not a SIPRI armament category`, { field: 'category' });
  return canonical;
}

export const FILTER_VALUES = {
  /** A buyer or seller, supplier or recipient: a country or an organisation. */
  party: { graphql: 'ID', text: 'name', labels: PARTY_LABELS },
  system: { graphql: 'ID', text: 'name', labels: ['WeaponSystem'] },
  category: { graphql: 'String', text: 'text', stored: (value: string) => checkCategory(value) },
  status: { graphql: 'DealStatus', text: 'status' },
  /** A DealCondition; deals store SIPRI's wording of it (sipriStatus), the rollups the value itself. */
  condition: { graphql: 'DealCondition', text: 'condition' },
  localProduction: { graphql: 'Boolean', text: 'boolean' },
  year: { graphql: 'Int', text: 'year', stored: (value: number) => int(value) },
  /** An id that is not resolved (a source). */
  id: { graphql: 'ID', text: 'text' },
} as const satisfies Record<string, FilterValue>;

/** A field's GraphQL type: one value, or a list of them. */
export const graphqlType = (v: FilterValue, list: boolean) => (list ? `[${v.graphql}!]` : v.graphql);

/** Parses a comma-separated list; empty text is no list. */
export const listParam = (text: string | undefined): string[] | null =>
  text === undefined || text.trim() === ''
    ? null
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

/** An integer parameter's value, or BAD_USER_INPUT. */
export function intText(name: string, text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  if (!/^-?\d+$/.test(text)) throw badInput(`${name} must be an integer`, { field: name, value: text });
  return Number(text);
}

/** A boolean parameter's value (`true` or `false`), or BAD_USER_INPUT. */
export function booleanText(name: string, text: string | undefined): boolean | null {
  if (text === undefined || text === '') return null;
  if (text !== 'true' && text !== 'false') throw badInput(`${name} must be true or false`, { field: name });
  return text === 'true';
}

const ENUMS: Partial<Record<TextKind, readonly string[]>> = {
  status: DEAL_STATUSES,
  condition: DEAL_CONDITIONS,
};

/**
 * A field's value from its text (an export URL parameter, a CLI option); null when absent. A list
 * field's text is comma-separated; an enumeration's values are checked (BAD_USER_INPUT).
 */
export function valueFromText(
  name: string,
  v: FilterValue,
  list: boolean,
  text: string | undefined,
): unknown {
  const known = ENUMS[v.text];
  if (list || known) {
    const values = listParam(text);
    const bad = known ? (values ?? []).filter((x) => !known.includes(x)) : [];
    if (bad.length > 0)
      throw badInput(`Unknown ${v.text} ${bad.join(', ')}; known: ${(known ?? []).join(', ')}`, {
        field: name,
      });
    return values;
  }
  switch (v.text) {
    case 'year':
      return intText(name, text);
    case 'boolean':
      return booleanText(name, text);
    default:
      return text ?? null;
  }
}
