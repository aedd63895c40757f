import { badInput, notFound } from '../errors';
import type { DealCondition } from '../model';
import { countriesIn, regionByCountry } from '../model/regions';
import type { Database } from './database';
import {
  keysParam,
  projectionFor,
  resolveCypher,
  resolveParams,
  toEntity,
  type EntityRecord,
  type PropertyKeys,
} from './entities';
import { FILTER_VALUES, type FilterValue } from './filter-fields';
import { int } from './integers';
import type { Plain } from './mapper';
import {
  DEAL_KEY_CYPHER,
  LEVELS,
  LIVE_DELIVERY,
  MILLI_TIV,
  BUILT_LABEL,
  type KeyField,
  type Level,
} from './tiv-rollups';

/**
 * SIPRI's TIV tables, filtered and cross-tabulated: the TIV delivered in a period and the deals
 * delivering, grouped once (`by`) or twice (`by`, then `then`), with each row's share of the
 * filtered total, in pages that reach every group. Read from the TIV rollups (src/db/tiv-rollups.ts)
 * at the smallest level that holds the groupings and filters, or from the deals' contributions when
 * no rollup level does (a system, a category, a condition, local production); summed from the
 * deliveries themselves when the rollups are not built yet, or when asked (`source: 'deliveries'`, the reference the tests
 * and the benchmark compare with). Both paths share the deal key, the TIV arithmetic (thousandths,
 * integers: exact) and everything after the sums, so they give the same answers.
 */

export type TotalsBy =
  'SUPPLIER' | 'RECIPIENT' | 'YEAR' | 'SYSTEM' | 'CATEGORY' | 'SUPPLIER_REGION' | 'RECIPIENT_REGION';

export type { DealCondition };

export interface TransferFilter {
  supplier?: string[] | null;
  recipient?: string[] | null;
  system?: string[] | null;
  category?: string[] | null;
  supplierRegion?: string[] | null;
  recipientRegion?: string[] | null;
  condition?: DealCondition[] | null;
  localProduction?: boolean | null;
}

export interface TotalsQuery {
  by: TotalsBy;
  then?: TotalsBy | null;
  filter?: TransferFilter | null;
  deliveredFrom?: number | null;
  deliveredTo?: number | null;
}

/** Most rows a page may hold; paging (a row's cursor as `after`) reaches the rest. */
export const MAX_TOTALS_PAGE = 5000;

/**
 * A grouping: the Cypher of its key over `v` (a rollup row, a contribution, or a delivery with its
 * deal's key) whose delivery year is `year`.
 */
interface Grouping {
  key: (v: string, year: string) => string;
  needs: KeyField[];
  /** The entity kind its keys are ids of, if any. */
  entity: boolean;
}

const GROUPINGS: Record<TotalsBy, Grouping> = {
  SUPPLIER: { key: (v) => `${v}.supplierId`, needs: ['supplierId'], entity: true },
  RECIPIENT: { key: (v) => `${v}.recipientId`, needs: ['recipientId'], entity: true },
  SYSTEM: { key: (v) => `${v}.systemId`, needs: ['systemId'], entity: true },
  YEAR: { key: (_, year) => `toString(${year})`, needs: [], entity: false },
  CATEGORY: { key: (v) => `coalesce(${v}.category, '')`, needs: ['category'], entity: false },
  // A party that is not a state has no region: its own group (''), not a silent omission.
  SUPPLIER_REGION: {
    key: (v) => `CASE WHEN ${v}.supplierId IS NOT NULL THEN coalesce($regionOf[${v}.supplierId], '') END`,
    needs: ['supplierId'],
    entity: false,
  },
  RECIPIENT_REGION: {
    key: (v) => `CASE WHEN ${v}.recipientId IS NOT NULL THEN coalesce($regionOf[${v}.recipientId], '') END`,
    needs: ['recipientId'],
    entity: false,
  },
};

/** Labels of groups that have no name of their own. */
const NO_CATEGORY = 'No category stated';
const NO_REGION = 'No region (not a state)';

/** A field of the transfer tables' filter (TransferFilter). */
export interface TransferFilterField {
  field: keyof TransferFilter;
  /** Whether it takes a list (any of its values): all but a yes-or-no field. */
  list: boolean;
  /** Its kind of value (FILTER_VALUES, shared with the deal filter), or a region (this filter's own). */
  value: FilterValue;
  /** The rollup key field it tests. */
  key: KeyField;
  /** The stored values of the given ones, when not each value's own (a region: its countries' ids). */
  values?: (given: unknown[]) => unknown[];
}

/** A UN M49 region or sub-region: a name, matched against the countries' key. */
const REGION: FilterValue = { graphql: 'String', text: 'text' };

/**
 * The filter's fields (schema.graphql's TransferFilter, a unit test compares the two): the key field each one tests, and how
 * its given values become the stored values (names and aliases to ids, inside the table's own
 * statement; region names to the ids of their countries; spellings of a category to SIPRI's). Every
 * field is a field of the deal key the contributions hold, so they serve any combination.
 */
export const TRANSFER_FILTER_FIELDS: readonly TransferFilterField[] = [
  { field: 'supplier', list: true, value: FILTER_VALUES.party, key: 'supplierId' },
  { field: 'recipient', list: true, value: FILTER_VALUES.party, key: 'recipientId' },
  { field: 'system', list: true, value: FILTER_VALUES.system, key: 'systemId' },
  {
    field: 'supplierRegion',
    list: true,
    value: REGION,
    key: 'supplierId',
    values: (g) => regionCountries('supplierRegion', g),
  },
  {
    field: 'recipientRegion',
    list: true,
    value: REGION,
    key: 'recipientId',
    values: (g) => regionCountries('recipientRegion', g),
  },
  { field: 'category', list: true, value: FILTER_VALUES.category, key: 'category' },
  // The contributions store the DealCondition itself (CONDITION_CYPHER), not SIPRI's wording.
  { field: 'condition', list: true, value: FILTER_VALUES.condition, key: 'condition' },
  { field: 'localProduction', list: false, value: FILTER_VALUES.localProduction, key: 'localProduction' },
];

/** The stored values of a field's given ones (entity names are resolved by the statement instead). */
function storedValues(f: TransferFilterField, given: unknown[]): unknown[] {
  if (f.values) return f.values(given);
  const stored = f.value.stored;
  return stored ? given.map((g) => stored(g as never)) : given;
}

function regionCountries(field: string, given: unknown[]): string[] {
  return given.flatMap((g) => {
    const countries = countriesIn(String(g));
    if (!countries)
      throw badInput(`"${String(g)}" is not a UN M49 region or sub-region`, { field, value: g });
    return countries;
  });
}

/** A name of an entity filter, resolved inside the statement into the variable `name`. */
interface Resolution {
  field: string;
  input: string;
  name: string;
}

interface Plan {
  level: Level;
  /** The party or system key a filter names, whose index the rollups or contributions seek (null: none). */
  anchor: KeyField | null;
  conditions: (v: string) => string[];
  params: Record<string, unknown>;
  /** The statement's head: each name resolved, then `WITH` the filter lists (`imports`). */
  head: string;
  imports: string;
  resolutions: Resolution[];
  g1: Grouping;
  g2: Grouping | null;
  byYear: boolean;
}

/**
 * Checks the query and its filter, and chooses the rollup level. Names are resolved by the statement
 * itself (one round trip): `head` binds each to an id (null when nothing matches: see unresolved).
 */
function plan(q: TotalsQuery): Plan {
  const from = q.deliveredFrom ?? null;
  const to = q.deliveredTo ?? null;
  if (from !== null && to !== null && from > to) throw badInput('deliveredFrom is after deliveredTo');
  if (q.then && q.then === q.by)
    throw badInput('then must group by something other than by', { field: 'then' });
  const g1 = GROUPINGS[q.by];
  const g2 = q.then ? GROUPINGS[q.then] : null;
  const needs = new Set<KeyField>([...g1.needs, ...(g2?.needs ?? [])]);
  const tests: { key: KeyField; ref: string }[] = [];
  const params: Record<string, unknown> = {
    // Years from 0: the gaps of a row reach back at most to its year, never below 0.
    from: int(Math.max(from ?? 0, 0)),
    to: int(to ?? 9999),
  };
  const resolutions: Resolution[] = [];
  const lists: string[] = [];
  const filter = q.filter ?? {};
  for (const [i, f] of TRANSFER_FILTER_FIELDS.entries()) {
    const raw = filter[f.field];
    if (raw === undefined || raw === null) continue;
    const given: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (given.length === 0)
      throw badInput(`filter.${f.field} is empty: give at least one value or leave it out`, {
        field: f.field,
      });
    needs.add(f.key);
    const labels = f.value.labels;
    if (labels) {
      const names = given.map((g, j) => {
        const name = `filter${i}_${j}`;
        resolutions.push({ field: f.field, input: String(g), name });
        Object.assign(params, resolveParams(String(g), labels, `${name}_`));
        return name;
      });
      lists.push(`[${names.join(', ')}] AS filter${i}`);
      tests.push({ key: f.key, ref: `filter${i}` });
    } else {
      params[`filter${i}`] = storedValues(f, given);
      tests.push({ key: f.key, ref: `$filter${i}` });
    }
  }
  if ([q.by, q.then].some((b) => b === 'SUPPLIER_REGION' || b === 'RECIPIENT_REGION'))
    params.regionOf = regionByCountry();
  const level =
    (Object.keys(LEVELS) as Level[])
      .reverse()
      .find((l) => [...needs].every((k) => (LEVELS[l] as readonly string[]).includes(k))) ?? 'contributions';
  const head = resolutions
    .map(
      (r) =>
        `CALL () { CALL () { ${resolveCypher(`${r.name}_`, 'found')} RETURN found.id AS id } RETURN collect(id)[0] AS ${r.name} }`,
    )
    .join('\n');
  const carried = resolutions.map((r) => r.name);
  const anchors: KeyField[] = ['supplierId', 'recipientId', 'systemId'];
  return {
    level,
    anchor: tests.find((t) => anchors.includes(t.key))?.key ?? null,
    conditions: (v) => tests.map((t) => `${v}.${t.key} IN ${t.ref}`),
    params: level === 'contributions' ? params : { ...params, level },
    head: resolutions.length > 0 ? `${head}\nWITH ${[...carried, ...lists].join(', ')}` : '',
    imports: [...carried, ...lists.map((l) => l.split(' AS ')[1] ?? '')].join(', '),
    resolutions,
    g1,
    g2,
    byYear: q.by === 'YEAR' || q.then === 'YEAR',
  };
}

/** NOT_FOUND for the first name the statement could not resolve (its variable came back null). */
function checkResolved(p: Plan, row: Record<string, unknown> | undefined): void {
  for (const r of p.resolutions) {
    if (row?.[r.name] === null || row?.[r.name] === undefined)
      throw notFound(`No entity matches ${r.field} "${r.input}"`, { field: r.field, value: r.input });
  }
}

/** `g1`, `g2`, `tiv` (thousandths), `deals` per group, from the plan's level. */
function fromLevel(p: Plan): string {
  return p.level === 'contributions' ? fromContributions(p) : fromRollupRows(p);
}

/** The sums from the rows of a rollup level. */
function fromRollupRows(p: Plan): string {
  const where = [`t.level = $level`, 't.year >= $from', 't.year <= $to', ...p.conditions('t')];
  // Deals in a group: each deal once, at its first delivery of the period (see tiv-rollups.ts).
  const start = p.byYear ? 't.year' : '$from';
  // A party or system filter seeks its own index (the planner cannot see that a list the statement
  // resolved is short; left alone it reads every row of the period).
  const seek = p.anchor ? `USING INDEX t:TivRollup(level, ${p.anchor}, year)` : '';
  return `MATCH (t:TivRollup) ${seek} WHERE ${where.join(' AND ')}
    WITH t, ${p.g1.key('t', 't.year')} AS g1, ${p.g2 ? p.g2.key('t', 't.year') : "''"} AS g2,
      t.n - reduce(a = 0, g IN range(1, CASE WHEN t.year - ${start} < size(t.gaps) THEN t.year - ${start} ELSE size(t.gaps) END) |
        a + t.gaps[g - 1]) AS deals
    WITH g1, g2, sum(t.tiv) AS tiv, sum(deals) AS deals`;
}

/**
 * The sums from the contributions, one per deal (its key, its live deliveries' years and TIVs): each
 * year of the period summed into its group; deals are the distinct deals of a group (of a group and
 * year when grouped by year), as the deliveries count them.
 */
function fromContributions(p: Plan): string {
  const conditions = p.conditions('c');
  // A party or system filter seeks the contributions' index of that key (see fromRollupRows).
  const seek = p.anchor ? `USING INDEX c:TivContribution(${p.anchor})` : '';
  return `MATCH (c:TivContribution) ${seek} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    UNWIND [i IN range(0, size(c.years) - 1) WHERE c.years[i] >= $from AND c.years[i] <= $to] AS i
    WITH c, c.years[i] AS year, c.tivs[i] AS tiv
    WITH c, tiv, ${p.g1.key('c', 'year')} AS g1, ${p.g2 ? p.g2.key('c', 'year') : "''"} AS g2
    WITH g1, g2, sum(tiv) AS tiv, count(DISTINCT c) AS deals`;
}

/** The sums from the live deliveries of the period. */
function fromDeliveries(p: Plan): string {
  const conditions = p.conditions('v');
  return `MATCH (x:Delivery) WHERE x.year >= $from AND x.year <= $to
    MATCH ${LIVE_DELIVERY('d:Deal', 'x')} AND coalesce(d.retired, false) = false
    WITH d, collect(x) AS xs
    WITH d, xs, ${DEAL_KEY_CYPHER('d')} AS k
    UNWIND xs AS x
    WITH d, x, k { .*, year: toInteger(x.year), tiv: ${MILLI_TIV('x')} } AS v
    ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    WITH d, v, ${p.g1.key('v', 'v.year')} AS g1, ${p.g2 ? p.g2.key('v', 'v.year') : "''"} AS g2
    WITH g1, g2, sum(v.tiv) AS tiv, count(DISTINCT d) AS deals`;
}

export interface TransferTotalRow {
  key: string;
  label: string;
  entity: EntityRecord | null;
  year: number | null;
  then: { key: string; label: string; entity: EntityRecord | null; year: number | null } | null;
  /** TIV delivered, in millions, exact to the thousandth. */
  tivDelivered: number;
  deals: number;
  /** The row's part of the filtered total of the period (0 to 1). */
  share: number;
  cursor: string;
}

export interface TotalsOptions {
  first: number;
  after?: string | null;
  /** The properties of the entities to bring; null: every one. */
  keys?: PropertyKeys;
  /**
   * Whether to bring the rows' entities (default true). A caller that reads neither `entity` nor
   * `label` says false and saves their look-ups; its entity groups are then labelled by their key.
   */
  entities?: boolean;
  /** Where the sums come from: the rollups when built (auto, the default), the rollups, or the deliveries. */
  source?: 'auto' | 'rollups' | 'deliveries';
}

type Cursor = [number, string, number, string];

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const c: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(c) &&
      c.length === 4 &&
      typeof c[0] === 'number' &&
      typeof c[1] === 'string' &&
      typeof c[2] === 'number' &&
      typeof c[3] === 'string'
    )
      return c as Cursor;
  } catch {
    // the coded error below
  }
  throw badInput('after is not a cursor of transferTotals', { field: 'after' });
}

/**
 * A table's statement, read from the rollups when they are complete (built once, then kept by every
 * writer), else from the deliveries. The marker is asked of the database by the statement that reads
 * the rollups, never remembered in this process: an import in another process (the CLI) takes it away
 * while it settles its deals. Asked inside the statement: one round trip, and no writer can suspend the
 * rollups between the check and a read in another transaction. The statement
 * returns `built`; only when the rollups were asked for and are not built does it run again, summing
 * deliveries.
 */
async function readTable(
  db: Database,
  p: Plan,
  source: TotalsOptions['source'],
  statement: (sums: string, imports: string) => string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  // `built` from the count the database keeps of the marker's label: no node is read.
  const marker = `CALL () { MATCH (m:${BUILT_LABEL}) RETURN count(m) > 0 AS built }`;
  const run = async (sums: string, check: boolean) => {
    const carried = p.imports === '' ? [] : [p.imports];
    const imports = [...carried, 'built'].join(', ');
    const head = check
      ? `${p.head}\n${marker}\nWITH ${imports}`
      : `${p.head}\nWITH ${[...carried, 'true AS built'].join(', ')}`;
    const [row] = await db.read(`${head}\n${statement(sums, imports)}`, { ...p.params, ...params });
    return row;
  };
  if (source === 'deliveries') return run(fromDeliveries(p), false);
  const row = await run(`WITH * WHERE built ${fromLevel(p)}`, source !== 'rollups');
  return row?.built === false ? run(fromDeliveries(p), false) : row;
}

/**
 * One page of a TIV table. Rows are ordered by their first group's total (largest first, then key),
 * and within it by the pair's total (years in year order); `after` is a row's cursor.
 */
export async function transferTotals(
  db: Database,
  q: TotalsQuery,
  o: TotalsOptions,
): Promise<TransferTotalRow[]> {
  if (!Number.isInteger(o.first) || o.first < 1 || o.first > MAX_TOTALS_PAGE)
    throw badInput(`first must be between 1 and ${MAX_TOTALS_PAGE} (page with after for more)`, {
      field: 'first',
    });
  const cursor = o.after ? decodeCursor(o.after) : null;
  const p = plan(q);
  const keys = o.keys ?? null;
  const thenYear = q.then === 'YEAR';
  // Within a first group: years ascending, other groups largest first.
  const second = thenYear ? '-toInteger(pair.g2)' : p.g2 ? 'pair.tiv' : '0';
  const after = cursor
    ? `WHERE g1tiv < $c0 OR (g1tiv = $c0 AND (pair.g1 > $c1 OR (pair.g1 = $c1 AND (s2 < $c2 OR (s2 = $c2 AND pair.g2 > $c3)))))`
    : '';
  // Each entity once, however many rows it heads (a supplier × year table repeats every supplier).
  const ids = (o.entities ?? true) ? [p.g1.entity ? 'r[0]' : null, p.g2?.entity ? 'r[1]' : null] : [];
  const idList = ids.filter((x) => x !== null).join(', ');
  const entities = idList
    ? `COLLECT { UNWIND page AS r UNWIND [${idList}] AS id WITH DISTINCT id
         MATCH (n:Entity {id: id}) RETURN ${projectionFor('n', keys)} }`
    : '[]';
  const result = await readTable(
    db,
    p,
    o.source,
    (sums, imports) => `CALL (${imports}) {
       CALL (${imports}) { ${sums} RETURN g1, g2, tiv, deals }
       WITH g1, g2, tiv, deals WHERE g1 IS NOT NULL AND g2 IS NOT NULL
       WITH collect({ g1: g1, g2: g2, tiv: tiv, deals: deals }) AS rows
       WITH rows, reduce(s = 0, x IN rows | s + x.tiv) AS total
       UNWIND rows AS pair
       WITH total, pair.g1 AS g1, sum(pair.tiv) AS g1tiv, collect(pair) AS pairs
       UNWIND pairs AS pair
       WITH total, g1tiv, pair, ${second} AS s2
       ${after}
       WITH total, g1tiv, pair, s2 ORDER BY g1tiv DESC, pair.g1 ASC, s2 DESC, pair.g2 ASC LIMIT $first
       // Rows as lists, not maps, and the total once: a page of 500 rows is read back in half the time.
       WITH collect([pair.g1, pair.g2, pair.tiv, pair.deals, g1tiv, s2]) AS page, max(total) AS total
       RETURN page, total, ${entities} AS entities
     }
     RETURN ${[...p.resolutions.map((r) => r.name), 'page', 'total', 'entities', 'built'].join(', ')}`,
    {
      first: int(o.first),
      ...(cursor ? { c0: int(cursor[0]), c1: cursor[1], c2: int(cursor[2]), c3: cursor[3] } : {}),
      ...keysParam(keys),
    },
  );
  checkResolved(p, result);
  const rows = (result?.page ?? []) as Plain[][];
  const total = Number(result?.total ?? 0);
  const byId = new Map<string, EntityRecord>();
  for (const projected of (result?.entities ?? []) as Plain[]) {
    const e = toEntity(projected, keys);
    if (e) byId.set(e.id, e);
  }
  return rows.map(([g1Key, g2Key, tivSum, deals, g1tiv, s2]) => {
    const tiv = Number(tivSum);
    const g1 = String(g1Key);
    const g2 = String(g2Key);
    const e1 = p.g1.entity ? (byId.get(g1) ?? null) : null;
    const e2 = p.g2?.entity ? (byId.get(g2) ?? null) : null;
    return {
      ...describe(q.by, g1, e1),
      then: q.then ? describe(q.then, g2, e2) : null,
      tivDelivered: tiv / 1000,
      deals: Number(deals),
      share: total === 0 ? 0 : tiv / total,
      cursor: encodeCursor([Number(g1tiv), g1, Number(s2), g2]),
    };
  });
}

/** A group's key, label, entity and year, as rows show them. */
function describe(by: TotalsBy, key: string, entity: EntityRecord | null) {
  let label = key;
  if (entity) label = entity.name;
  else if (by === 'CATEGORY' && key === '') label = NO_CATEGORY;
  else if ((by === 'SUPPLIER_REGION' || by === 'RECIPIENT_REGION') && key === '') label = NO_REGION;
  return { key, label, entity, year: by === 'YEAR' ? Number(key) : null };
}

export interface NetworkEdge {
  supplierId: string;
  recipientId: string;
  /** TIV delivered in the period, in millions. */
  weight: number;
  deals: number;
}

/**
 * The supplier → recipient network of a period: one edge per pair with its TIV and deals, largest
 * first, at most `cap` (and whether more were there), those below `minTiv` left out.
 */
export async function transferNetworkEdges(
  db: Database,
  q: Omit<TotalsQuery, 'by' | 'then'>,
  minTiv: number,
  cap: number,
  source: TotalsOptions['source'] = 'auto',
): Promise<{ edges: NetworkEdge[]; truncated: boolean }> {
  if (!Number.isFinite(minTiv) || minTiv < 0) throw badInput('minTiv must be 0 or more', { field: 'minTiv' });
  const p = plan({ ...q, by: 'SUPPLIER', then: 'RECIPIENT' });
  const result = await readTable(
    db,
    p,
    source,
    (sums, imports) => `CALL (${imports}) {
       CALL (${imports}) { ${sums} RETURN g1, g2, tiv, deals }
       WITH g1, g2, tiv, deals WHERE g1 IS NOT NULL AND g2 IS NOT NULL AND tiv >= $minTiv
       WITH g1, g2, tiv, deals ORDER BY tiv DESC, g1, g2 LIMIT $limit
       RETURN collect({ g1: g1, g2: g2, tiv: tiv, deals: deals }) AS page
     }
     RETURN ${[...p.resolutions.map((r) => r.name), 'page', 'built'].join(', ')}`,
    { minTiv: int(Math.ceil(minTiv * 1000)), limit: int(cap + 1) },
  );
  checkResolved(p, result);
  const rows = (result?.page ?? []) as Record<string, Plain>[];
  const edges = rows.slice(0, cap).map((r) => ({
    supplierId: String(r.g1),
    recipientId: String(r.g2),
    weight: Number(r.tiv) / 1000,
    deals: Number(r.deals),
  }));
  return { edges, truncated: rows.length > cap };
}
