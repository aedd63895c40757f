import { badInput, notFound } from '../errors';
import { DEAL_CONDITIONS, DEAL_STATUSES, SIPRI_STATUS, type DealCondition, type DealStatus } from '../model';
import type { Database, Params } from './database';
import { resolveCypher, resolveParams } from './entities';
import { LIVE_DELIVERY } from './tiv-rollups';
import { FILTER_VALUES, graphqlType, valueFromText, type FilterValue } from './filter-fields';

/**
 * The deal filter: one table of its fields (DEAL_FILTER_FIELDS) and one compiler (compileDealFilter)
 * that turns the fields given into Cypher. Deal pages and counts (deal-queries.ts) and filtered
 * exports (export-queries.ts) read the same compiled filter, so they select the same deals through
 * the same indexes; the GraphQL input (schema.graphql's DealFilter, compared by a unit test), the
 * export URL parameters and the CLI's export options are derived from the table. Its fields' kinds of
 * value (GraphQL type, text form, check) are declared once in src/db/filter-fields.ts, which the
 * transfer tables' filter shares.
 *
 * Only the fields given become predicates: a `$x IS NULL OR ...` predicate hides the indexes (order
 * year, status) from the planner. A statement's shape follows which fields are present, never their
 * text; values are always parameters.
 */

export interface DealFilter {
  buyer?: string | null;
  seller?: string | null;
  system?: string | null;
  status?: DealStatus[] | null;
  category?: string | null;
  orderedFrom?: number | null;
  orderedTo?: number | null;
  source?: string | null;
  /** Deals with live deliveries in these years (either end open). */
  deliveredFrom?: number | null;
  deliveredTo?: number | null;
  condition?: DealCondition[] | null;
  localProduction?: boolean | null;
}

export type DealFilterName = keyof DealFilter;

/** A filter field that names a party of the deal (resolved from an id, name or alias). */
export interface PartyRole {
  /** The relationship from the deal. */
  type: 'BUYER' | 'SELLER' | 'COVERS';
  /** The label the party is matched by (the labels a name may resolve to are its value's). */
  node: 'Entity' | 'WeaponSystem';
  /** A family's deals are its variants' too (F-35 reaches F-35A and F-35B deals): one VARIANT_OF step. */
  family: boolean;
}

export interface DealFilterField {
  name: DealFilterName;
  /**
   * The kind of its values (FILTER_VALUES, shared with the transfer tables' filter): its GraphQL type,
   * its text form (the export URL parameter `name=`, the CLI option `--kebab-name <arg>`), its check.
   */
  value: FilterValue;
  /** Whether it takes a list (any of the values). */
  list: boolean;
  /** Its type in schema.graphql's `input DealFilter` (a unit test compares the two). */
  graphql: string;
  /** The CLI option's argument and help. */
  cli: { arg: string; help: string };
  /** Which index serves it when it leads a statement (for the reader; the PROFILE tests check). */
  index: string;
  party?: PartyRole;
  /**
   * A condition on the deal `v` with the field's parameter `$name` (parties: see partyCondition;
   * delivery years: see deliveredCondition).
   */
  predicate?: (v: string) => string;
  /** Its value as the Cypher parameter, when not the value's own stored form (FilterValue.stored). */
  param?: (value: never) => unknown;
}

type FieldDeclaration = Omit<DealFilterField, 'graphql' | 'list'> & { list?: boolean };

/** A field with its GraphQL type derived from its kind of value. */
const field = (f: FieldDeclaration): DealFilterField => ({
  ...f,
  list: f.list ?? false,
  graphql: graphqlType(f.value, f.list ?? false),
});

const statusList = DEAL_STATUSES.join(',');
const conditionList = DEAL_CONDITIONS.join(',');

/**
 * Every field of the deal filter, in the order parties anchor a statement (the first party given
 * starts a page's MATCH) and the order of the CLI's options.
 */
export const DEAL_FILTER_FIELDS: readonly DealFilterField[] = (
  [
    {
      name: 'buyer',
      value: FILTER_VALUES.party,
      cli: { arg: 'id', help: 'deals bought by this country or organisation (id, name or alias)' },
      index:
        'Entity(id), then its BUYER relationships; in order-year pages DealSlot(role, partyId, sortYear, dealId)',
      party: { type: 'BUYER', node: 'Entity', family: false },
    },
    {
      name: 'seller',
      value: FILTER_VALUES.party,
      cli: { arg: 'id', help: 'deals sold by this country or organisation' },
      index:
        'Entity(id), then its SELLER relationships; in order-year pages DealSlot(role, partyId, sortYear, dealId)',
      party: { type: 'SELLER', node: 'Entity', family: false },
    },
    {
      name: 'system',
      value: FILTER_VALUES.system,
      cli: { arg: 'id', help: 'deals covering this weapon system (a family: its variants too)' },
      index:
        'WeaponSystem(id), then VARIANT_OF and COVERS; in order-year pages DealSlot(role, partyId, sortYear, dealId)',
      party: { type: 'COVERS', node: 'WeaponSystem', family: true },
    },
    {
      name: 'status',
      value: FILTER_VALUES.status,
      list: true,
      cli: { arg: 'list', help: `deal statuses, comma-separated (${statusList})` },
      index: 'Deal(status)',
      predicate: (v) => `${v}.status IN $status`,
    },
    {
      name: 'category',
      value: FILTER_VALUES.category,
      cli: { arg: 'name', help: 'SIPRI armament category' },
      index: 'none (tested on the deals the other fields reach)',
      predicate: (v) => `${v}.category = $category`,
    },
    {
      name: 'orderedFrom',
      value: FILTER_VALUES.year,
      cli: { arg: 'year', help: 'deals ordered in or after this year' },
      index: 'Deal(orderYear, id) (by range)',
      predicate: (v) => `${v}.orderYear >= $orderedFrom`,
    },
    {
      name: 'orderedTo',
      value: FILTER_VALUES.year,
      cli: { arg: 'year', help: 'deals ordered in or before this year' },
      index: 'Deal(orderYear, id) (by range)',
      predicate: (v) => `${v}.orderYear <= $orderedTo`,
    },
    {
      name: 'source',
      value: FILTER_VALUES.id,
      cli: { arg: 'id', help: 'deals stated by this source' },
      index: 'none (tested on the deals the other fields reach)',
      predicate: (v) => `$source IN ${v}.sourceIds`,
    },
    {
      name: 'deliveredFrom',
      value: FILTER_VALUES.year,
      cli: { arg: 'year', help: 'deals with live deliveries in or after this year' },
      index: 'none: a deal reaches its deliveries by relationship',
    },
    {
      name: 'deliveredTo',
      value: FILTER_VALUES.year,
      cli: { arg: 'year', help: 'deals with live deliveries in or before this year' },
      index: 'none: a deal reaches its deliveries by relationship',
    },
    {
      name: 'condition',
      value: FILTER_VALUES.condition,
      list: true,
      cli: { arg: 'list', help: `conditions, comma-separated (${conditionList})` },
      index: 'none (tested on the deals the other fields reach)',
      predicate: (v) => `${v}.sipriStatus IN $condition`,
      param: (value: DealCondition[]) => value.map((c) => SIPRI_STATUS[c]),
    },
    {
      name: 'localProduction',
      value: FILTER_VALUES.localProduction,
      cli: { arg: 'bool', help: "licensed or local production in the buyer's country (true or false)" },
      index: 'none (tested on the deals the other fields reach)',
      predicate: (v) => `${v}.localProduction = $localProduction`,
    },
  ] satisfies FieldDeclaration[]
).map(field);

/** Pairs of fields that bound one range: the first may not be after the second. */
const RANGES: readonly (readonly [DealFilterName, DealFilterName])[] = [
  ['orderedFrom', 'orderedTo'],
  ['deliveredFrom', 'deliveredTo'],
];

/** The CLI option of a field: `--ordered-from <year>` (commander hands it back as `orderedFrom`). */
export function cliFlag(f: DealFilterField): string {
  return `--${f.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} <${f.cli.arg}>`;
}

const isGiven = (value: unknown) =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);

/** A field given (not absent, null, or an empty list) with its value. */
export interface GivenField {
  field: DealFilterField;
  value: unknown;
}

/** A party field given: the variable (or parameter) its id is bound to is `<name>Id`. */
export type PartyField = DealFilterField & { party: PartyRole };

export interface CompiledDealFilter {
  /** The fields given, in table order. */
  given: readonly GivenField[];
  /** The party fields given (buyer, seller, system), in anchor order. */
  parties: readonly PartyField[];
  /** The first party given: the party a statement starts from (undefined: it starts from the deals). */
  lead: PartyField | undefined;
  /** Whether the deals selected all have an order year (a period was given). */
  hasYear: boolean;
  /** The parameters of the predicates (parties' ids are bound apart: see idRef). */
  params: Params;
  /**
   * The predicates on deal `v`, one per field given (the two delivery years: one), in table order;
   * `withoutLead`: not the lead party's (a statement that starts from it has matched it already).
   * Liveness of the deal itself is the caller's.
   */
  conditions(v: string, options?: { withoutLead?: boolean }): string[];
  /** The MATCH binding `v` that starts from the lead party, or from every deal. */
  anchor(v?: string): string;
}

/**
 * How a statement refers to a party's id: a variable it bound itself (`buyerId`, a page resolves
 * names inside its statement) or a parameter (`$buyerId`, an export resolved them beforehand).
 */
export type IdRef = 'variable' | 'parameter';

const idOf = (p: PartyField, ref: IdRef) => `${ref === 'parameter' ? '$' : ''}${p.name}Id`;

/** `(:Entity {id: ...})` and, for a system, its variants: the pattern a deal reaches the party by. */
const partyEnd = (p: PartyField, ref: IdRef) =>
  `(:${p.party.node} {id: ${idOf(p, ref)}})${p.party.family ? '<-[:VARIANT_OF*0..1]-(:WeaponSystem)' : ''}`;

/**
 * Whether deal `v` has a live relationship to the party. Its own relationship variable is named after
 * `v` and the field: a caller's variables (an export's edge statement binds `r`) are never captured.
 */
const partyCondition = (p: PartyField, v: string, ref: IdRef) => {
  const rel = `${v}_${p.name}`;
  return `EXISTS { ${partyEnd(p, ref)}<-[${rel}:${p.party.type}]-(${v}) WHERE coalesce(${rel}.retired, false) = false }`;
};

/**
 * Whether deal `v` has a live delivery in the years given (either end open). The delivery is named
 * after `v`, so two deals' conditions in one statement do not meet.
 */
const deliveredCondition = (v: string, from: boolean, to: boolean) => {
  const x = `${v}_delivery`;
  const bounds = [from ? `${x}.year >= $deliveredFrom` : null, to ? `${x}.year <= $deliveredTo` : null];
  return `EXISTS { MATCH ${LIVE_DELIVERY(v, x)} AND ${bounds.filter((b) => b !== null).join(' AND ')} }`;
};

/**
 * Checks the filter (BAD_USER_INPUT for a value that cannot be a parameter, a range whose start is
 * after its end; NOT_FOUND for an empty name) and compiles the fields given.
 */
export function compileDealFilter(filter: DealFilter, ref: IdRef = 'variable'): CompiledDealFilter {
  const given: GivenField[] = DEAL_FILTER_FIELDS.filter((f) => isGiven(filter[f.name])).map((f) => ({
    field: f,
    value: filter[f.name],
  }));
  for (const [from, to] of RANGES) {
    const a = filter[from];
    const b = filter[to];
    if (typeof a === 'number' && typeof b === 'number' && a > b) throw badInput(`${from} is after ${to}`);
  }
  const params: Params = {};
  const parties: PartyField[] = [];
  for (const { field, value } of given) {
    if (field.party) {
      if (value === '') throw notFound(`No entity matches ${field.name} ""`, { field: field.name, value });
      parties.push(field as PartyField);
      continue;
    }
    const stored = field.param ?? field.value.stored;
    params[field.name] = stored ? stored(value as never) : value;
  }
  const lead = parties[0];
  const has = (name: DealFilterName) => given.some((g) => g.field.name === name);
  return {
    given,
    parties,
    lead,
    hasYear: has('orderedFrom') || has('orderedTo'),
    params,
    conditions(v, options = {}) {
      const out: string[] = [];
      for (const { field } of given) {
        if (field.party) {
          if (!(options.withoutLead && field === lead)) out.push(partyCondition(field as PartyField, v, ref));
        } else if (field.predicate) out.push(field.predicate(v));
        else if (field.name === 'deliveredFrom' || (field.name === 'deliveredTo' && !has('deliveredFrom')))
          out.push(deliveredCondition(v, has('deliveredFrom'), has('deliveredTo')));
      }
      return out;
    },
    anchor(v = 'd') {
      if (!lead) return `MATCH (${v}:Deal)`;
      const rel = `${v}_${lead.name}`;
      return `MATCH ${partyEnd(lead, ref)}<-[${rel}:${lead.party.type} WHERE coalesce(${rel}.retired, false) = false]-(${v}:Deal)`;
    },
  };
}

/**
 * The Cypher that resolves each party name of the filter into the variable `<name>Id` (null when
 * nothing matches), one `CALL` each, and its parameters: the first lines of a statement.
 */
export function partyResolutions(
  filter: DealFilter,
  c: CompiledDealFilter,
): { cypher: string; params: Params } {
  const params: Params = {};
  const cypher = c.parties
    .map((p) => {
      Object.assign(params, resolveParams(String(filter[p.name]), p.value.labels ?? [], `${p.name}_`));
      return `CALL () { CALL () { ${resolveCypher(`${p.name}_`, 'found')} RETURN found.id AS id } RETURN collect(id)[0] AS ${p.name}Id }`;
    })
    .join('\n');
  return { cypher, params };
}

/** NOT_FOUND for the first party name a statement could not resolve (its `<name>Id` came back null). */
export function checkResolved(
  filter: DealFilter,
  c: CompiledDealFilter,
  row: Record<string, unknown> | undefined,
) {
  for (const p of c.parties) {
    const id = row?.[`${p.name}Id`];
    if (id === null || id === undefined) {
      const value = filter[p.name];
      throw notFound(`No entity matches ${p.name} "${String(value)}"`, { field: p.name, value });
    }
  }
}

/**
 * The ids the filter's names resolve to, in one round trip (`{ buyerId: 'TUR', ... }`), for
 * statements that take them as parameters (ref 'parameter'): NOT_FOUND when a name matches nothing.
 */
export async function resolveDealParties(
  db: Database,
  filter: DealFilter,
  c: CompiledDealFilter,
): Promise<Record<string, string>> {
  if (c.parties.length === 0) return {};
  const { cypher, params } = partyResolutions(filter, c);
  const names = c.parties.map((p) => `${p.name}Id`);
  const [row] = await db.read(`${cypher}\nRETURN ${names.join(', ')}`, params);
  checkResolved(filter, c, row);
  return Object.fromEntries(names.map((n) => [n, String(row?.[n])]));
}

/** A field's value from its text (an export URL parameter or CLI option); null when absent. */
export function fieldFromText(f: DealFilterField, text: string | undefined): unknown {
  return valueFromText(f.name, f.value, f.list, text);
}

/** The deal filter that flat text parameters state (export URL, CLI), each field read by its kind. */
export function dealFilterFromText(params: Record<string, string | undefined>): DealFilter {
  const filter: Record<string, unknown> = {};
  for (const f of DEAL_FILTER_FIELDS) filter[f.name] = fieldFromText(f, params[f.name]);
  return filter as DealFilter;
}

/** The names of the filter's fields: the export URL parameters of a deal selection. */
export const DEAL_FILTER_PARAMS: readonly string[] = DEAL_FILTER_FIELDS.map((f) => f.name);
