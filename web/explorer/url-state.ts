// Every view's state lives in the page's address, so a copied URL reopens the same view: the focused
// entity, depth, grouping, relation filters, opened groups and nodes, the tab, the register's filter,
// sort and page, the tables' choices and the chart. Pure functions: the page calls them and the unit
// tests check the round trip.

export type Tab = 'graph' | 'register' | 'tables';
export const TABS: readonly Tab[] = ['graph', 'register', 'tables'];

export type Grouping = 'partner' | 'system' | 'none';
export const GROUPINGS: readonly Grouping[] = ['partner', 'system', 'none'];

export const REGISTER_SORTS = ['ORDER_YEAR_ASC', 'ORDER_YEAR_DESC', 'TIV_DELIVERED_DESC', 'ID_ASC'] as const;
export type RegisterSort = (typeof REGISTER_SORTS)[number];

export const TOTALS_BY = [
  'SUPPLIER',
  'RECIPIENT',
  'YEAR',
  'SYSTEM',
  'CATEGORY',
  'SUPPLIER_REGION',
  'RECIPIENT_REGION',
] as const;
export type TotalsBy = (typeof TOTALS_BY)[number];

export const CHARTS = ['bar', 'line', 'none'] as const;
export type Chart = (typeof CHARTS)[number];

/** The register's filter: Query.deals' DealFilter, as the form and /export/deals.csv name it. */
export interface RegisterFilter {
  buyer?: string;
  seller?: string;
  system?: string;
  category?: string;
  status?: string[];
  orderedFrom?: number;
  orderedTo?: number;
}
export const REGISTER_TEXT_FIELDS = ['buyer', 'seller', 'system', 'category'] as const;
export const REGISTER_YEAR_FIELDS = ['orderedFrom', 'orderedTo'] as const;

/** The tables' filter: transferTotals' TransferFilter fields the form offers. */
export interface TablesFilter {
  supplier?: string;
  recipient?: string;
  system?: string;
  category?: string;
}
export const TABLES_TEXT_FIELDS = ['supplier', 'recipient', 'system', 'category'] as const;

/** An opened group of deals (`BUYER:RUS`) and how many of its deals are drawn. */
export interface OpenGroup {
  key: string;
  shown: number;
}

export interface ViewState {
  tab: Tab;
  focus?: string;
  depth: number;
  group: Grouping;
  /** Nodes whose neighbourhood was added to the view, in the order they were opened. */
  expanded: string[];
  groups: OpenGroup[];
  /** Nodes the analyst hid. */
  hidden: string[];
  /** Relation types whose edges are hidden. */
  typesOff: string[];
  /** The node or edge the panel shows. */
  selected?: string;
  /** Nodes a plain (ungrouped) neighbourhood may bring: grows with "show more". */
  first: number;
  /** Shortest paths from the focus to this entity, instead of the neighbourhood. */
  pathTo?: string;
  /** Longest path `paths` looks for. */
  hops: number;
  register: { filter: RegisterFilter; sort: RegisterSort; after?: string; page: number };
  tables: {
    by: TotalsBy;
    byYear: boolean;
    filter: TablesFilter;
    from?: number;
    to?: number;
    top: number;
    chart: Chart;
  };
}

export const DEFAULT_FIRST = 200;
export const MAX_FIRST = 1000;
export const DEFAULT_TOP = 10;

export function defaultState(): ViewState {
  return {
    tab: 'graph',
    depth: 1,
    group: 'partner',
    expanded: [],
    groups: [],
    hidden: [],
    typesOff: [],
    first: DEFAULT_FIRST,
    hops: 4,
    register: { filter: {}, sort: 'ORDER_YEAR_DESC', page: 0 },
    tables: { by: 'SUPPLIER', byYear: false, filter: {}, top: DEFAULT_TOP, chart: 'bar' },
  };
}

const list = (v: string | null): string[] =>
  v === null
    ? []
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

function int(v: string | null, min: number, max: number): number | undefined {
  if (v === null || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
}

function oneOf<T extends string>(v: string | null, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === v);
}

const text = (v: string | null): string | undefined => {
  const t = v?.trim();
  return t ? t : undefined;
};

/** Reads a state from a query string; anything missing or malformed takes its default. */
export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const s = defaultState();
  s.tab = oneOf(q.get('tab'), TABS) ?? s.tab;
  // `q` is what the search box sends (a plain form GET): open it like a focus.
  s.focus = text(q.get('focus')) ?? text(q.get('q'));
  s.depth = int(q.get('depth'), 1, 3) ?? s.depth;
  s.group = oneOf(q.get('group'), GROUPINGS) ?? s.group;
  s.expanded = list(q.get('x'));
  s.groups = list(q.get('g')).flatMap((g) => {
    const m = /^(BUYER|SELLER):(.+)\*(\d+)$/.exec(g);
    return m ? [{ key: `${m[1]}:${m[2]}`, shown: Number(m[3]) }] : [];
  });
  s.hidden = list(q.get('hide'));
  s.typesOff = list(q.get('off'));
  s.selected = text(q.get('sel'));
  s.first = int(q.get('first'), 1, MAX_FIRST) ?? s.first;
  s.pathTo = text(q.get('path'));
  s.hops = int(q.get('hops'), 1, 6) ?? s.hops;

  const r = s.register;
  for (const f of REGISTER_TEXT_FIELDS) {
    const v = text(q.get(`r.${f}`));
    if (v !== undefined) r.filter[f] = v;
  }
  for (const f of REGISTER_YEAR_FIELDS) {
    const v = int(q.get(`r.${f}`), 1900, 2100);
    if (v !== undefined) r.filter[f] = v;
  }
  const status = list(q.get('r.status'));
  if (status.length > 0) r.filter.status = status;
  r.sort = oneOf(q.get('r.sort'), REGISTER_SORTS) ?? r.sort;
  r.after = text(q.get('r.after'));
  r.page = int(q.get('r.page'), 0, 100_000) ?? 0;
  if (r.after === undefined) r.page = 0;

  const t = s.tables;
  t.by = oneOf(q.get('t.by'), TOTALS_BY) ?? t.by;
  t.byYear = q.get('t.years') === '1';
  for (const f of TABLES_TEXT_FIELDS) {
    const v = text(q.get(`t.${f}`));
    if (v !== undefined) t.filter[f] = v;
  }
  t.from = int(q.get('t.from'), 1900, 2100);
  t.to = int(q.get('t.to'), 1900, 2100);
  t.top = int(q.get('t.top'), 1, 100) ?? t.top;
  t.chart = oneOf(q.get('t.chart'), CHARTS) ?? t.chart;
  return s;
}

/** Writes a state as a query string (`?…`), leaving defaults out so that addresses stay short. */
export function formatState(s: ViewState): string {
  const d = defaultState();
  const q = new URLSearchParams();
  const set = (k: string, v: string | number | undefined, fallback?: string | number) => {
    if (v !== undefined && v !== '' && v !== fallback) q.set(k, String(v));
  };
  set('tab', s.tab, d.tab);
  set('focus', s.focus);
  set('depth', s.depth, d.depth);
  set('group', s.group, d.group);
  set('x', s.expanded.join(','));
  set('g', s.groups.map((g) => `${g.key}*${g.shown}`).join(','));
  set('hide', s.hidden.join(','));
  set('off', s.typesOff.join(','));
  set('sel', s.selected);
  set('first', s.first, d.first);
  set('path', s.pathTo);
  set('hops', s.hops, d.hops);

  const r = s.register;
  for (const f of REGISTER_TEXT_FIELDS) set(`r.${f}`, r.filter[f]);
  for (const f of REGISTER_YEAR_FIELDS) set(`r.${f}`, r.filter[f]);
  set('r.status', (r.filter.status ?? []).join(','));
  set('r.sort', r.sort, d.register.sort);
  if (r.after !== undefined) {
    set('r.after', r.after);
    set('r.page', r.page, 0);
  }

  const t = s.tables;
  set('t.by', t.by, d.tables.by);
  if (t.byYear) q.set('t.years', '1');
  for (const f of TABLES_TEXT_FIELDS) set(`t.${f}`, t.filter[f]);
  set('t.from', t.from);
  set('t.to', t.to);
  set('t.top', t.top, d.tables.top);
  set('t.chart', t.chart, d.tables.chart);
  const out = q.toString();
  return out === '' ? '' : `?${out}`;
}

/** The query string of /export/deals.csv for a register filter: the same filter, so the same deals. */
export function registerExportQuery(f: RegisterFilter): string {
  const q = new URLSearchParams();
  for (const k of REGISTER_TEXT_FIELDS) if (f[k] !== undefined) q.set(k, f[k]);
  for (const k of REGISTER_YEAR_FIELDS) if (f[k] !== undefined) q.set(k, String(f[k]));
  if (f.status && f.status.length > 0) q.set('status', f.status.join(','));
  return q.toString();
}
