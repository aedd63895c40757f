// The Register tab: the deals of a filter (parties, system, category, years ordered or delivered,
// status, condition, local production) as SIPRI's trade register shows them, a sortable, paged table
// (Query.deals), and a CSV download of exactly that filter (the service's streamed
// /export/deals.csv, which takes the same filter).
import { deals, type DealPage, type DealRow } from './api';
import { byId } from './dom';
import {
  DEAL_CONDITIONS,
  REGISTER_TEXT_FIELDS,
  REGISTER_YEAR_FIELDS,
  registerExportQuery,
  type RegisterFilter,
  type RegisterSort,
  type ViewState,
} from './url-state';

export const REGISTER_PAGE = 50;

export interface TabHost {
  state(): ViewState;
  /** Changes the state (and the address); `push` adds a history entry. */
  update(change: (s: ViewState) => void, push?: boolean): void;
  run(what: string, work: (signal: AbortSignal) => Promise<void>): Promise<void>;
  /** A message in the status line. */
  say(text: string): void;
  openEntity(id: string): void;
  /** Opens the Register tab on a filter. */
  openRegister(filter: RegisterFilter): void;
}

/** Column headers that sort, and the orderings a click toggles between. */
const SORTABLE: Record<string, { orders: RegisterSort[]; label: string }> = {
  id: { orders: ['ID_ASC'], label: 'Deal' },
  orderYear: { orders: ['ORDER_YEAR_DESC', 'ORDER_YEAR_ASC'], label: 'Ordered' },
  tivDelivered: { orders: ['TIV_DELIVERED_DESC'], label: 'TIV delivered' },
};

export class RegisterTab {
  private readonly form = byId<HTMLFormElement>('register-form');
  private readonly sort = byId<HTMLSelectElement>('register-sort');
  private readonly body = byId<HTMLTableSectionElement>('register-rows');
  private readonly head = byId<HTMLTableRowElement>('register-head');
  private readonly count = byId<HTMLElement>('register-count');
  private readonly csv = byId<HTMLAnchorElement>('register-csv');
  private readonly prev = byId<HTMLButtonElement>('register-prev');
  private readonly next = byId<HTMLButtonElement>('register-next');
  /** Cursors of the pages before the current one, for Previous. */
  private cursors: Array<string | undefined> = [];
  private page: DealPage | undefined;
  private loadedFor = '';

  constructor(private readonly host: TabHost) {
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const filter = this.readForm();
      this.cursors = [];
      host.update((s) => {
        s.register.filter = filter;
        s.register.sort = this.sort.value as RegisterSort;
        s.register.after = undefined;
        s.register.page = 0;
      }, true);
      void this.load();
    });
    this.form.addEventListener('reset', () => {
      setTimeout(() => this.form.requestSubmit(), 0);
    });
    this.sort.addEventListener('change', () => this.form.requestSubmit());
    this.next.addEventListener('click', () => {
      const end = this.page?.pageInfo.endCursor ?? undefined;
      if (!end) return;
      this.cursors.push(host.state().register.after);
      host.update((s) => {
        s.register.after = end;
        s.register.page += 1;
      }, true);
      void this.load();
    });
    this.prev.addEventListener('click', () => {
      const before = this.cursors.pop();
      host.update((s) => {
        s.register.after = before;
        s.register.page = before === undefined ? 0 : Math.max(0, s.register.page - 1);
      }, true);
      void this.load();
    });
    for (const th of this.head.querySelectorAll<HTMLButtonElement>('button[data-sort]')) {
      th.addEventListener('click', () => {
        const spec = SORTABLE[th.dataset.sort ?? ''];
        if (!spec) return;
        const current = this.sort.value as RegisterSort;
        const i = spec.orders.indexOf(current);
        this.sort.value = spec.orders[(i + 1) % spec.orders.length] ?? spec.orders[0] ?? 'ORDER_YEAR_DESC';
        this.form.requestSubmit();
      });
    }
  }

  /** Shows the state's filter in the form; loads the table when it changed since the last load. */
  show(): Promise<void> {
    this.writeForm(this.host.state().register.filter);
    this.sort.value = this.host.state().register.sort;
    return this.loadedFor === this.key() ? Promise.resolve() : this.load();
  }

  private key(): string {
    const r = this.host.state().register;
    return JSON.stringify([r.filter, r.sort, r.after]);
  }

  private readForm(): RegisterFilter {
    const data = new FormData(this.form);
    const f: RegisterFilter = {};
    for (const k of REGISTER_TEXT_FIELDS) {
      const v = String(data.get(k) ?? '').trim();
      if (v !== '') f[k] = v;
    }
    for (const k of REGISTER_YEAR_FIELDS) {
      const v = String(data.get(k) ?? '').trim();
      if (/^\d{4}$/.test(v)) f[k] = Number(v);
    }
    const status = data.getAll('status').map(String);
    if (status.length > 0) f.status = status;
    const condition = DEAL_CONDITIONS.filter((c) => data.getAll('condition').includes(c));
    if (condition.length > 0) f.condition = condition;
    const local = String(data.get('localProduction') ?? '');
    if (local === 'true' || local === 'false') f.localProduction = local === 'true';
    return f;
  }

  private writeForm(f: RegisterFilter): void {
    for (const k of REGISTER_TEXT_FIELDS) {
      const input = this.form.elements.namedItem(k) as HTMLInputElement | null;
      if (input) input.value = f[k] ?? '';
    }
    for (const k of REGISTER_YEAR_FIELDS) {
      const input = this.form.elements.namedItem(k) as HTMLInputElement | null;
      if (input) input.value = f[k] === undefined ? '' : String(f[k]);
    }
    for (const box of this.form.querySelectorAll<HTMLInputElement>('input[name="status"]')) {
      box.checked = (f.status ?? []).includes(box.value);
    }
    for (const box of this.form.querySelectorAll<HTMLInputElement>('input[name="condition"]')) {
      box.checked = (f.condition ?? []).some((c) => c === box.value);
    }
    const local = this.form.elements.namedItem('localProduction') as HTMLSelectElement | null;
    if (local) local.value = f.localProduction === undefined ? '' : String(f.localProduction);
  }

  /** Shows the state's filter in the form without loading (the table already shows it). */
  restore(): void {
    this.writeForm(this.host.state().register.filter);
    this.sort.value = this.host.state().register.sort;
  }

  load(): Promise<void> {
    const r = this.host.state().register;
    const key = this.key();
    return this.host.run('Loading the register', async (signal) => {
      const filter: Record<string, unknown> = { ...r.filter };
      const page = await deals(filter, r.sort, REGISTER_PAGE, r.after, signal);
      this.page = page;
      this.loadedFor = key;
      this.render(page, r.page, r.filter, r.sort);
    });
  }

  private render(page: DealPage, pageNo: number, filter: RegisterFilter, sort: RegisterSort): void {
    const from = pageNo * REGISTER_PAGE + (page.edges.length > 0 ? 1 : 0);
    const to = pageNo * REGISTER_PAGE + page.edges.length;
    this.count.dataset.total = String(page.totalCount);
    this.count.textContent =
      page.totalCount === 0
        ? 'No deal matches this filter.'
        : `${page.totalCount.toLocaleString('en')} deals match; showing ${from}–${to}.`;
    const q = registerExportQuery(filter);
    this.csv.href = `/export/deals.csv${q ? `?${q}` : ''}`;
    this.prev.dataset.off = String(pageNo === 0 && this.cursors.length === 0);
    this.next.dataset.off = String(!page.pageInfo.hasNextPage);
    this.prev.disabled = this.prev.dataset.off === 'true';
    this.next.disabled = this.next.dataset.off === 'true';
    for (const b of this.head.querySelectorAll<HTMLButtonElement>('button[data-sort]')) {
      const spec = SORTABLE[b.dataset.sort ?? ''];
      const th = b.closest('th');
      if (!spec || !th) continue;
      const active = spec.orders.includes(sort);
      if (active) th.setAttribute('aria-sort', sort.endsWith('ASC') ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    this.body.replaceChildren(...page.edges.map((e) => this.row(e.node)));
    this.host.say(this.count.textContent);
  }

  private row(d: DealRow): HTMLTableRowElement {
    const tr = document.createElement('tr');
    tr.dataset.id = d.id;
    const cell = (text: string, cls?: string) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
      return td;
    };
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'entity-link';
    open.textContent = d.id;
    open.title = `${d.name}: open in the graph`;
    open.addEventListener('click', () => this.host.openEntity(d.id));
    cell('').append(open);
    cell(d.seller?.name ?? '');
    cell(d.buyer?.name ?? '');
    cell(d.system?.name ?? '');
    cell(d.category ?? '');
    cell(d.orderYear === null ? '' : `${d.orderYear}${d.orderYearEstimated ? '?' : ''}`, 'num');
    cell(d.status.toLowerCase());
    cell(d.quantity === null ? '' : String(d.quantity), 'num');
    cell(d.delivered === null ? '' : String(d.delivered), 'num');
    cell(d.tivDelivered === null ? '' : String(d.tivDelivered), 'num');
    return tr;
  }
}
