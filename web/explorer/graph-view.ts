// The drawing: a cytoscape.js graph that grows as nodes are opened, with deals collapsed into one
// weighted edge per partner (or system), relation types and nodes that can be hidden, labels that
// step aside when zoomed out, and an export of exactly what is shown.
import cytoscape, { type Core, type EdgeSingular, type NodeSingular } from 'cytoscape';
import fcose, { type FcoseLayoutOptions } from 'cytoscape-fcose';
import type { GraphEdge, GraphNode, Subgraph } from './api';

/** Node colours by kind: the legend in index.html uses the same ones. */
export const KIND_COLOURS: Record<string, string> = {
  Country: '#2f6fb0',
  Deal: '#d9822b',
  WeaponSystem: '#c23b3b',
  Alliance: '#2e8b57',
  Program: '#7b4fb3',
  Organization: '#1f8a8a',
  Person: '#6b6b6b',
  Source: '#8a6d3b',
};

/** The kind shown for a node: its first label that names a kind. */
export function kindOf(labels: readonly string[]): string {
  return labels.find((l) => l in KIND_COLOURS) ?? labels[0] ?? 'Entity';
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'background-color': 'data(colour)',
      'font-size': 11,
      'text-valign': 'bottom',
      'text-margin-y': 3,
      'text-wrap': 'ellipsis',
      'text-max-width': '140px',
      width: 22,
      height: 22,
      color: '#1b1b1b',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      // Zoomed out, labels would only overlap: cytoscape hides text drawn smaller than this, so
      // countries' labels go below 90 % zoom, deals' below 110 %, relation names below 140 %.
      'min-zoomed-font-size': 10,
    },
  },
  {
    selector: 'node[kind = "Deal"]',
    style: { shape: 'round-rectangle', width: 18, height: 14, 'font-size': 9 },
  },
  { selector: 'node[kind = "WeaponSystem"]', style: { shape: 'diamond' } },
  { selector: 'node[kind = "Alliance"], node[kind = "Program"]', style: { shape: 'hexagon' } },
  { selector: 'node.expanded', style: { 'border-width': 2, 'border-color': '#1b1b1b' } },
  {
    selector: 'node.focused',
    style: { 'border-width': 4, 'border-color': '#f2c500', width: 30, height: 30 },
  },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#9aa5b1',
      'target-arrow-color': '#9aa5b1',
      'target-arrow-shape': 'triangle',
      'curve-style': 'bezier',
      label: 'data(type)',
      'font-size': 7,
      color: '#52606d',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.7,
      'text-rotation': 'autorotate',
      'min-zoomed-font-size': 10,
    },
  },
  // A group: all of an entity's deals with one partner (or of one system) as one edge, as thick as
  // their delivered TIV is large.
  {
    selector: 'edge[?group]',
    style: {
      width: 'data(width)',
      'line-color': '#d9822b',
      'target-arrow-color': '#d9822b',
      'line-opacity': 0.75,
      label: '',
      'font-size': 9,
      color: '#7a4311',
    },
  },
  // Only the largest groups and the selected one say how many deals and how much TIV they hold.
  { selector: 'edge[?group].labelled, edge[?group]:selected', style: { label: 'data(label)' } },
  { selector: 'edge[?group].open', style: { 'line-style': 'dashed', width: 2 } },
  {
    selector: 'edge:selected',
    style: { width: 3, 'line-color': '#f2c500', 'target-arrow-color': '#f2c500', color: '#1b1b1b' },
  },
  { selector: 'edge.type-hidden', style: { display: 'none' } },
  { selector: '.user-hidden', style: { display: 'none' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1b1b1b' } },
];

// fCoSE: a force-directed layout that also refines an existing drawing, so an expansion grows the
// picture around the clicked node instead of reshuffling it.
cytoscape.use(fcose);

const MAX_FIT_ZOOM = 1.3;
/** Two taps on one node this close together are a double click. */
const DOUBLE_TAP_MS = 450;
/** Group edges whose label is drawn without being selected. */
const LABELLED_GROUPS = 8;

export interface GraphViewHandlers {
  /** A click: select (show in the panel) without adding anything. */
  onNodeTap(id: string): void;
  /** A double click: open the node's neighbourhood. */
  onNodeOpen(id: string): void;
  onEdgeTap(id: string): void;
}

/** A group edge as the view draws it. */
export interface GroupEdge {
  key: string;
  source: string;
  target: string;
  label: string;
  tivDelivered: number;
  deals: number;
  role: string;
  partner: string;
}

export interface AddResult {
  nodesAdded: number;
  edgesAdded: number;
}

export class GraphView {
  readonly cy: Core;
  private readonly hiddenTypes = new Set<string>();

  constructor(container: HTMLElement, handlers: GraphViewHandlers) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.15,
      maxZoom: 4,
    });
    // A second tap on the same node soon after the first opens it. Timed from the input events' own
    // time stamps, so a busy page that handles them late still sees a double click.
    let last: { id: string; at: number } | undefined;
    this.cy.on('tap', 'node', (e) => {
      const id = (e.target as NodeSingular).id();
      const at = e.originalEvent?.timeStamp ?? e.timeStamp;
      if (last && last.id === id && at - last.at < DOUBLE_TAP_MS) {
        last = undefined;
        handlers.onNodeOpen(id);
        return;
      }
      last = { id, at };
      handlers.onNodeTap(id);
    });
    this.cy.on('tap', 'edge', (e) => handlers.onEdgeTap((e.target as EdgeSingular).id()));
  }

  /** Draws groups as weighted edges (width by TIV, relative to the largest). */
  addGroups(groups: GroupEdge[]): void {
    const max = Math.max(1, ...groups.map((g) => g.tivDelivered));
    const labelled = new Set(
      [...groups]
        .sort((a, b) => b.tivDelivered - a.tivDelivered)
        .slice(0, LABELLED_GROUPS)
        .map((g) => g.key),
    );
    this.cy.batch(() => {
      for (const g of groups) {
        const id = `group:${g.key}`;
        if (this.cy.getElementById(id).nonempty()) continue;
        if (this.cy.getElementById(g.source).empty() || this.cy.getElementById(g.target).empty()) continue;
        this.cy.add({
          group: 'edges',
          data: {
            id,
            source: g.source,
            target: g.target,
            type: 'DEALS',
            group: true,
            key: g.key,
            label: g.label,
            width: 1.5 + 10 * Math.sqrt(g.tivDelivered / max),
            properties: { deals: g.deals, tivDelivered: g.tivDelivered, role: g.role, partner: g.partner },
          },
          classes: labelled.has(g.key) ? 'labelled' : '',
        });
      }
    });
  }

  /** Marks a group as opened (its deals drawn) or closed. */
  markGroupOpen(key: string, open: boolean): void {
    this.cy.getElementById(`group:${key}`).toggleClass('open', open);
  }

  /** Records which action brought a node, so that collapsing that action takes it away again. */
  tagOrigin(ids: Iterable<string>, origin: string): void {
    for (const id of ids) {
      const n = this.cy.getElementById(id);
      if (n.nonempty() && n.data('origin') === undefined) n.data('origin', origin);
    }
  }

  /** Removes the nodes an action brought (and their edges); returns their ids. */
  removeOrigin(origin: string): string[] {
    const nodes = this.cy.nodes().filter((n) => n.data('origin') === origin);
    const ids = nodes.map((n) => n.id());
    nodes.remove();
    return ids;
  }

  setHidden(ids: Iterable<string>): void {
    const hide = new Set(ids);
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        n.toggleClass('user-hidden', hide.has(n.id()));
      });
      this.cy.edges().forEach((e) => {
        e.toggleClass('user-hidden', hide.has(e.source().id()) || hide.has(e.target().id()));
      });
    });
  }

  /** Fits the view on what is shown, without blowing a handful of nodes up to poster size. */
  fit(): void {
    // cytoscape learns of its container's size and place through a debounced observer: a fit just
    // after the page's layout changed would frame the old box (and clicks would miss what is drawn).
    this.cy.resize();
    this.cy.fit(this.cy.elements().not('.user-hidden'), 30);
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center();
    }
  }

  /** Selects (highlights) one element, deselecting the rest. */
  select(id: string | undefined): void {
    this.cy.elements(':selected').unselect();
    if (id !== undefined) this.cy.getElementById(id).select();
  }

  clear(): void {
    this.cy.elements().remove();
  }

  /**
   * Adds the subgraph's nodes and edges that are not shown yet. New nodes start where `around` is,
   * so the layout grows the view from the expanded node instead of reshuffling everything.
   */
  add(sub: Subgraph, around?: string): AddResult {
    const origin = around ? this.cy.getElementById(around) : undefined;
    const start = origin && origin.nonempty() ? origin.position() : { x: 0, y: 0 };
    const nodes = sub.nodes.filter((n) => this.cy.getElementById(n.id).empty());
    const edges = sub.edges.filter((e) => this.cy.getElementById(e.id).empty());
    this.cy.batch(() => {
      this.cy.add(
        nodes.map((n, i) => ({
          group: 'nodes' as const,
          data: nodeData(n),
          // A small spiral, so that cose can tell new nodes apart.
          position: { x: start.x + Math.cos(i) * (10 + i), y: start.y + Math.sin(i) * (10 + i) },
        })),
      );
      this.cy.add(
        edges
          // The contract says edge ends are nodes of the same subgraph; guard anyway.
          .filter(
            (e) => this.cy.getElementById(e.source).nonempty() && this.cy.getElementById(e.target).nonempty(),
          )
          .map((e) => ({ group: 'edges' as const, data: edgeData(e), classes: this.edgeClasses(e.type) })),
      );
    });
    return { nodesAdded: nodes.length, edgesAdded: edges.length };
  }

  /** Force-directed layout (fCoSE); resolves when nodes have settled. */
  layout(randomize: boolean): Promise<void> {
    const options: FcoseLayoutOptions = {
      name: 'fcose',
      quality: 'proof',
      animate: false,
      randomize,
      fit: true,
      padding: 30,
      nodeRepulsion: () => 6500,
      idealEdgeLength: () => 90,
      nodeSeparation: 90,
    };
    const layout = this.cy.layout(options);
    const done = layout.promiseOn('layoutstop');
    layout.run();
    return done.then(() => this.fit());
  }

  markExpanded(id: string): void {
    this.cy.getElementById(id).addClass('expanded');
  }

  focus(id: string): void {
    this.cy.nodes('.focused').removeClass('focused');
    this.cy.getElementById(id).addClass('focused');
  }

  isExpanded(id: string): boolean {
    return this.cy.getElementById(id).hasClass('expanded');
  }

  /** Relation types in the view with their edge counts, by name. */
  relationTypes(): Array<[string, number]> {
    const counts = new Map<string, number>();
    this.cy.edges().forEach((e) => {
      const t = String(e.data('type'));
      counts.set(t, (counts.get(t) ?? 0) + 1);
    });
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
  }

  isTypeVisible(type: string): boolean {
    return !this.hiddenTypes.has(type);
  }

  setTypeVisible(type: string, visible: boolean): void {
    if (visible) this.hiddenTypes.delete(type);
    else this.hiddenTypes.add(type);
    this.cy
      .edges()
      .filter((e) => e.data('type') === type)
      .toggleClass('type-hidden', !visible);
  }

  /** What is shown: the nodes not hidden, and the edges whose relation type and ends are not hidden. */
  shown(): { nodes: cytoscape.NodeCollection; edges: cytoscape.EdgeCollection } {
    return {
      nodes: this.cy.nodes().not('.user-hidden'),
      edges: this.cy.edges().not('.type-hidden').not('.user-hidden'),
    };
  }

  nodeData(id: string): NodeData | undefined {
    const n = this.cy.getElementById(id);
    return n.nonempty() && n.isNode() ? (n.data() as NodeData) : undefined;
  }

  edgeData(id: string): EdgeData | undefined {
    const e = this.cy.getElementById(id);
    return e.nonempty() && e.isEdge() ? (e.data() as EdgeData) : undefined;
  }

  /**
   * The view as Cytoscape.js elements JSON, in the same shape as the service's /export/cytoscape
   * (Cytoscape desktop's .cyjs: properties flattened into `data`, kinds and types as classes), plus
   * positions, so a reader redraws this picture.
   */
  toCytoscapeJson(focus: string | undefined): CytoscapeExport {
    const { nodes, edges } = this.shown();
    return {
      format_version: '1.0',
      generated_by: 'armsgraph explorer',
      target_cytoscapejs_version: '~3',
      data: { name: 'armsgraph explorer view', focus: focus ?? null, generated: new Date().toISOString() },
      elements: {
        nodes: nodes.map((n) => {
          const d = n.data() as NodeData;
          return {
            data: { ...d.properties, id: d.id, label: d.name, labels: d.labels },
            classes: d.labels.join(' '),
            position: { ...n.position() },
          };
        }),
        edges: edges.map((e) => {
          const d = e.data() as EdgeData;
          return {
            data: {
              ...d.properties,
              id: d.id,
              source: d.source,
              target: d.target,
              label: d.type,
              type: d.type,
            },
            classes: d.type,
          };
        }),
      },
    };
  }

  private edgeClasses(type: string): string {
    return this.hiddenTypes.has(type) ? 'type-hidden' : '';
  }
}

export interface NodeData {
  id: string;
  label: string;
  name: string;
  kind: string;
  labels: string[];
  colour: string;
  properties: Record<string, unknown>;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  type: string;
  properties: Record<string, unknown>;
}

export interface CytoscapeExport {
  format_version: string;
  generated_by: string;
  target_cytoscapejs_version: string;
  data: { name: string; focus: string | null; generated: string };
  elements: {
    nodes: Array<{ data: Record<string, unknown>; classes: string; position: { x: number; y: number } }>;
    edges: Array<{ data: Record<string, unknown>; classes: string }>;
  };
}

function nodeData(n: GraphNode): NodeData {
  const kind = kindOf(n.labels);
  return {
    id: n.id,
    label: n.name,
    name: n.name,
    kind,
    labels: n.labels,
    colour: KIND_COLOURS[kind] ?? '#444444',
    properties: n.properties,
  };
}

function edgeData(e: GraphEdge): EdgeData {
  return { id: e.id, source: e.source, target: e.target, type: e.type, properties: e.properties };
}
