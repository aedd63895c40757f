// Every view's state lives in the page's address, so a copied URL reopens the same view: the focused
// entity, depth, grouping, relation filters, opened groups and nodes, the tab, the register's filter,
// sort and page, the tables' choices and the chart, the network's filter and focus. Pure functions: the page calls them and the unit
// tests check the round trip.

export type Tab = 'graph' | 'network' | 'register' | 'tables';
export const TABS: readonly Tab[] = ['graph', 'network', 'register', 'tables'];

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
  /** Deals with deliveries in this period (either end open). */
  deliveredFrom?: number;
  deliveredTo?: number;
  /** Any of these conditions (DealCondition). */
  condition?: DealCondition[];
  /** Licensed or local production in the buyer's country, or not. */
  localProduction?: boolean;
}
export const REGISTER_TEXT_FIELDS = ['buyer', 'seller', 'system', 'category'] as const;
export const REGISTER_YEAR_FIELDS = ['orderedFrom', 'orderedTo', 'deliveredFrom', 'deliveredTo'] as const;

/** SIPRI's Status column: the API's DealCondition. */
export const DEAL_CONDITIONS = ['NEW', 'SECOND_HAND', 'SECOND_HAND_MODERNISED'] as const;
export type DealCondition = (typeof DEAL_CONDITIONS)[number];

/** The network's filter: transferNetwork's TransferFilter fields the form offers, one value each. */
export interface NetworkFilter {
  supplier?: string;
  recipient?: string;
  category?: string;
  supplierRegion?: string;
  recipientRegion?: string;
}
export const NETWORK_TEXT_FIELDS = [
  'supplier',
  'recipient',
  'category',
  'supplierRegion',
  'recipientRegion',
] as const;

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
  network: {
    filter: NetworkFilter;
    from?: number;
    to?: number;
    /** Pairs below this TIV (millions) are left out. */
    minTiv?: number;
    /** The country whose suppliers and recipients are highlighted. */
    focus?: string;
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
    network: { filter: {} },
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
  const condition = list(q.get('r.condition')).flatMap((c) => oneOf(c, DEAL_CONDITIONS) ?? []);
  if (condition.length > 0) r.filter.condition = condition;
  const local = q.get('r.localProduction');
  if (local === 'true' || local === 'false') r.filter.localProduction = local === 'true';
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

  const n = s.network;
  for (const f of NETWORK_TEXT_FIELDS) {
    const v = text(q.get(`n.${f}`));
    if (v !== undefined) n.filter[f] = v;
  }
  n.from = int(q.get('n.from'), 1900, 2100);
  n.to = int(q.get('n.to'), 1900, 2100);
  const min = q.get('n.min');
  n.minTiv = min !== null && /^\d+(\.\d+)?$/.test(min) ? Number(min) : undefined;
  n.focus = text(q.get('n.focus'));
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
  set('r.condition', (r.filter.condition ?? []).join(','));
  set(
    'r.localProduction',
    r.filter.localProduction === undefined ? undefined : String(r.filter.localProduction),
  );
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

  const n = s.network;
  for (const f of NETWORK_TEXT_FIELDS) set(`n.${f}`, n.filter[f]);
  set('n.from', n.from);
  set('n.to', n.to);
  set('n.min', n.minTiv);
  set('n.focus', n.focus);
  const out = q.toString();
  return out === '' ? '' : `?${out}`;
}

/**
 * The query string of /export/deals.csv for a register filter: the same filter, so the same deals
 * (the export's parameters are DealFilter's names, lists comma-separated: src/export/selection.ts).
 */
export function registerExportQuery(f: RegisterFilter): string {
  const q = new URLSearchParams();
  for (const k of REGISTER_TEXT_FIELDS) if (f[k] !== undefined) q.set(k, f[k]);
  for (const k of REGISTER_YEAR_FIELDS) if (f[k] !== undefined) q.set(k, String(f[k]));
  if (f.status && f.status.length > 0) q.set('status', f.status.join(','));
  if (f.condition && f.condition.length > 0) q.set('condition', f.condition.join(','));
  if (f.localProduction !== undefined) q.set('localProduction', String(f.localProduction));
  return q.toString();
}

/** The network filter as transferNetwork's arguments (its TransferFilter takes lists). */
export function networkArgs(n: ViewState['network']): {
  filter: Record<string, string[]>;
  deliveredFrom: number | null;
  deliveredTo: number | null;
  minTiv: number;
} {
  const filter: Record<string, string[]> = {};
  for (const k of NETWORK_TEXT_FIELDS) if (n.filter[k] !== undefined) filter[k] = [n.filter[k]];
  return { filter, deliveredFrom: n.from ?? null, deliveredTo: n.to ?? null, minTiv: n.minTiv ?? 0 };
}
