// The side panel: properties and sources of the focused node or edge. Built with DOM calls and
// textContent only, so names from the data (quotes, markup, any script) are shown, never run.
import type { SourceRef } from './api';
import type { PanelSection } from './dated-facts';

/** Properties shown elsewhere in the panel (heading, sources) or only used for lookups and merges. */
const SHOWN_ELSEWHERE = new Set(['id', 'name', 'sourceIds', 'key']);

export interface PanelLink {
  label: string;
  href: string;
  download?: boolean;
}

export interface PanelContent {
  title: string;
  subtitle: string;
  properties: Record<string, unknown>;
  sources: SourceRef[];
  /** Source ids the data names but the service does not know (shown as bare ids). */
  unknownSourceIds: string[];
  links: PanelLink[];
  /** Dated facts with their own sources (a country's memberships and sanctions). */
  sections?: PanelSection[];
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

/** Only web addresses become links: a `javascript:` or `data:` URL in the data stays plain text. */
export function isWebUrl(url: string | null): url is string {
  return url !== null && /^https?:\/\/[^\s]+$/i.test(url);
}

function sourceItem(s: SourceRef): HTMLLIElement {
  const li = el('li', { 'data-source-id': s.id });
  if (isWebUrl(s.url)) {
    const a = el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.name);
    li.append(a);
  } else li.append(el('span', {}, s.name));
  li.append(el('span', { class: 'muted' }, ` (${s.id})`));
  return li;
}

export function renderPanel(root: HTMLElement, c: PanelContent): void {
  root.replaceChildren();
  const title = el('h2', { id: 'details-title', 'data-testid': 'details-title' }, c.title);
  root.append(title, el('p', { class: 'subtitle', 'data-testid': 'details-subtitle' }, c.subtitle));

  root.append(el('h3', {}, 'Properties'));
  const dl = el('dl', { 'data-testid': 'details-properties' });
  const keys = Object.keys(c.properties)
    .filter((k) => !SHOWN_ELSEWHERE.has(k))
    .sort();
  for (const k of keys) {
    const value = formatValue(c.properties[k]);
    if (value === '') continue;
    dl.append(el('dt', {}, k), el('dd', { 'data-property': k }, value));
  }
  if (!dl.hasChildNodes()) dl.append(el('dt', {}, '(none)'));
  root.append(dl);

  for (const section of c.sections ?? []) {
    if (section.facts.length === 0) continue;
    root.append(el('h3', {}, section.title));
    const list = el('ul', { 'data-testid': section.testId });
    for (const fact of section.facts) {
      const li = el('li', {}, fact.text);
      const cited = el('ul', { class: 'fact-sources' });
      for (const s of fact.sources) cited.append(sourceItem(s));
      li.append(cited);
      list.append(li);
    }
    root.append(list);
  }

  root.append(el('h3', {}, 'Sources'));
  const ul = el('ul', { 'data-testid': 'details-sources' });
  for (const s of c.sources) ul.append(sourceItem(s));
  for (const id of c.unknownSourceIds) ul.append(el('li', { 'data-source-id': id }, id));
  if (!ul.hasChildNodes()) ul.append(el('li', { class: 'muted' }, 'No source recorded.'));
  root.append(ul);

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
