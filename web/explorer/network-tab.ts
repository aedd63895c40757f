import { formTexts, formYear } from './form-values';
// The Network tab: who supplies whom, at the level of countries. transferNetwork's supplier →
// recipient pairs of a period and filter drawn as one arrow per pair, as thick as the TIV delivered
// under it, and each party as a node as large as the TIV it supplied and received. A click on a
// country focuses it (its suppliers and recipients stay lit, the rest fades) and lists its partners
// with their TIV; a click on an arrow names the pair and opens its deals in the register.
import cytoscape, { type Core, type EdgeSingular, type NodeSingular } from 'cytoscape';
import fcose, { type FcoseLayoutOptions } from 'cytoscape-fcose';
import { transferNetwork, type Subgraph } from './api';
import { byId } from './dom';
import { KIND_COLOURS, kindOf } from './graph-view';
import type { TabHost } from './register-tab';
import { NETWORK_TEXT_FIELDS, networkArgs, type NetworkFilter } from './url-state';

cytoscape.use(fcose);

/** Pairs drawn at most: a whole register's network has thousands; the largest are drawn, and said so. */
export const MAX_DRAWN_PAIRS = 2500;

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(name)',
      'background-color': 'data(colour)',
      width: 'data(size)',
      height: 'data(size)',
      'font-size': 'data(font)',
      'text-valign': 'center',
      'text-halign': 'right',
      'text-margin-x': 3,
      color: '#1b1b1b',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': '1px',
      // Zoomed out, only the largest parties keep their names (their font is larger): the rest
      // would only overlap. Zooming in brings them back.
      'min-zoomed-font-size': 12,
    },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': '#5b7fa6',
      'target-arrow-color': '#5b7fa6',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
      'curve-style': 'bezier',
      opacity: 0.55,
    },
  },
  { selector: '.faded', style: { opacity: 0.08, 'text-opacity': 0 } },
  { selector: 'edge.lit', style: { opacity: 0.9, 'line-color': '#d9822b', 'target-arrow-color': '#d9822b' } },
  {
    selector: 'node.focused',
    style: { 'border-width': 4, 'border-color': '#f2c500', 'min-zoomed-font-size': 0 },
  },
  { selector: 'node.lit', style: { 'min-zoomed-font-size': 0 } },
  {
    selector: 'edge:selected',
    style: { opacity: 1, 'line-color': '#f2c500', 'target-arrow-color': '#f2c500' },
  },
];

interface Partner {
  id: string;
  name: string;
  tiv: number;
  deals: number;
}

const tivText = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 1 });

export class NetworkTab {
  private readonly form = byId<HTMLFormElement>('network-form');
  private readonly container = byId<HTMLElement>('network-cy');
  private readonly summary = byId<HTMLElement>('network-summary');
  private readonly details = byId<HTMLElement>('network-details');
  private readonly list = byId<HTMLUListElement>('network-list');
  private cy: Core | undefined;
  private net: Subgraph | undefined;
  private loadedFor = '';

  constructor(private readonly host: TabHost) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(this.form);
      const year = (k: string) => formYear(data, k);
      const filter: NetworkFilter = formTexts(data, NETWORK_TEXT_FIELDS);
      const min = Number(String(data.get('minTiv') ?? '').trim());
      host.update((s) => {
        s.network = {
          filter,
          from: year('from'),
          to: year('to'),
          minTiv: Number.isFinite(min) && min > 0 ? min : undefined,
          focus: s.network.focus,
        };
      }, true);
      void this.load();
    });
  }

  show(): Promise<void> {
    this.restore();
    return this.loadedFor === this.key() ? Promise.resolve() : this.load();
  }

  /** Shows the state's filter and focus without loading (the drawing already shows that network). */
  restore(): void {
    const n = this.host.state().network;
    const set = (name: string, value: string) => {
      const input = this.form.elements.namedItem(name) as HTMLInputElement | null;
      if (input) input.value = value;
    };
    for (const k of NETWORK_TEXT_FIELDS) set(k, n.filter[k] ?? '');
    set('from', n.from === undefined ? '' : String(n.from));
    set('to', n.to === undefined ? '' : String(n.to));
    set('minTiv', n.minTiv === undefined ? '' : String(n.minTiv));
    if (this.net) this.highlight(n.focus);
  }

  /** The cytoscape instance (created when the tab is first shown: a hidden container has no size). */
  get graph(): Core | undefined {
    return this.cy;
  }

  private key(): string {
    const n = this.host.state().network;
    return JSON.stringify([n.filter, n.from, n.to, n.minTiv]);
  }

  private load(): Promise<void> {
    const n = this.host.state().network;
    const key = this.key();
    return this.host.run('Loading the transfer network', async (signal) => {
      const net = await transferNetwork(networkArgs(n), signal);
      this.net = net;
      this.loadedFor = key;
      await this.draw(net);
      this.highlight(this.host.state().network.focus);
    });
  }

  private ensureGraph(): Core {
    if (this.cy) return this.cy;
    const cy = cytoscape({ container: this.container, style: STYLE, minZoom: 0.1, maxZoom: 5 });
    cy.on('tap', 'node', (e) => this.focus((e.target as NodeSingular).id()));
    cy.on('tap', 'edge', (e) => this.showPair((e.target as EdgeSingular).id()));
    cy.on('tap', (e) => {
      if (e.target === cy) this.focus(undefined);
    });
    this.cy = cy;
    return cy;
  }

  private async draw(net: Subgraph): Promise<void> {
    const cy = this.ensureGraph();
    const pairs = [...net.edges].sort((a, b) => weight(b) - weight(a)).slice(0, MAX_DRAWN_PAIRS);
    const ends = new Set(pairs.flatMap((e) => [e.source, e.target]));
    const totals = new Map<string, number>();
    for (const e of pairs) {
      totals.set(e.source, (totals.get(e.source) ?? 0) + weight(e));
      totals.set(e.target, (totals.get(e.target) ?? 0) + weight(e));
    }
    const maxNode = Math.max(1, ...totals.values());
    const maxEdge = Math.max(1, ...pairs.map(weight));
    cy.batch(() => {
      cy.elements().remove();
      cy.add(
        net.nodes
          .filter((n) => ends.has(n.id))
          .map((n) => {
            const r = Math.sqrt((totals.get(n.id) ?? 0) / maxNode);
            const kind = kindOf(n.labels);
            return {
              group: 'nodes' as const,
              data: {
                id: n.id,
                name: n.name,
                kind,
                colour: KIND_COLOURS[kind] ?? '#444444',
                tiv: totals.get(n.id) ?? 0,
                size: 8 + 42 * r,
                // Larger parties get larger names, so they stay readable when zoomed out.
                font: 9 + 13 * r,
              },
            };
          }),
      );
      cy.add(
        pairs.map((e) => ({
          group: 'edges' as const,
          data: {
            id: e.id,
            source: e.source,
            target: e.target,
            weight: weight(e),
            deals: Number(e.properties.deals ?? 0),
            width: 0.8 + 11 * Math.sqrt(weight(e) / maxEdge),
          },
        })),
      );
    });
    const options: FcoseLayoutOptions = {
      name: 'fcose',
      quality: 'default',
      animate: false,
      randomize: true,
      fit: true,
      padding: 20,
      nodeRepulsion: () => 9000,
      idealEdgeLength: () => 110,
      nodeSeparation: 60,
    };
    const layout = cy.layout(options);
    const done = layout.promiseOn('layoutstop');
    layout.run();
    await done;
    cy.resize(); // the container's current box, not the one cytoscape's debounced observer last saw
    cy.fit(undefined, 20);

    const drawn = cy.edges().length;
    this.summary.dataset.nodes = String(cy.nodes().length);
    this.summary.dataset.edges = String(drawn);
    this.summary.dataset.total = String(net.edges.length);
    const tiv = pairs.reduce((t, e) => t + weight(e), 0);
    this.summary.textContent =
      net.edges.length === 0
        ? 'No transfers match this filter.'
        : `${cy.nodes().length} parties, ${drawn.toLocaleString('en')} supplier → recipient pairs, ` +
          `TIV ${tivText(tiv)} million delivered (arrow width: TIV).` +
          (net.edges.length > drawn
            ? ` The ${drawn.toLocaleString('en')} largest of ${net.edges.length.toLocaleString('en')} pairs are drawn: raise "Min TIV" or narrow the filter to see the rest.`
            : '') +
          (net.truncated ? ' The service cut the network at its pair cap.' : '');
    this.renderList();
    this.host.say(this.summary.textContent);
  }

  /** Focuses a party (or none): its pairs stay lit, the rest fades; the panel lists its partners. */
  focus(id: string | undefined): void {
    this.host.update((s) => (s.network.focus = id), true);
    this.highlight(id);
  }

  private highlight(id: string | undefined): void {
    const cy = this.cy;
    if (!cy) return;
    cy.elements().removeClass('faded lit focused');
    const node = id ? cy.getElementById(id) : undefined;
    if (!node || node.empty()) {
      this.renderOverview();
      return;
    }
    const around = node.closedNeighborhood();
    cy.elements().not(around).addClass('faded');
    around.addClass('lit');
    node.removeClass('lit').addClass('focused');
    this.renderFocus(node);
  }

  private partners(node: NodeSingular, direction: 'out' | 'in'): Partner[] {
    const edges = direction === 'out' ? node.outgoers().edges() : node.incomers().edges();
    return edges
      .map((e: EdgeSingular) => {
        const other = direction === 'out' ? e.target() : e.source();
        return {
          id: other.id(),
          name: String(other.data('name')),
          tiv: Number(e.data('weight')),
          deals: Number(e.data('deals')),
        };
      })
      .sort((a, b) => b.tiv - a.tiv);
  }

  private renderOverview(): void {
    this.details.replaceChildren(
      heading('Network'),
      para('Click a country (or pick one from the list below) to see its suppliers and recipients.'),
    );
    this.details.dataset.focus = '';
  }

  private renderFocus(node: NodeSingular): void {
    const id = node.id();
    const name = String(node.data('name'));
    const actions = document.createElement('div');
    actions.className = 'actions';
    actions.append(
      button('Open in the graph', 'network-open', () => this.host.openEntity(id)),
      button('Show all', 'network-unfocus', () => this.focus(undefined)),
    );
    this.details.replaceChildren(heading(name), actions);
    for (const [direction, title] of [
      ['in', `Suppliers of ${name}`],
      ['out', `Recipients from ${name}`],
    ] as const) {
      const list = this.partners(node, direction);
      const h = document.createElement('h3');
      h.textContent = `${title} (${list.length})`;
      const ul = document.createElement('ul');
      ul.className = 'facts';
      ul.dataset.testid = `network-${direction === 'in' ? 'suppliers' : 'recipients'}`;
      for (const p of list) {
        const li = document.createElement('li');
        li.dataset.id = p.id;
        li.dataset.tiv = String(p.tiv);
        li.append(
          button(p.name, '', () => this.focus(p.id), 'entity-link'),
          `: TIV ${tivText(p.tiv)} million, ${p.deals} deal${p.deals === 1 ? '' : 's'}`,
        );
        ul.append(li);
      }
      if (list.length === 0) {
        const li = document.createElement('li');
        li.className = 'muted';
        li.textContent = 'None in this network.';
        ul.append(li);
      }
      this.details.append(h, ul);
    }
    this.details.dataset.focus = id;
  }

  private showPair(edgeId: string): void {
    const e = this.cy?.getElementById(edgeId);
    if (!e || e.empty() || !e.isEdge()) return;
    const from = e.source();
    const to = e.target();
    const n = this.host.state().network;
    this.cy?.elements(':selected').unselect();
    e.select();
    const actions = document.createElement('div');
    actions.className = 'actions';
    actions.append(
      button('These deals in the register', 'network-register', () =>
        this.host.openRegister({
          seller: from.id(),
          buyer: to.id(),
          ...(n.from !== undefined ? { deliveredFrom: n.from } : {}),
          ...(n.to !== undefined ? { deliveredTo: n.to } : {}),
        }),
      ),
    );
    this.details.replaceChildren(
      heading(`${String(from.data('name'))} → ${String(to.data('name'))}`),
      para(
        `TIV ${tivText(Number(e.data('weight')))} million delivered under ${String(e.data('deals'))} deal(s)` +
          (n.from !== undefined || n.to !== undefined ? ` in ${n.from ?? '…'}–${n.to ?? '…'}` : '') +
          '. Source: SIPRI Arms Transfers Database.',
      ),
      actions,
    );
    this.details.dataset.focus = '';
  }

  /** The parties as buttons, largest first: the keyboard's way to focus one. */
  private renderList(): void {
    const cy = this.cy;
    if (!cy) return;
    this.list.replaceChildren(
      ...cy
        .nodes()
        .sort((a, b) => Number(b.data('tiv')) - Number(a.data('tiv')))
        .map((n) => {
          const li = document.createElement('li');
          li.append(
            button(`${String(n.data('name'))} (TIV ${tivText(Number(n.data('tiv')))})`, '', () =>
              this.focus(n.id()),
            ),
          );
          li.firstElementChild?.setAttribute('data-id', n.id());
          return li;
        }),
    );
  }
}

const weight = (e: { properties: Record<string, unknown> }) => Number(e.properties.weight ?? 0);

function heading(text: string): HTMLHeadingElement {
  const h = document.createElement('h2');
  h.textContent = text;
  return h;
}

function para(text: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = 'muted';
  p.textContent = text;
  return p;
}

function button(text: string, testid: string, run: () => void, cls?: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (testid) b.dataset.testid = testid;
  if (cls) b.className = cls;
  b.addEventListener('click', run);
  return b;
}
