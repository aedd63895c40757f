// The side panel: what the selected node or edge is, in words, each fact with its own sources, and
// where sources disagree both values with theirs. Built with DOM calls and textContent only, so names
// from the data (quotes, markup, any script) are shown, never run.
import type { SourceRef } from './api';

/** Properties shown elsewhere in the panel (heading, sources) or only used for lookups and merges. */
const SHOWN_ELSEWHERE = new Set(['id', 'name', 'sourceIds', 'key', 'aliases']);

/** Property names as an analyst reads them; others are spelled out from their camelCase. */
export const PROPERTY_LABELS: Record<string, string> = {
  orderYear: 'Order year',
  orderYearEstimated: 'Order year is an estimate',
  orderDate: 'Order date',
  quantity: 'Number ordered',
  quantityEstimated: 'Number ordered is an estimate',
  quantityDescription: 'Quantity, as described',
  delivered: 'Number delivered',
  deliveredEstimated: 'Number delivered is an estimate',
  firstDeliveryDate: 'First delivery',
  tivUnit: 'TIV per unit (this deal, millions)',
  tivUnitNew: 'TIV per unit when new (millions)',
  tivTotal: 'TIV delivered (millions)',
  tivDelivered: 'TIV delivered (millions)',
  category: 'Armament category',
  condition: 'Condition',
  localProduction: 'Licensed or local production',
  technologyTransfer: 'Technology transfer',
  governmentToGovernment: 'Government to government',
  sipriId: 'SIPRI deal id',
  sipriFirstSeen: 'First in the SIPRI release of',
  sipriLastSeen: 'Last in the SIPRI release of',
  iso2: 'ISO alpha-2 code',
  historical: 'Former state',
  founded: 'Founded',
  valueAmount: 'Contract value',
  valueCurrency: 'Currency',
  status: 'Status',
  since: 'Since',
  until: 'Until',
  role: 'Role',
  instrument: 'Legal instrument',
  date: 'Date',
  deals: 'Deals',
  partner: 'Partner',
  dataGenerated: 'Data generated',
  kind: 'Kind',
  url: 'Address',
  published: 'Published',
  region: 'Region',
  subregion: 'Subregion',
};

/** `tivUnitNew` → `Tiv unit new`, for names the table above does not know yet. */
export function humanLabel(key: string): string {
  const known = PROPERTY_LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface PanelLink {
  label: string;
  href: string;
  download?: boolean;
}

/** A reference to another entity: a button that selects it. */
export interface EntityRef {
  id: string;
  name: string;
}

/** One fact with its own sources, and, where sources disagree, every value with its sources. */
export interface Fact {
  /** The fact in words, with entity references as separate parts. */
  parts: Array<string | EntityRef>;
  sources: SourceRef[];
  claims?: Array<{ value: string; sources: SourceRef[]; shown: boolean }>;
  /** data-* attributes of the fact's list item (what it is about, for scripts and tests). */
  data?: Record<string, string>;
}

export interface FactSection {
  title: string;
  facts: Fact[];
  testid?: string;
}

export interface PanelAction {
  label: string;
  testid: string;
  run(): void;
  disabled?: boolean;
}

export interface PanelContent {
  title: string;
  subtitle: string;
  properties: Record<string, unknown>;
  /** Properties sources disagree on: the field, the value shown, and every claim. */
  disagreements?: Array<{
    field: string;
    shown: string | null;
    claims: Array<{ value: string; sources: SourceRef[] }>;
  }>;
  sources: SourceRef[];
  /** Source ids the data names but the service does not know (shown as bare ids). */
  unknownSourceIds: string[];
  facts?: FactSection[];
  actions?: PanelAction[];
  links: PanelLink[];
  onEntity?: (id: string) => void;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A claim's value as the API sends it (JSON text) in words: `"2014"` → 2014. */
export function claimText(value: string | null): string {
  if (value === null) return '';
  try {
    return formatValue(JSON.parse(value) as unknown);
  } catch {
    return value;
  }
}

/** Only web addresses become links: a `javascript:` or `data:` URL in the data stays plain text. */
export function isWebUrl(url: string | null): url is string {
  return url !== null && /^https?:\/\/[^\s]+$/i.test(url);
}

function sourceList(sources: SourceRef[], unknown: string[] = [], testid?: string): HTMLUListElement {
  const ul = el('ul', { class: 'sources', ...(testid ? { 'data-testid': testid } : {}) });
  for (const s of sources) {
    const li = el('li', { 'data-source-id': s.id });
    if (isWebUrl(s.url)) {
      li.append(el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.name));
    } else li.append(el('span', {}, s.name));
    li.append(el('span', { class: 'muted' }, ` (${s.id})`));
    ul.append(li);
  }
  for (const id of unknown) ul.append(el('li', { 'data-source-id': id }, id));
  if (!ul.hasChildNodes()) ul.append(el('li', { class: 'muted' }, 'No source recorded.'));
  return ul;
}

/** "per Source A, Source B" after a fact. */
function sourcesInline(sources: SourceRef[]): HTMLElement {
  const span = el('span', { class: 'fact-sources' });
  if (sources.length === 0) {
    span.append(el('span', { class: 'muted' }, ' — no source recorded'));
    return span;
  }
  span.append(el('span', { class: 'muted' }, ' — '));
  sources.forEach((s, i) => {
    if (i > 0) span.append(', ');
    const item = isWebUrl(s.url)
      ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', 'data-source-id': s.id }, s.name)
      : el('span', { 'data-source-id': s.id }, s.name);
    span.append(item);
  });
  return span;
}

export function renderPanel(root: HTMLElement, c: PanelContent): void {
  root.replaceChildren();
  root.append(
    el('h2', { id: 'details-title', 'data-testid': 'details-title' }, c.title),
    el('p', { class: 'subtitle', 'data-testid': 'details-subtitle' }, c.subtitle),
  );

  if (c.actions && c.actions.length > 0) {
    const bar = el('div', { class: 'actions', role: 'group', 'aria-label': 'Actions on this element' });
    for (const a of c.actions) {
      const b = el('button', { type: 'button', 'data-testid': a.testid, 'data-busy-disable': '' }, a.label);
      if (a.disabled) {
        b.disabled = true;
        b.dataset.off = 'true';
      }
      b.addEventListener('click', () => a.run());
      bar.append(b);
    }
    root.append(bar);
  }

  const disputed = new Map((c.disagreements ?? []).map((d) => [d.field, d]));
  root.append(el('h3', {}, 'Properties'));
  const dl = el('dl', { 'data-testid': 'details-properties' });
  const keys = Object.keys(c.properties)
    .filter((k) => !SHOWN_ELSEWHERE.has(k))
    .sort((a, b) => humanLabel(a).localeCompare(humanLabel(b)));
  for (const k of keys) {
    const value = formatValue(c.properties[k]);
    if (value === '') continue;
    const dd = el('dd', { 'data-property': k }, value);
    const d = disputed.get(k);
    if (d) {
      // Where sources disagree, every value with its sources: the shown one first.
      dd.dataset.disputed = 'true';
      const claims = el('ul', { class: 'claims', 'data-testid': `disagreement-${k}` });
      for (const claim of d.claims) {
        const li = el('li', {}, claimText(claim.value));
        li.append(sourcesInline(claim.sources));
        claims.append(li);
      }
      dd.append(el('span', { class: 'disputed' }, ' (sources disagree)'), claims);
    }
    dl.append(el('dt', {}, humanLabel(k)), dd);
  }
  if (!dl.hasChildNodes()) dl.append(el('dt', {}, '(none)'));
  root.append(dl);

  for (const section of c.facts ?? []) {
    if (section.facts.length === 0) continue;
    root.append(el('h3', {}, section.title));
    const ul = el('ul', { class: 'facts', ...(section.testid ? { 'data-testid': section.testid } : {}) });
    for (const f of section.facts) {
      const li = el('li');
      for (const [k, v] of Object.entries(f.data ?? {})) li.dataset[k] = v;
      for (const part of f.parts) {
        if (typeof part === 'string') li.append(part);
        else {
          const b = el('button', { type: 'button', class: 'entity-link', 'data-entity': part.id }, part.name);
          b.addEventListener('click', () => c.onEntity?.(part.id));
          li.append(b);
        }
      }
      li.append(sourcesInline(f.sources));
      ul.append(li);
    }
    root.append(ul);
  }

  root.append(el('h3', {}, 'Sources of the whole'));
  root.append(sourceList(c.sources, c.unknownSourceIds, 'details-sources'));

  if (c.links.length > 0) {
    root.append(el('h3', {}, 'Export around this entity'));
    const links = el('ul', { class: 'export-links', 'data-testid': 'details-exports' });
    for (const l of c.links) {
      const a = el('a', { href: l.href }, l.label);
      if (l.download) a.setAttribute('download', '');
      const li = el('li');
      li.append(a);
      links.append(li);
    }
    root.append(links);
  }
}
