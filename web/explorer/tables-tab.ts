import { formTexts, formYear } from './form-values';
// The Tables & charts tab: SIPRI-style TIV tables from transferTotals (a recipient's suppliers with
// their shares, top suppliers or recipients, rows × years), a top-N bar chart or trend lines drawn
// with Observable Plot, and downloads of the table as CSV and of the chart as SVG or PNG.
import * as Plot from '@observablehq/plot';
import { totalsByYear, transferTotals, type TotalRow } from './api';
import { byId } from './dom';
import { csvTable, pivotByYear, shareText, type PivotTable } from './tables-data';
import type { TabHost } from './register-tab';
import { TABLES_TEXT_FIELDS, TOTALS_BY, type Chart, type TablesFilter, type TotalsBy } from './url-state';

/** Plot's own class on its SVGs: the rules it would inline live in explorer.css (see below). */
const PLOT_CLASS = 'armsgraph-plot';
/** Plot's rules, for a downloaded SVG that is opened on its own (no page stylesheet there). */
const PLOT_STYLE = `.${PLOT_CLASS} { --plot-background: white; display: block; height: auto; max-width: 100%; }
.${PLOT_CLASS} text, .${PLOT_CLASS} tspan { white-space: pre; }`;

const BY_LABEL: Record<TotalsBy, string> = {
  SUPPLIER: 'Supplier',
  RECIPIENT: 'Recipient',
  YEAR: 'Year',
  SYSTEM: 'Weapon system',
  CATEGORY: 'Armament category',
  SUPPLIER_REGION: 'Supplier region',
  RECIPIENT_REGION: 'Recipient region',
};

export class TablesTab {
  private readonly form = byId<HTMLFormElement>('tables-form');
  private readonly caption = byId<HTMLElement>('tables-caption');
  private readonly table = byId<HTMLTableElement>('tables-table');
  private readonly chartBox = byId<HTMLElement>('tables-chart');
  private readonly csvButton = byId<HTMLButtonElement>('tables-csv');
  private readonly svgButton = byId<HTMLButtonElement>('tables-svg');
  private readonly pngButton = byId<HTMLButtonElement>('tables-png');
  private rows: TotalRow[] = [];
  private pivot: PivotTable | undefined;
  private svg: SVGSVGElement | undefined;
  private loadedFor = '';

  constructor(private readonly host: TabHost) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const data = new FormData(this.form);
      const year = (k: string) => formYear(data, k);
      const filter: TablesFilter = formTexts(data, TABLES_TEXT_FIELDS);
      host.update((s) => {
        s.tables.by = (TOTALS_BY as readonly string[]).includes(String(data.get('by')))
          ? (String(data.get('by')) as TotalsBy)
          : 'SUPPLIER';
        s.tables.byYear = data.get('byYear') === 'on';
        s.tables.filter = filter;
        s.tables.from = year('from');
        s.tables.to = year('to');
        s.tables.top = Math.min(100, Math.max(1, Number(data.get('top')) || 10));
        s.tables.chart = (String(data.get('chart')) as Chart) || 'bar';
      }, true);
      void this.load();
    });
    this.csvButton.addEventListener('click', () => this.downloadCsv());
    this.svgButton.addEventListener('click', () => this.downloadSvg());
    this.pngButton.addEventListener('click', () => void this.downloadPng());
  }

  show(): Promise<void> {
    this.writeForm();
    return this.loadedFor === this.key() ? Promise.resolve() : this.load();
  }

  /** Shows the state's choices without loading (the table already shows them). */
  restore(): void {
    this.writeForm();
  }

  private key(): string {
    return JSON.stringify(this.host.state().tables);
  }

  private writeForm(): void {
    const t = this.host.state().tables;
    const set = (name: string, value: string) => {
      const input = this.form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (input) input.value = value;
    };
    set('by', t.by);
    for (const k of TABLES_TEXT_FIELDS) set(k, t.filter[k] ?? '');
    set('from', t.from === undefined ? '' : String(t.from));
    set('to', t.to === undefined ? '' : String(t.to));
    set('top', String(t.top));
    set('chart', t.chart);
    const years = this.form.elements.namedItem('byYear') as HTMLInputElement | null;
    if (years) years.checked = t.byYear;
  }

  load(): Promise<void> {
    const t = this.host.state().tables;
    const key = this.key();
    return this.host.run('Loading the TIV table', async (signal) => {
      // The API's filter takes lists: one value each here.
      const filter: Record<string, string[]> = {};
      for (const k of TABLES_TEXT_FIELDS) if (t.filter[k]) filter[k] = [t.filter[k]];
      const common = { filter, deliveredFrom: t.from, deliveredTo: t.to };
      this.rows = await transferTotals({ by: t.by, ...common, first: t.top }, signal);
      const keys = this.rows.map((r) => r.key);
      this.pivot =
        t.byYear && t.by !== 'YEAR'
          ? pivotByYear(await totalsByYear({ by: t.by, ...common }, keys, signal), keys)
          : undefined;
      this.loadedFor = key;
      this.render();
    });
  }

  private title(): string {
    const t = this.host.state().tables;
    const parts = [`TIV delivered by ${BY_LABEL[t.by].toLowerCase()}`];
    const f = t.filter;
    if (f.recipient) parts.push(`to ${f.recipient}`);
    if (f.supplier) parts.push(`from ${f.supplier}`);
    if (f.system) parts.push(`of ${f.system}`);
    if (f.category) parts.push(`(${f.category})`);
    if (t.from !== undefined || t.to !== undefined) parts.push(`${t.from ?? '…'}–${t.to ?? '…'}`);
    return `${parts.join(' ')}; top ${t.top}, SIPRI TIV in millions`;
  }

  private render(): void {
    const t = this.host.state().tables;
    this.caption.textContent = this.title();
    const thead = document.createElement('thead');
    const tbody = document.createElement('tbody');
    const head = document.createElement('tr');
    const th = (text: string, scope = 'col') => {
      const c = document.createElement('th');
      c.scope = scope;
      c.textContent = text;
      return c;
    };
    const td = (text: string, cls = 'num') => {
      const c = document.createElement('td');
      c.textContent = text;
      c.className = cls;
      return c;
    };
    const years = this.pivot?.years ?? [];
    head.append(th(BY_LABEL[t.by]), ...years.map((y) => th(String(y))), th('TIV'), th('Share'), th('Deals'));
    thead.append(head);
    for (const r of this.rows) {
      const tr = document.createElement('tr');
      tr.dataset.key = r.key;
      tr.append(th(r.label || '(none)', 'row'));
      const cells = this.pivot?.cells.get(r.key);
      for (const y of years) tr.append(td(cells?.get(y)?.toLocaleString('en') ?? ''));
      const share = td(shareText(r.share));
      share.dataset.share = String(r.share);
      tr.append(td(r.tivDelivered.toLocaleString('en')), share, td(String(r.deals)));
      tbody.append(tr);
    }
    this.table.replaceChildren(this.table.caption ?? this.caption, thead, tbody);
    this.table.dataset.rows = String(this.rows.length);
    this.renderChart(t.chart, t.by);
    for (const b of [this.csvButton, this.svgButton, this.pngButton]) b.dataset.off = 'false';
    this.svgButton.dataset.off = this.pngButton.dataset.off = String(this.svg === undefined);
    this.host.say(`${this.title()}: ${this.rows.length} rows.`);
  }

  private renderChart(chart: Chart, by: TotalsBy): void {
    this.chartBox.replaceChildren();
    this.svg = undefined;
    if (chart === 'none' || this.rows.length === 0) return;
    const width = Math.max(320, Math.min(900, this.chartBox.clientWidth || 640));
    let plot: SVGSVGElement | HTMLElement;
    if (chart === 'line') {
      const series =
        by === 'YEAR'
          ? [...this.rows]
              .sort((a, b) => (a.year ?? 0) - (b.year ?? 0))
              .map((r) => ({ label: 'All', year: r.year ?? 0, tiv: r.tivDelivered }))
          : (this.pivot?.series ?? []);
      if (series.length === 0) {
        const p = document.createElement('p');
        p.className = 'muted';
        p.textContent = 'Trend lines need years: group by year, or tick "Rows × years".';
        this.chartBox.append(p);
        return;
      }
      plot = Plot.plot({
        className: PLOT_CLASS,
        width,
        height: 320,
        marginLeft: 60,
        x: { label: 'Year', tickFormat: 'd' },
        y: { label: 'TIV delivered (millions)', grid: true },
        color: { type: 'categorical' },
        marks: [
          Plot.ruleY([0]),
          Plot.lineY(series, { x: 'year', y: 'tiv', stroke: 'label', title: 'label' }),
          Plot.dot(series, {
            x: 'year',
            y: 'tiv',
            fill: 'label',
            r: 2,
            title: (d: { label: string; year: number; tiv: number }) => `${d.label}, ${d.year}: ${d.tiv}`,
          }),
          Plot.text(
            series,
            Plot.selectLast({ x: 'year', y: 'tiv', z: 'label', text: 'label', textAnchor: 'start', dx: 4 }),
          ),
        ],
        marginRight: 120,
        ariaLabel: this.title(),
      });
    } else {
      const data = this.rows.map((r) => ({ label: r.label || '(none)', tiv: r.tivDelivered }));
      plot = Plot.plot({
        className: PLOT_CLASS,
        width,
        height: 30 + 22 * data.length,
        marginLeft: 170,
        x: { label: 'TIV delivered (millions)', grid: true },
        y: { label: null },
        marks: [
          Plot.barX(data, {
            x: 'tiv',
            y: 'label',
            fill: '#2f6fb0',
            sort: { y: '-x' },
            title: (d: { label: string; tiv: number }) => `${d.label}: ${d.tiv}`,
          }),
          Plot.ruleX([0]),
        ],
        ariaLabel: this.title(),
      });
    }
    const svg = plot instanceof SVGSVGElement ? plot : plot.querySelector('svg');
    // Plot writes its few rules into a <style> element, which this page's Content-Security-Policy
    // refuses: take it out before the chart enters the page (explorer.css carries the same rules).
    for (const s of plot.querySelectorAll('style')) s.remove();
    if (svg) {
      // The chart is one image, named by its own label; Plot's labels on inner groups (axis, rule)
      // are not allowed on elements without a role, and an image's inside is not read anyway.
      svg.setAttribute('role', 'img');
      for (const inner of svg.querySelectorAll('[aria-label], [aria-description]')) {
        inner.removeAttribute('aria-label');
        inner.removeAttribute('aria-description');
      }
      this.svg = svg;
    }
    this.chartBox.append(plot);
  }

  private fileName(ext: string): string {
    const t = this.host.state().tables;
    const f = Object.values(t.filter).join('-');
    return `armsgraph-tiv-by-${t.by.toLowerCase()}${f ? `-${f}` : ''}.${ext}`.replace(/[^\w.-]+/g, '_');
  }

  private downloadCsv(): void {
    const t = this.host.state().tables;
    const text = csvTable(BY_LABEL[t.by], this.rows, this.pivot);
    download(new Blob([text], { type: 'text/csv;charset=utf-8' }), this.fileName('csv'));
  }

  /** The chart as a standalone SVG file: Plot's rules go back in, since no page stylesheet is there. */
  private svgText(): string | undefined {
    if (!this.svg) return undefined;
    const copy = this.svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
    style.textContent = PLOT_STYLE;
    copy.insertBefore(style, copy.firstChild);
    const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    bg.setAttribute('width', '100%');
    bg.setAttribute('height', '100%');
    bg.setAttribute('fill', 'white');
    copy.insertBefore(bg, style.nextSibling);
    return new XMLSerializer().serializeToString(copy);
  }

  private downloadSvg(): void {
    const text = this.svgText();
    if (text) download(new Blob([text], { type: 'image/svg+xml' }), this.fileName('svg'));
  }

  /** PNG: the SVG drawn onto a canvas at twice its size (an <img> from a blob: URL, which the CSP allows). */
  private async downloadPng(): Promise<void> {
    const text = this.svgText();
    if (!text || !this.svg) return;
    const width = Number(this.svg.getAttribute('width')) || 640;
    const height = Number(this.svg.getAttribute('height')) || 400;
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    try {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = width * 2;
      canvas.height = height * 2;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0, width, height);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      if (blob) download(blob, this.fileName('png'));
    } finally {
      URL.revokeObjectURL(url);
    }
  }
}

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once it started; free the blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
