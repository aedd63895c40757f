// The explorer at /: an analyst's workbench over the API. The Graph tab draws an entity's
// neighbourhood (a country's deals collapsed into one weighted edge per partner), opens, collapses and
// hides nodes, undoes, and finds paths; the side panel gives every fact with its sources. The Network
// tab draws who supplies whom at the level of countries (transferNetwork). The Register
// tab lists the deals of a filter and downloads them as CSV; the Tables tab gives SIPRI-style TIV
// tables and charts. Every view's state is in the address (url-state.ts), so a copied link reopens
// it. Everything it loads comes from this service (the Content-Security-Policy in
// src/http/web-pages.ts).
import type cytoscape from 'cytoscape';
import './explorer.css';
import {
  allSources,
  dealGroups,
  deals,
  entityDetails,
  neighborhood,
  paths,
  releaseSources,
  search,
  setToken,
  subgraph,
  type DealGroup,
  type SearchHit,
} from './api';
import { FACT_LABELS, RELATION_TYPES as MODEL_RELATION_TYPES, relationEnds } from '../../src/model';
import { byId } from './dom';
import { entityPanel } from './entity-facts';
import { exportLinks } from './export-links';
import { Feedback } from './feedback';
import { GraphView, type GroupEdge } from './graph-view';
import { NetworkTab } from './network-tab';
import { RegisterTab, type TabHost } from './register-tab';
import { renderPanel, type PanelAction } from './side-panel';
import { download, TablesTab } from './tables-tab';
import {
  DEFAULT_FIRST,
  formatState,
  MAX_FIRST,
  parseState,
  TABS,
  type Grouping,
  type Tab,
  type ViewState,
} from './url-state';

/** Relation types between entities, which `paths` follows: the model's less those to a deal's own facts. */
const RELATION_TYPES = MODEL_RELATION_TYPES.filter(
  (t) => !relationEnds(t).to.some((l) => (FACT_LABELS as readonly string[]).includes(l)),
);

/** A party with more deals than this is drawn with its deals grouped (unless the analyst asks otherwise). */
const GROUP_ABOVE = 24;
/** Nodes a grouped view draws besides the groups: the entities that frame it and its largest deals. */
const GROUPED_FIRST = 60;
/** Deals a grouped view draws one by one, largest first (besides those tied to other facts). */
const GROUPED_DEALS = 12;
/** Deals an opened group draws at first, and how many more each "show" adds. */
const GROUP_PAGE = 25;
/** Most deals one group draws (Query.deals' page cap). */
const GROUP_MAX = 500;
const UNDO_DEPTH = 30;

const searchForm = byId<HTMLFormElement>('search-form');
const searchInput = byId<HTMLInputElement>('search-input');
const depthSelect = byId<HTMLSelectElement>('depth-select');
const groupSelect = byId<HTMLSelectElement>('group-select');
const resultsSection = byId<HTMLElement>('results-section');
const results = byId<HTMLUListElement>('results');
const filters = byId<HTMLFieldSetElement>('filters');
const exportButton = byId<HTMLButtonElement>('export-view');
const details = byId<HTMLElement>('details');
const nodeList = byId<HTMLUListElement>('node-list');
const statusLine = byId<HTMLElement>('status');
const graphSummary = byId<HTMLElement>('graph-summary');
const showMore = byId<HTMLButtonElement>('show-more');
const undoButton = byId<HTMLButtonElement>('undo');
const unhideButton = byId<HTMLButtonElement>('unhide');
const pathsForm = byId<HTMLFormElement>('paths-form');
const pathsFrom = byId<HTMLElement>('paths-from');
const pathsTo = byId<HTMLInputElement>('paths-to');
const pathsHops = byId<HTMLSelectElement>('paths-hops');
const pathsClear = byId<HTMLButtonElement>('paths-clear');
const tokenForm = byId<HTMLFormElement>('token-form');
const tokenInput = byId<HTMLInputElement>('token-input');

const feedback = new Feedback({
  loading: byId('loading'),
  loadingText: byId('loading-text'),
  cancel: byId('cancel'),
  status: statusLine,
  statusText: byId('status-text'),
  retry: byId('retry'),
  onUnauthenticated: () => {
    const token = tokenForm.closest('details');
    if (token) token.open = true;
  },
  onSettled: () => commit(),
  onCancelled: () => restoreCommitted(),
});

let state: ViewState = parseState(location.search);

const view = new GraphView(byId('cy'), {
  onNodeTap: (id) => void selectElement(id),
  onNodeOpen: (id) => void expandNode(id),
  onEdgeTap: (id) => void selectElement(id),
});

/** What the current graph was built from: a change of these rebuilds it. */
let builtFor = '';
/** The focus's canonical id and its deal groups in the current view. */
let focusId: string | undefined;
let groupsInView = new Map<string, DealGroup>();
let groupBy: 'PARTNER' | 'SYSTEM' = 'PARTNER';
/** What the view left out, in words, and what "show" does about it. */
let leftOut: { text: string; action?: () => void } | undefined;
let truncated = false;
const undoStack: Array<{
  state: string;
  elements: unknown[];
  groups: Map<string, DealGroup>;
  leftOut: typeof leftOut;
}> = [];

// --- the view to come back to ------------------------------------------------------------------

/**
 * What the page showed when nothing was running: Cancel puts it back, so a cancelled action leaves
 * neither a half-drawn graph nor an address naming a view that was never shown.
 */
interface Committed {
  url: string;
  elements: cytoscape.ElementDefinition[];
  zoom: number;
  pan: cytoscape.Position;
  groups: Map<string, DealGroup>;
  leftOut: typeof leftOut;
  focusId: string | undefined;
  builtFor: string;
  truncated: boolean;
  /** The panel's own nodes (with their listeners): a later render replaces them, it does not change them. */
  panel: ChildNode[];
  panelId: string | undefined;
  panelLoaded: string | undefined;
  undoDepth: number;
}
let committed: Committed | undefined;

function commit(): void {
  committed = {
    url: formatState(state),
    elements: view.cy.elements().jsons() as unknown as cytoscape.ElementDefinition[],
    zoom: view.cy.zoom(),
    pan: { ...view.cy.pan() },
    groups: new Map(groupsInView),
    leftOut,
    focusId,
    builtFor,
    truncated,
    panel: [...details.childNodes],
    panelId: details.dataset.id,
    panelLoaded: details.dataset.loaded,
    undoDepth: undoStack.length,
  };
}

function restoreCommitted(): void {
  const c = committed;
  if (!c) return;
  state = parseState(c.url);
  history.replaceState(null, '', `${location.pathname}${c.url}`);
  view.clear();
  view.cy.add(c.elements);
  view.cy.viewport({ zoom: c.zoom, pan: c.pan });
  for (const [type] of view.relationTypes()) view.setTypeVisible(type, !state.typesOff.includes(type));
  groupsInView = c.groups;
  leftOut = c.leftOut;
  focusId = c.focusId;
  builtFor = c.builtFor;
  truncated = c.truncated;
  details.replaceChildren(...c.panel);
  if (c.panelId === undefined) delete details.dataset.id;
  else details.dataset.id = c.panelId;
  if (c.panelLoaded === undefined) delete details.dataset.loaded;
  else details.dataset.loaded = c.panelLoaded;
  panelSubject = c.panelId;
  undoStack.length = Math.min(undoStack.length, c.undoDepth);
  undoButton.dataset.off = String(undoStack.length === 0);
  showTab(state.tab);
  syncGraphControls();
  registerTab.restore();
  tablesTab.restore();
  networkTab.restore();
  afterChange();
}

// A debugging and testing handle: the browser test reads node positions to click them.
(
  window as unknown as { armsgraphExplorer: { view: GraphView; network: () => cytoscape.Core | undefined } }
).armsgraphExplorer = { view, network: () => networkTab.graph };

// --- the address -------------------------------------------------------------------------------

function writeUrl(push: boolean): void {
  const url = `${location.pathname}${formatState(state)}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

function update(change: (s: ViewState) => void, push = false): void {
  change(state);
  writeUrl(push);
}

/** The part of the state the graph is built from (opened groups and nodes are replayed on top). */
const graphKey = (s: ViewState) => JSON.stringify([s.focus, s.depth, s.group, s.first, s.pathTo, s.hops]);

window.addEventListener('popstate', () => {
  state = parseState(location.search);
  commit();
  void applyState(true);
});

// --- tabs --------------------------------------------------------------------------------------

const tabButtons = TABS.map((t) => byId<HTMLButtonElement>(`tab-${t}`));

function showTab(tab: Tab): void {
  for (const b of tabButtons) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    byId(`panel-${b.dataset.tab ?? ''}`).hidden = !on;
  }
  document.body.dataset.tab = tab;
}

for (const b of tabButtons) {
  b.addEventListener('click', () => {
    const tab = b.dataset.tab as Tab;
    update((s) => (s.tab = tab), true);
    void applyState(false);
  });
  // The tab list's keyboard pattern: arrows move between tabs, Home and End jump.
  b.addEventListener('keydown', (e) => {
    const i = tabButtons.indexOf(b);
    const to =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? -1
              : null;
    if (to === null) return;
    e.preventDefault();
    const next = tabButtons.at(to % tabButtons.length);
    next?.focus();
    next?.click();
  });
}

const host: TabHost = {
  state: () => state,
  update,
  run: (what, work) => feedback.run(what, work),
  say: (text) => feedback.say(text),
  openEntity: (id) => focusOn(id),
  openRegister: (filter) => {
    update((s) => {
      s.tab = 'register';
      s.register = { ...s.register, filter, after: undefined, page: 0 };
    }, true);
    void applyState(false);
  },
};
const registerTab = new RegisterTab(host);
const tablesTab = new TablesTab(host);
const networkTab = new NetworkTab(host);

/** The graph tab's controls as the state says. */
function syncGraphControls(): void {
  depthSelect.value = String(state.depth);
  groupSelect.value = state.group;
  pathsTo.value = state.pathTo ?? '';
  pathsHops.value = String(state.hops);
  pathsClear.hidden = state.pathTo === undefined;
}

/** Brings the page in line with the state (after a load, a back/forward, a tab change). */
async function applyState(rebuild: boolean): Promise<void> {
  showTab(state.tab);
  syncGraphControls();
  if (state.tab === 'register') await registerTab.show();
  else if (state.tab === 'tables') await tablesTab.show();
  else if (state.tab === 'network') await networkTab.show();
  else if (rebuild || graphKey(state) !== builtFor) await buildGraph();
  // A tab change that needed no request is a view to come back to as well.
  if (!feedback.busy) commit();
}

// --- the graph ---------------------------------------------------------------------------------

function snapshot(): void {
  undoStack.push({
    state: formatState(state),
    elements: view.cy.elements().jsons() as unknown[],
    groups: new Map(groupsInView),
    leftOut,
  });
  if (undoStack.length > UNDO_DEPTH) undoStack.shift();
  undoButton.dataset.off = 'false';
  feedback.syncControls();
}

function undo(): void {
  const last = undoStack.pop();
  if (!last) return;
  state = parseState(last.state);
  writeUrl(true);
  builtFor = graphKey(state);
  groupsInView = last.groups;
  leftOut = last.leftOut;
  view.clear();
  view.cy.add(last.elements as cytoscape.ElementDefinition[]);
  afterChange();
  undoButton.dataset.off = String(undoStack.length === 0);
  feedback.syncControls();
  void selectElement(state.selected ?? focusId);
}

/** Builds the view the state names: the focus's neighbourhood (grouped), or paths; then replays. */
function buildGraph(): Promise<void> {
  const key = graphKey(state);
  return feedback.run(state.focus ? `Loading ${state.focus}` : 'Clearing the view', async (signal) => {
    const s = state;
    if (!s.focus) {
      view.clear();
      builtFor = key;
      focusId = undefined;
      afterChange();
      return;
    }
    const entity = await entityDetails(s.focus, signal);
    if (!entity) throw new Error(`No entity matches "${s.focus}".`);
    focusId = entity.id;
    // The address names the entity by id from now on: the same view whatever name was typed.
    if (s.focus !== entity.id) update((x) => (x.focus = entity.id));
    pathsFrom.textContent = entity.name;
    groupsInView = new Map();
    leftOut = undefined;
    truncated = false;
    view.clear();

    if (s.pathTo) {
      // Unticked relation types are not followed: paths through other kinds of relation only.
      const types = s.typesOff.length > 0 ? RELATION_TYPES.filter((t) => !s.typesOff.includes(t)) : null;
      const sub = await paths(entity.id, s.pathTo, s.hops, types, signal);
      view.add(sub);
      truncated = sub.truncated;
      leftOut = {
        text:
          sub.nodes.length <= 1
            ? `No path of at most ${s.hops} hops from ${entity.name} to ${s.pathTo}.`
            : `Shortest paths from ${entity.name} to ${s.pathTo}: ${sub.nodes.length} entities, ${sub.edges.length} relations.`,
      };
    } else {
      groupBy = s.group === 'system' ? 'SYSTEM' : 'PARTNER';
      const groups = s.group === 'none' ? [] : await dealGroups(entity.id, groupBy, signal);
      const dealCount = groups.reduce((n, g) => n + g.deals, 0);
      if (dealCount > GROUP_ABOVE) await drawGrouped(entity.id, groups, s, signal);
      else await drawPlain(entity.id, s, signal);
      for (const g of s.groups) await openGroup(g.key, g.shown, signal, false);
      for (const x of s.expanded) await addNeighbourhood(x, signal);
    }
    view.markExpanded(entity.id);
    view.setHidden(s.hidden);
    for (const t of s.typesOff) view.setTypeVisible(t, false);
    await view.layout(true);
    builtFor = key;
    afterChange();
    await showDetails(s.selected ?? entity.id, signal);
  });
}

/** A country (or any party) with many deals: the frame and its largest deals, the rest as groups. */
async function drawGrouped(
  id: string,
  groups: DealGroup[],
  s: ViewState,
  signal: AbortSignal,
): Promise<void> {
  const around = await neighborhood(id, s.depth, GROUPED_FIRST, signal);
  const ids = new Set(around.nodes.map((n) => n.id));
  for (const g of groups) ids.add(g.entity.id);
  // The real relationships among everything drawn (a drawn deal to its partner, a partner to NATO).
  const whole = await subgraph([...ids].slice(0, MAX_FIRST), signal);
  // Deals drawn one by one: the largest few, and those tied to more than their parties and system
  // (a deal that drew sanctions, an exclusion or objections is part of the country's story).
  const partyTypes = new Set(['BUYER', 'SELLER', 'COVERS']);
  const notable = new Set(
    whole.edges.filter((e) => !partyTypes.has(e.type)).flatMap((e) => [e.source, e.target]),
  );
  const dealIds = around.nodes.filter((n) => n.labels.includes('Deal')).map((n) => n.id);
  const keep = new Set([...dealIds.slice(0, GROUPED_DEALS), ...dealIds.filter((d) => notable.has(d))]);
  whole.nodes = whole.nodes.filter((n) => !n.labels.includes('Deal') || keep.has(n.id));
  const kept = new Set(whole.nodes.map((n) => n.id));
  whole.edges = whole.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
  view.add(whole);
  view.tagOrigin(
    whole.nodes.map((n) => n.id),
    'base',
  );
  const drawn: GroupEdge[] = groups.map((g) => groupEdge(id, g));
  for (const g of groups) groupsInView.set(g.key, g);
  view.addGroups(drawn);
  const total = groups.reduce((n, g) => n + g.deals, 0);
  const dealsDrawn = view.cy.nodes('[kind = "Deal"]').length;
  leftOut = {
    text:
      `${total.toLocaleString('en')} deals with ${groups.length} ${groupBy === 'SYSTEM' ? 'systems' : 'partners'}, ` +
      `grouped as orange edges (width: TIV delivered); the ${dealsDrawn} largest are drawn. ` +
      `+ ${(total - dealsDrawn).toLocaleString('en')} more deals: open a group (click its edge) to show them, or`,
    action: () => {
      update((x) => {
        x.group = 'none';
        x.first = DEFAULT_FIRST;
      }, true);
      void buildGraph();
    },
  };
}

async function drawPlain(id: string, s: ViewState, signal: AbortSignal): Promise<void> {
  const sub = await neighborhood(id, s.depth, s.first, signal);
  view.add(sub);
  view.tagOrigin(
    sub.nodes.map((n) => n.id),
    'base',
  );
  truncated = sub.truncated;
  const omitted = sub.omitted ?? [];
  if (omitted.length > 0) {
    const words = omitted
      .map((o) => `${o.count.toLocaleString('en')} more ${kindWord(o.label, o.count)}`)
      .join(', ');
    leftOut = {
      text: `+ ${words}`,
      ...(s.first < MAX_FIRST
        ? {
            action: () => {
              snapshot();
              update((x) => (x.first = Math.min(MAX_FIRST, x.first + DEFAULT_FIRST)), true);
              void buildGraph();
            },
          }
        : {}),
    };
  }
}

function kindWord(label: string, n: number): string {
  const words: Record<string, [string, string]> = {
    Deal: ['deal', 'deals'],
    Country: ['country', 'countries'],
    WeaponSystem: ['weapon system', 'weapon systems'],
    Organization: ['organisation', 'organisations'],
    Program: ['programme', 'programmes'],
    Alliance: ['alliance', 'alliances'],
    Person: ['person', 'people'],
    Source: ['source', 'sources'],
  };
  const w = words[label] ?? [label, label];
  return n === 1 ? w[0] : w[1];
}

function groupEdge(focus: string, g: DealGroup): GroupEdge {
  const tiv = Math.round(g.tivDelivered).toLocaleString('en');
  // Arrows follow the goods: from the supplier to the recipient.
  const sold = g.role === 'SELLER';
  return {
    key: g.key,
    source: sold ? focus : g.entity.id,
    target: sold ? g.entity.id : focus,
    label: `${g.deals} deal${g.deals === 1 ? '' : 's'} · TIV ${tiv}`,
    tivDelivered: g.tivDelivered,
    deals: g.deals,
    role: g.role,
    partner: g.entity.id,
  };
}

/** The deals filter of a group: the focus in its role, the partner (or system) on the other side. */
function groupFilter(key: string): Record<string, string> | undefined {
  const g = groupsInView.get(key);
  if (!g || !focusId) return undefined;
  const mine = g.role === 'BUYER' ? 'buyer' : 'seller';
  if (groupBy === 'SYSTEM') return { [mine]: focusId, system: g.entity.id };
  return { [mine]: focusId, [g.role === 'BUYER' ? 'seller' : 'buyer']: g.entity.id };
}

/** Draws the largest `shown` deals of a group with their real edges. */
async function openGroup(key: string, shown: number, signal: AbortSignal, layout = true): Promise<void> {
  const filter = groupFilter(key);
  const g = groupsInView.get(key);
  if (!filter || !g || !focusId) return;
  const page = await deals(filter, 'TIV_DELIVERED_DESC', Math.min(GROUP_MAX, shown), undefined, signal);
  const ids = page.edges.map((e) => e.node.id);
  const sub = await subgraph([focusId, g.entity.id, ...ids], signal);
  view.add(sub, focusId);
  view.tagOrigin(ids, `group:${key}`);
  view.markGroupOpen(key, true);
  if (layout) await view.layout(false);
}

async function addNeighbourhood(id: string, signal: AbortSignal): Promise<void> {
  const sub = await neighborhood(id, state.depth, DEFAULT_FIRST, signal);
  truncated ||= sub.truncated;
  view.add(sub, id);
  view.tagOrigin(
    sub.nodes.map((n) => n.id),
    `x:${id}`,
  );
  view.markExpanded(id);
}

/** Double click or "Open neighbourhood": adds a node's neighbours to the view. */
function expandNode(id: string): Promise<void> {
  if (view.isExpanded(id)) return selectElement(id);
  return feedback.run(`Opening ${view.nodeData(id)?.name ?? id}`, async (signal) => {
    snapshot();
    await addNeighbourhood(id, signal);
    update((s) => {
      if (!s.expanded.includes(id)) s.expanded.push(id);
      s.selected = id;
    }, true);
    await view.layout(false);
    afterChange();
    await showDetails(id, signal);
  });
}

function collapseNode(id: string): void {
  snapshot();
  const removed = view.removeOrigin(`x:${id}`);
  view.cy.getElementById(id).removeClass('expanded');
  update((s) => {
    s.expanded = s.expanded.filter((x) => x !== id && !removed.includes(x));
  }, true);
  afterChange();
}

function showGroup(key: string, more: number): Promise<void> {
  const open = state.groups.find((g) => g.key === key);
  const shown = Math.min(GROUP_MAX, (open?.shown ?? 0) + more);
  return feedback.run('Loading the deals of the group', async (signal) => {
    snapshot();
    await openGroup(key, shown, signal);
    update((s) => {
      s.groups = [...s.groups.filter((g) => g.key !== key), { key, shown }];
      s.selected = `group:${key}`;
    }, true);
    afterChange();
    await showDetails(`group:${key}`, signal);
  });
}

function closeGroup(key: string): void {
  snapshot();
  view.removeOrigin(`group:${key}`);
  view.markGroupOpen(key, false);
  update((s) => (s.groups = s.groups.filter((g) => g.key !== key)), true);
  afterChange();
  void selectElement(`group:${key}`);
}

function hideNode(id: string): void {
  snapshot();
  update((s) => {
    if (!s.hidden.includes(id)) s.hidden.push(id);
    if (s.selected === id) s.selected = undefined;
  }, true);
  view.setHidden(state.hidden);
  afterChange();
}

/** A new view focused on one entity (search hit, panel link, register row). */
function focusOn(id: string): void {
  if (builtFor !== '') snapshot();
  update((s) => {
    s.tab = 'graph';
    s.focus = id;
    s.expanded = [];
    s.groups = [];
    s.hidden = [];
    s.selected = undefined;
    s.pathTo = undefined;
    s.first = DEFAULT_FIRST;
  }, true);
  commit();
  void applyState(true);
}

/** After the drawing changed: the lists, the summary, the buttons. */
function afterChange(): void {
  refreshLists();
  const { nodes, edges } = view.shown();
  const hiddenEdges = view.cy.edges().not('.user-hidden').length - edges.length;
  statusLine.dataset.nodes = String(nodes.length);
  statusLine.dataset.edgesShown = String(edges.length);
  statusLine.dataset.edgesHidden = String(hiddenEdges);
  statusLine.dataset.groups = String(view.cy.edges('[?group]').length);
  statusLine.dataset.deals = String(nodes.filter('[kind = "Deal"]').length);
  const counts =
    nodes.length === 0
      ? 'Search an entity to start.'
      : `${nodes.length} nodes, ${edges.length} edges shown` +
        (hiddenEdges > 0 ? ` (${hiddenEdges} hidden by the relation filter)` : '') +
        (truncated && !leftOut ? '. Some neighbourhoods were cut at the node cap.' : '.');
  feedback.say(counts);
  graphSummary.textContent = leftOut?.text ?? '';
  showMore.hidden = !leftOut?.action;
  showMore.textContent = state.group !== 'none' && groupsInView.size > 0 ? 'show one node each' : 'show';
  showMore.setAttribute('aria-label', `${leftOut?.text ?? ''} ${showMore.textContent}`.trim());
  exportButton.dataset.off = String(nodes.length === 0);
  unhideButton.dataset.off = String(state.hidden.length === 0);
  unhideButton.textContent = state.hidden.length > 0 ? `Show hidden (${state.hidden.length})` : 'Show hidden';
  feedback.syncControls();
  // A change made without a request (hide, collapse, a relation type) is the view Cancel returns to.
  if (!feedback.busy) commit();
}

// --- the side panel ----------------------------------------------------------------------------

/** What the panel shows (a node, edge or group id), so a late answer for an older click is dropped. */
let panelSubject: string | undefined;

function selectElement(id: string | undefined): Promise<void> {
  if (id === undefined) return Promise.resolve();
  update((s) => (s.selected = id === focusId ? undefined : id));
  return feedback.run(`Loading ${view.nodeData(id)?.name ?? id}`, (signal) => showDetails(id, signal));
}

async function showDetails(id: string, signal: AbortSignal): Promise<void> {
  view.select(id);
  panelSubject = id;
  details.dataset.id = id;
  details.dataset.loaded = 'false';
  const node = view.nodeData(id);
  const edge = node ? undefined : view.edgeData(id);
  if (node) {
    const expanded = view.isExpanded(id);
    const actions: PanelAction[] = [
      expanded && id !== focusId
        ? { label: 'Collapse', testid: 'action-collapse', run: () => collapseNode(id) }
        : {
            label: 'Open neighbourhood',
            testid: 'action-expand',
            run: () => void expandNode(id),
            disabled: expanded,
          },
      { label: 'Hide', testid: 'action-hide', run: () => hideNode(id), disabled: id === focusId },
      { label: 'Focus here', testid: 'action-focus', run: () => focusOn(id), disabled: id === focusId },
    ];
    if (node.kind === 'Country' || node.kind === 'Organization') {
      actions.push({
        label: 'Its purchases in the register',
        testid: 'action-register',
        run: () => host.openRegister({ buyer: id }),
      });
    }
    const base = {
      title: node.name,
      subtitle: `${node.kind} · ${node.id}`,
      actions,
      links: exportLinks(id, state.depth),
      unknownSourceIds: [],
      onEntity: (other: string) => (view.nodeData(other) ? void selectElement(other) : focusOn(other)),
    };
    renderPanel(details, { ...base, properties: node.properties, sources: [] });
    const entity = await entityDetails(id, signal);
    // A SIPRI deal's revisions name releases by date: their Sources come from the list of releases.
    const releases = entity?.sipriRelease ? await releaseSources() : undefined;
    if (panelSubject !== id) return;
    if (entity) renderPanel(details, { ...base, ...entityPanel(entity, releases), sources: entity.sources });
  } else if (edge && edge.type === 'DEALS') {
    const key = id.replace(/^group:/, '');
    const g = groupsInView.get(key);
    if (!g) return;
    const open = state.groups.find((x) => x.key === key);
    const drawn = open ? view.cy.nodes().filter((n) => n.data('origin') === `group:${key}`).length : 0;
    const rest = g.deals - Math.min(g.deals, open?.shown ?? 0);
    const focusName = view.nodeData(focusId ?? '')?.name ?? focusId ?? '';
    const actions: PanelAction[] = [];
    if (rest > 0)
      actions.push({
        label: `+ ${rest} more deal${rest === 1 ? '' : 's'}: show`,
        testid: 'group-show',
        run: () => void showGroup(key, GROUP_PAGE),
      });
    if (open) actions.push({ label: 'Close the group', testid: 'group-close', run: () => closeGroup(key) });
    actions.push({
      label: 'In the register',
      testid: 'group-register',
      run: () => {
        const filter = groupFilter(key) ?? {};
        update((s) => {
          s.tab = 'register';
          s.register = { ...s.register, filter, after: undefined, page: 0, sort: 'TIV_DELIVERED_DESC' };
        }, true);
        void applyState(false);
      },
    });
    renderPanel(details, {
      title:
        groupBy === 'SYSTEM'
          ? `${focusName}: ${g.entity.name}`
          : g.role === 'BUYER'
            ? `${g.entity.name} → ${focusName}`
            : `${focusName} → ${g.entity.name}`,
      subtitle: `${g.deals} deals, ${open ? `${drawn} drawn` : 'collapsed into this edge'}`,
      properties: {
        deals: g.deals,
        tivDelivered: g.tivDelivered,
        firstOrderYear: g.firstOrderYear,
        lastOrderYear: g.lastOrderYear,
      },
      sources: [],
      unknownSourceIds: [],
      actions,
      links: [],
    });
  } else if (edge) {
    const nameOf = (n: string) => view.nodeData(n)?.name ?? n;
    const ids = Array.isArray(edge.properties.sourceIds) ? edge.properties.sourceIds.map(String) : [];
    const known = await allSources();
    if (panelSubject !== id) return;
    renderPanel(details, {
      title: edge.type,
      subtitle: `${nameOf(edge.source)} → ${nameOf(edge.target)}`,
      properties: edge.properties,
      sources: ids.flatMap((s) => known.get(s) ?? []),
      unknownSourceIds: ids.filter((s) => !known.has(s)),
      links: [],
    });
  } else return;
  details.dataset.id = id;
  details.dataset.loaded = 'true';
  feedback.syncControls();
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
      update((s) => {
        s.typesOff = input.checked
          ? s.typesOff.filter((t) => t !== type)
          : [...new Set([...s.typesOff, type])];
      });
      afterChange();
    });
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = ` ${type === 'DEALS' ? 'deals with one partner (grouped)' : type} (${count})`;
    const row = document.createElement('div');
    row.append(input, label);
    filters.append(row);
  }

  nodeList.replaceChildren();
  const nodes = view.cy
    .nodes()
    .not('.user-hidden')
    .sort((a, b) => String(a.data('name')).localeCompare(String(b.data('name'))));
  nodes.forEach((n) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.id = n.id();
    button.textContent = `${String(n.data('name'))} (${String(n.data('kind'))})`;
    // The keyboard's way to do what a click does on the canvas; Shift+Enter opens.
    button.addEventListener('click', (e) => void (e.shiftKey ? expandNode(n.id()) : selectElement(n.id())));
    const li = document.createElement('li');
    li.append(button);
    nodeList.append(li);
  });
}

// --- search, paths, toolbar ----------------------------------------------------------------------

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
    button.addEventListener('click', () => focusOn(hit.id));
    const li = document.createElement('li');
    li.append(button);
    results.append(li);
  }
}

searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = searchInput.value.trim();
  if (text === '') return;
  if (state.tab !== 'graph') {
    update((s) => (s.tab = 'graph'), true);
    showTab('graph');
  }
  void feedback.run(`Searching "${text}"`, async (signal) => {
    renderResults(await search(text, signal));
    // Keyboard flow: Enter searches, Enter again opens the best hit.
    results.querySelector('button')?.focus();
  });
});

pathsForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const to = pathsTo.value.trim();
  if (!to || !state.focus) {
    feedback.say('Open an entity first: paths start at the focused entity.');
    return;
  }
  snapshot();
  update((s) => {
    s.pathTo = to;
    s.hops = Number(pathsHops.value) || 4;
    s.expanded = [];
    s.groups = [];
  }, true);
  void buildGraph();
});
pathsClear.addEventListener('click', () => {
  update((s) => (s.pathTo = undefined), true);
  void buildGraph();
});

depthSelect.addEventListener('change', () => {
  if (state.focus) snapshot();
  update((s) => {
    s.depth = Number(depthSelect.value) || 1;
    s.expanded = [];
    s.groups = [];
  }, true);
  // A new depth is a new view: reload it.
  void buildGraph();
});
groupSelect.addEventListener('change', () => {
  if (state.focus) snapshot();
  update((s) => {
    s.group = groupSelect.value as Grouping;
    s.groups = [];
  }, true);
  void buildGraph();
});
showMore.addEventListener('click', () => leftOut?.action?.());
byId('fit').addEventListener('click', () => view.fit());
undoButton.addEventListener('click', undo);
unhideButton.addEventListener('click', () => {
  snapshot();
  update((s) => (s.hidden = []), true);
  view.setHidden([]);
  afterChange();
});
byId('copy-link').addEventListener('click', () => {
  const url = location.href;
  navigator.clipboard.writeText(url).then(
    () => feedback.say('Link to this view copied.'),
    () => feedback.say(`Link to this view: ${url}`),
  );
});
exportButton.addEventListener('click', () => {
  const json = JSON.stringify(view.toCytoscapeJson(focusId), null, 2);
  download(
    new Blob([json], { type: 'application/json' }),
    `armsgraph-view${focusId ? `-${focusId}` : ''}.json`,
  );
});
tokenForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
  tokenInput.value = '';
  feedback.say('Token saved for this tab.');
});

commit();
void applyState(true);
