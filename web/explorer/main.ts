// The graph explorer at /: search an entity, draw its neighbourhood, expand nodes by clicking them,
// hide relation types, read properties and sources, export the view. Everything it loads comes from
// this service (see the Content-Security-Policy in src/http/web-pages.ts).
import './explorer.css';
import { ApiError, allSources, entityDetails, neighborhood, search, setToken, type SearchHit } from './api';
import { exportLinks } from './export-links';
import { GraphView } from './graph-view';
import { datedSections } from './dated-facts';
import { renderPanel } from './side-panel';

/** Most nodes one neighbourhood request may bring (the API's `first`). */
const NODE_CAP = 200;

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page lacks #${id}`);
  return e as T;
}

const searchForm = byId<HTMLFormElement>('search-form');
const searchInput = byId<HTMLInputElement>('search-input');
const depthSelect = byId<HTMLSelectElement>('depth-select');
const resultsSection = byId<HTMLElement>('results-section');
const results = byId<HTMLUListElement>('results');
const filters = byId<HTMLFieldSetElement>('filters');
const exportButton = byId<HTMLButtonElement>('export-view');
const details = byId<HTMLElement>('details');
const nodeList = byId<HTMLUListElement>('node-list');
const statusLine = byId<HTMLElement>('status');
const tokenForm = byId<HTMLFormElement>('token-form');
const tokenInput = byId<HTMLInputElement>('token-input');

const view = new GraphView(byId('cy'), {
  onNodeTap: (id) => void selectNode(id, true),
  onEdgeTap: (id) => void selectEdge(id),
});
/** The entity last opened or clicked: it names the export and its neighbourhood is linked. */
let focused: string | undefined;
/** What the side panel shows (a node or an edge id), so a late answer for an older click is dropped. */
let panelSubject: string | undefined;
let truncated = false;
let pending = 0;
let loads = 0;

// A debugging and testing handle: the browser test reads node positions to click them.
(window as unknown as { armsgraphExplorer: { view: GraphView } }).armsgraphExplorer = { view };

const depth = (): number => Number(depthSelect.value) || 1;

/** Runs one user action: marks the page busy (body[data-state]), reports failures in the status line. */
async function act(what: string, fn: () => Promise<void>): Promise<void> {
  pending += 1;
  document.body.dataset.state = 'busy';
  statusLine.textContent = `${what}…`;
  try {
    await fn();
    updateStatus();
  } catch (err) {
    showError(err);
  } finally {
    pending -= 1;
    loads += 1;
    document.body.dataset.loads = String(loads);
    if (pending === 0) document.body.dataset.state = 'idle';
  }
}

function showError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  statusLine.textContent = `Error: ${message}`;
  statusLine.dataset.error = 'true';
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
    const token = tokenForm.closest('details');
    if (token) token.open = true;
    statusLine.textContent = 'The service needs a read token: enter it under "Access token".';
  }
}

function updateStatus(): void {
  const { nodes, edges } = view.shown();
  const hidden = view.cy.edges().length - edges.length;
  statusLine.dataset.error = 'false';
  statusLine.dataset.nodes = String(nodes.length);
  statusLine.dataset.edgesShown = String(edges.length);
  statusLine.dataset.edgesHidden = String(hidden);
  statusLine.textContent =
    nodes.length === 0
      ? 'Search an entity to start.'
      : `${nodes.length} nodes, ${edges.length} edges shown` +
        (hidden > 0 ? ` (${hidden} hidden by the relation filter)` : '') +
        (truncated ? '. Some neighbourhoods were cut at the node cap.' : '.');
  exportButton.disabled = nodes.length === 0;
}

function renderResults(hits: SearchHit[]): void {
  resultsSection.hidden = false;
  results.replaceChildren();
  if (hits.length === 0) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = 'Nothing found.';
    results.append(li);
    return;
  }
  for (const hit of hits) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.testid = 'search-result';
    button.dataset.id = hit.id;
    button.textContent = `${hit.name} — ${hit.__typename} (${hit.id})`;
    button.addEventListener('click', () => void openNeighbourhood(hit.id));
    const li = document.createElement('li');
    li.append(button);
    results.append(li);
  }
}

/** Starts a new view: the neighbourhood of one entity. */
function openNeighbourhood(id: string): Promise<void> {
  return act(`Loading the neighbourhood of ${id}`, async () => {
    const sub = await neighborhood(id, depth(), NODE_CAP);
    truncated = sub.truncated;
    view.clear();
    view.add(sub);
    view.markExpanded(id);
    await view.layout(true);
    refreshLists();
    await showNode(id);
  });
}

/** A click on a node: show it in the panel, and add its neighbourhood to the view once. */
function selectNode(id: string, expand: boolean): Promise<void> {
  return act(`Loading ${id}`, async () => {
    const details = showNode(id);
    if (expand && !view.isExpanded(id)) {
      const sub = await neighborhood(id, depth(), NODE_CAP);
      truncated ||= sub.truncated;
      view.add(sub, id);
      view.markExpanded(id);
      await view.layout(false);
      refreshLists();
    }
    await details;
  });
}

async function showNode(id: string): Promise<void> {
  const data = view.nodeData(id);
  if (!data) return;
  focused = id;
  panelSubject = id;
  view.focus(id);
  const base = {
    title: data.name,
    subtitle: `${data.kind} · ${data.id}`,
    properties: data.properties,
    unknownSourceIds: [],
    links: exportLinks(id, depth()),
  };
  renderPanel(details, { ...base, sources: [] });
  details.dataset.id = id;
  details.dataset.loaded = 'false';
  const entity = await entityDetails(id);
  if (panelSubject !== id) return; // another click came first
  renderPanel(details, { ...base, sources: entity?.sources ?? [], sections: datedSections(entity) });
  details.dataset.loaded = 'true';
}

function selectEdge(id: string): Promise<void> {
  return act(`Loading edge ${id}`, async () => {
    const data = view.edgeData(id);
    if (!data) return;
    panelSubject = id;
    const nameOf = (n: string) => view.nodeData(n)?.name ?? n;
    const ids = Array.isArray(data.properties.sourceIds) ? data.properties.sourceIds.map(String) : [];
    const known = await allSources();
    if (panelSubject !== id) return;
    renderPanel(details, {
      title: data.type,
      subtitle: `${nameOf(data.source)} → ${nameOf(data.target)}`,
      properties: data.properties,
      sources: ids.flatMap((s) => known.get(s) ?? []),
      unknownSourceIds: ids.filter((s) => !known.has(s)),
      links: [],
    });
    details.dataset.id = id;
    details.dataset.loaded = 'true';
  });
}

/** Rebuilds the relation-type checkboxes and the accessible list of nodes after the view changed. */
function refreshLists(): void {
  filters.replaceChildren();
  const legend = document.createElement('legend');
  legend.className = 'visually-hidden';
  legend.textContent = 'Show edges of these relation types';
  filters.append(legend);
  for (const [type, count] of view.relationTypes()) {
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = type;
    input.checked = view.isTypeVisible(type);
    input.dataset.testid = `filter-${type}`;
    input.id = `filter-${type}`;
    input.addEventListener('change', () => {
      view.setTypeVisible(type, input.checked);
      updateStatus();
    });
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = ` ${type} (${count})`;
    const row = document.createElement('div');
    row.append(input, label);
    filters.append(row);
  }

  nodeList.replaceChildren();
  const nodes = view.cy.nodes().sort((a, b) => String(a.data('name')).localeCompare(String(b.data('name'))));
  nodes.forEach((n) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.id = n.id();
    button.textContent = `${String(n.data('name'))} (${String(n.data('kind'))})`;
    button.addEventListener('click', () => void selectNode(n.id(), true));
    const li = document.createElement('li');
    li.append(button);
    nodeList.append(li);
  });
}

function downloadView(): void {
  const json = JSON.stringify(view.toCytoscapeJson(focused), null, 2);
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `armsgraph-view${focused ? `-${focused}` : ''}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it started; free the blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = searchInput.value.trim();
  if (text === '') return;
  void act(`Searching "${text}"`, async () => {
    renderResults(await search(text));
    // Keyboard flow: Enter searches, Enter again opens the best hit.
    results.querySelector('button')?.focus();
  });
});

tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
  tokenInput.value = '';
  statusLine.textContent = 'Token saved for this tab.';
});

exportButton.addEventListener('click', downloadView);
// The panel's export links carry the depth: keep them in step with the selector.
depthSelect.addEventListener('change', () => {
  const id = focused;
  if (id !== undefined && panelSubject === id) void act(`Loading ${id}`, () => showNode(id));
});
document.body.dataset.state = 'idle';
document.body.dataset.loads = '0';
