import { parse } from 'csv-parse/sync';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { projectRoot } from '../../src/project-root';
import { seedGraph } from '../../src/seed/seeder';
import { startExplorer, type Explorer, type ExplorerWindow } from '../helpers/explorer-browser';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { downloadBytes } from '../helpers/test-browser';

/**
 * The explorer as an analyst's workbench, in Debian's Chromium, on a service that holds the curated
 * seed and an imported SIPRI register (tests/fixtures/sipri/workbench-register.csv: every row of
 * India's and Turkiye's imports and Turkiye's exports, and the United States' exports to six
 * recipients). Each view is checked against the API's own answer, with axe-core, and photographed at
 * 1280 and 390 px (tests/helpers/explorer-browser.ts).
 */
const REGISTER = path.join(projectRoot(), 'tests', 'fixtures', 'sipri', 'workbench-register.csv');

describe('explorer workbench on an imported register', () => {
  let server: TestServer;
  let explorer: Explorer;
  const open = (url: string, width?: number) => explorer.open(url, width);
  const idle = (page: Page, loadsAbove?: number) => explorer.idle(page, loadsAbove);
  const settled = (page: Page, action: () => Promise<unknown>) => explorer.settled(page, action);
  const photograph = (url: string, name: string, opened?: Page) =>
    explorer.photograph(url, name, undefined, opened);

  beforeAll(async () => {
    // Importing 3,453 rows on a busy two-core machine outlasts the default per-request timeout.
    server = await startTestServer({ ARMSGRAPH_QUERY_TIMEOUT_MS: '300000' });
    await resetGraph(server.db);
    await seedGraph(server.db);
    await importSipri(server.db, await readRegister(REGISTER));
    explorer = await startExplorer(server);
  }, 900_000);

  afterAll(async () => {
    await explorer?.close();
    await server?.close();
  });

  const nodeIds = (page: Page) =>
    page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
        .nodes()
        .filter((n) => n.style('display') !== 'none')
        .map((n) => n.id())
        .sort(),
    );

  it('opens /?focus=Turkey on Turkey, with its S-400 purchase in view', async () => {
    const page = await open('/?focus=Turkey');
    const ids = await nodeIds(page);
    expect(ids).toEqual(expect.arrayContaining(['TUR', 'tur-s-400-2017', 's-400', 'RUS']));
    // The address now names the entity by id: the same view whatever name was typed.
    expect(new URL(page.url()).searchParams.get('focus')).toBe('TUR');
    await expect(page.getByTestId('details-title').textContent()).resolves.toBe('Turkey');
    // The panel's facts carry their own sources: the exclusion from the F-35 programme names its statement.
    const exclusion = page.locator('.facts li', { hasText: 'Excluded from' });
    await expect(exclusion.locator('[data-source-id]').count()).resolves.toBeGreaterThan(0);
    await photograph('/?focus=TUR', 'graph-turkey', page);
    await page.close();
  });

  it("draws the United States' deals as one weighted edge per partner, not 200 deal nodes", async () => {
    const { body } = await server.gql<{
      dealGroups: Array<{ key: string; deals: number }>;
      deals: { totalCount: number };
    }>(`{ dealGroups(id: "USA") { key deals } deals(filter: { seller: "USA" }) { totalCount } }`);
    const groups = body.data!.dealGroups;
    expect(body.data!.deals.totalCount).toBeGreaterThan(200);

    const page = await open('/?focus=United%20States');
    // Photographed as it opens, before the clicks below change it.
    await photograph('/?focus=USA', 'graph-united-states', page);
    const status = page.getByTestId('status');
    const drawnGroups = Number(await status.getAttribute('data-groups'));
    const drawnDeals = Number(await status.getAttribute('data-deals'));
    expect(drawnGroups).toBe(groups.length);
    expect(drawnDeals).toBeLessThan(40);
    const total = groups.reduce((n, g) => n + g.deals, 0);
    await expect(page.getByTestId('graph-note').textContent()).resolves.toContain(
      `+ ${(total - drawnDeals).toLocaleString('en')} more deals`,
    );

    // A click on a group selects it; "show" draws its largest deals, and says how many remain.
    const largest = groups[0]!;
    await settled(page, () =>
      page.evaluate((key) => {
        (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
          .getElementById(`group:${key}`)
          .emit('tap');
      }, largest.key),
    );
    await expect(page.getByTestId('details').getAttribute('data-id')).resolves.toBe(`group:${largest.key}`);
    await settled(page, () => page.getByTestId('group-show').click());
    const shown = Math.min(25, largest.deals);
    const after = Number(await status.getAttribute('data-deals'));
    expect(after).toBeGreaterThan(drawnDeals);
    if (largest.deals > shown) {
      await expect(page.getByTestId('group-show').textContent()).resolves.toBe(
        `+ ${largest.deals - shown} more deals: show`,
      );
    }
    expect(new URL(page.url()).searchParams.get('g')).toBe(`${largest.key}*${shown}`);

    // Undo takes the opened group away again.
    await page.getByTestId('undo').click();
    await expect(status.getAttribute('data-deals')).resolves.toBe(String(drawnDeals));
    await page.close();
  });

  it('reopens a copied address as the same view', async () => {
    const page = await open('/?focus=IND&depth=1');
    // Open the largest group, hide a node, untick a relation type: all of it goes into the address.
    const firstGroup = await page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
        .edges('[?group]')
        .sort((a, b) => Number(b.data('properties').tivDelivered) - Number(a.data('properties').tivDelivered))
        .first()
        .id(),
    );
    await settled(page, () =>
      page.evaluate((id) => {
        (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy.getElementById(id).emit('tap');
      }, firstGroup),
    );
    await settled(page, () => page.getByTestId('group-show').click());
    // Select a partner from the keyboard's list of entities, and hide it.
    await page.locator('details.in-view summary', { hasText: 'Entities in view' }).click();
    const hideTarget = await page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
        .nodes('[kind = "Country"]')
        .filter((n) => n.id() !== 'IND' && n.id() !== 'RUS')
        .first()
        .id(),
    );
    await settled(page, () => page.locator(`#node-list button[data-id="${hideTarget}"]`).click());
    await expect(page.getByTestId('details').getAttribute('data-id')).resolves.toBe(hideTarget);
    await page.getByTestId('action-hide').click();
    const firstType = page.locator('#filters input').first();
    const type = await firstType.getAttribute('value');
    await firstType.uncheck();
    const url = page.url();
    expect(new URL(url).searchParams.get('hide')).toBe(hideTarget);
    expect(new URL(url).searchParams.get('off')).toBe(type);
    const before = await nodeIds(page);
    expect(before).not.toContain(hideTarget);
    await page.close();

    // A new browser context: nothing shared but the address.
    const fresh = await explorer.browser.newContext({ viewport: { width: 1280, height: 860 } });
    const again = await fresh.newPage();
    again.on('pageerror', (e) => explorer.consoleErrors.push(`reopened: ${e.message}`));
    again.on('console', (m) => {
      if (m.type() === 'error') explorer.consoleErrors.push(`reopened: ${m.text()}`);
    });
    await again.goto(url);
    await idle(again);
    expect(await nodeIds(again)).toEqual(before);
    expect(again.url()).toBe(url);
    await fresh.close();
  });

  it('lists the deals of buyer India, seller Russia: the count of deals(filter:), and a CSV of as many rows', async () => {
    const { body } = await server.gql<{ deals: { totalCount: number } }>(
      `{ deals(filter: { buyer: "India", seller: "Russia" }) { totalCount } }`,
    );
    const total = body.data!.deals.totalCount;
    expect(total).toBeGreaterThan(50);

    const page = await open('/?tab=register');
    const form = page.getByTestId('register-form');
    await form.getByLabel('Recipient').fill('India');
    await form.getByLabel('Supplier').fill('Russia');
    await settled(page, () => page.getByTestId('register-apply').click());
    await expect(page.getByTestId('register-count').getAttribute('data-total')).resolves.toBe(String(total));
    await expect(page.locator('#register-rows tr').count()).resolves.toBe(50);
    // Sorting by TIV: the first row is the largest.
    await settled(page, () => page.getByRole('button', { name: 'TIV delivered' }).click());
    const tivs = await page.locator('#register-rows tr td:last-child').allTextContents();
    expect(tivs.map(Number)).toEqual([...tivs.map(Number)].sort((a, b) => b - a));
    await settled(page, () => page.getByTestId('register-next').click());
    await expect(page.getByTestId('register-count').textContent()).resolves.toContain('showing 51–');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('register-csv').click(),
    ]);
    const rows = parse((await downloadBytes(download)).toString('utf8'), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(total);
    await page.close();
    await photograph(
      '/?tab=register&r.buyer=IND&r.seller=RUS&r.sort=TIV_DELIVERED_DESC',
      'register-india-russia',
    );
  });

  it("shows India's suppliers with the shares transferTotals gives", async () => {
    const { body } = await server.gql<{
      transferTotals: Array<{ key: string; label: string; tivDelivered: number; share: number }>;
    }>(
      `{ transferTotals(by: SUPPLIER, filter: { recipient: ["IND"] }, first: 10) { key label tivDelivered share } }`,
    );
    expect(body.errors).toBeUndefined();
    const expected = body.data!.transferTotals;
    expect(expected[0]?.key).toBe('RUS');

    const page = await open('/?tab=tables&t.recipient=IND');
    const shown = await page.locator('#tables-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        key: (tr as HTMLElement).dataset.key,
        share: Number(tr.querySelector<HTMLElement>('[data-share]')?.dataset.share),
      })),
    );
    expect(shown).toEqual(expected.map((r) => ({ key: r.key, share: r.share })));
    await expect(page.locator('#tables-chart svg').count()).resolves.toBe(1);
    // Photographed before the download buttons below are clicked (and focused).
    await photograph('/?tab=tables&t.recipient=IND', 'tables-india-suppliers', page);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-csv').click()]);
    const rows = parse((await downloadBytes(csv)).toString('utf8'), {
      columns: true,
      bom: true,
    }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.key, Number(r.share)])).toEqual(expected.map((r) => [r.key, r.share]));
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-png').click()]);
    expect((await downloadBytes(png)).subarray(1, 4).toString()).toBe('PNG');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-svg').click()]);
    expect((await downloadBytes(svg)).toString('utf8')).toMatch(
      /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    await page.close();
    await photograph('/?tab=tables&t.recipient=IND&t.years=1&t.top=5&t.chart=line', 'tables-trend');
  });

  it('shows the shortest paths between two entities', async () => {
    const page = await open('/?focus=TUR');
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('China');
    await settled(page, () => page.getByTestId('paths-button').click());
    const ids = await nodeIds(page);
    expect(ids).toEqual(expect.arrayContaining(['TUR', 'CHN']));
    expect(new URL(page.url()).searchParams.get('path')).toBe('China');
    await page.close();
    await photograph('/?focus=TUR&path=China', 'graph-paths');
  });

  it('shows each fact with its sources, and both values where sources disagree', async () => {
    const { body } = await server.gql<{
      deal: {
        disagreements: Array<{
          field: string;
          claims: Array<{ value: string; sources: Array<{ id: string }> }>;
        }>;
      };
    }>(
      `{ deal(id: "chn-s-400-2014") {
         disagreements { field claims { value sources { id } } } } }`,
    );
    const deal = body.data!.deal;
    const orderYear = deal.disagreements.find((d) => d.field === 'orderYear');
    expect(orderYear?.claims.length).toBeGreaterThan(1);

    const page = await open('/?focus=chn-s-400-2014');
    await page.locator('[data-testid="details"][data-loaded="true"]').waitFor();
    // Human labels, not property names.
    await expect(page.locator('[data-testid="details-properties"] dt').allTextContents()).resolves.toContain(
      'Order year',
    );
    const claims = page.locator('[data-testid="disagreement-orderYear"] > li');
    const shown = await claims.evaluateAll((lis) =>
      lis.map((li) => ({
        value: li.firstChild?.textContent ?? '',
        sources: [...li.querySelectorAll('[data-source-id]')]
          .map((e) => e.getAttribute('data-source-id'))
          .sort(),
      })),
    );
    // A claim's value is JSON text; the panel shows it as a value.
    expect(shown).toEqual(
      orderYear!.claims.map((c) => ({
        value: String(JSON.parse(c.value)),
        sources: c.sources.map((x) => x.id).sort(),
      })),
    );
    await photograph('/?focus=chn-s-400-2014', 'graph-deal-sources', page);
    await page.close();

    // India's S-400 deal, merged with its SIPRI record: each delivery year with its own sources.
    const india = await server.gql<{
      deal: { deliveries: Array<{ year: number; sources: Array<{ id: string }> }> };
    }>(`{ deal(id: "ind-s-400-2018") { deliveries { year sources { id } } } }`);
    const years = india.body.data!.deal.deliveries;
    expect(years.length).toBeGreaterThan(0);
    const ind = await open('/?focus=ind-s-400-2018');
    await ind.locator('[data-testid="details"][data-loaded="true"]').waitFor();
    const shownYears = await ind.locator('[data-testid="details-deliveries"] > li').evaluateAll((lis) =>
      lis.map((li) => ({
        year: Number(/^\d{4}/.exec(li.textContent ?? '')?.[0]),
        sources: [...li.querySelectorAll('[data-source-id]')]
          .map((e) => e.getAttribute('data-source-id'))
          .sort(),
      })),
    );
    expect(shownYears).toEqual(
      years.map((d) => ({ year: d.year, sources: d.sources.map((x) => x.id).sort() })),
    );
    await ind.close();
  });

  it('says what failed and offers to retry', async () => {
    const page = await open('/?focus=no-such-entity-anywhere');
    const status = page.getByTestId('status');
    await expect(status.getAttribute('data-error')).resolves.toBe('true');
    await expect(status.textContent()).resolves.toContain('No entity matches "no-such-entity-anywhere"');
    await settled(page, () => page.getByTestId('retry').click());
    await expect(status.getAttribute('data-error')).resolves.toBe('true');
    await page.close();
  });

  it('draws the supplier → recipient network of a period as transferNetwork gives it, and focuses a country', async () => {
    const { body } = await server.gql<{
      transferNetwork: {
        nodes: Array<{ id: string }>;
        edges: Array<{ source: string; target: string; properties: { weight: number; deals: number } }>;
      };
    }>(
      `{ transferNetwork(deliveredFrom: 2015, deliveredTo: 2024) { nodes { id } edges { source target properties } } }`,
    );
    expect(body.errors).toBeUndefined();
    const net = body.data!.transferNetwork;
    expect(net.edges.length).toBeGreaterThan(20);
    const pair = (e: { source: string; target: string; weight: number; deals: number }) =>
      `${e.source}>${e.target}:${e.weight}:${e.deals}`;

    const page = await open('/?tab=network&n.from=2015&n.to=2024');
    // Photographed as it opens, before the zooms and clicks below change it.
    await photograph('/?tab=network&n.from=2015&n.to=2024', 'network-2015-2024', page);
    const summary = page.getByTestId('network-summary');
    await expect(summary.getAttribute('data-edges')).resolves.toBe(String(net.edges.length));
    await expect(summary.getAttribute('data-total')).resolves.toBe(String(net.edges.length));
    const drawn = await page.evaluate(() => {
      const cy = (window as unknown as ExplorerWindow).armsgraphExplorer.network()!;
      return {
        nodes: cy.nodes().map((n) => n.id()),
        edges: cy.edges().map((e) => ({
          source: e.source().id(),
          target: e.target().id(),
          weight: Number(e.data('weight')),
          deals: Number(e.data('deals')),
          width: Number(e.data('width')),
        })),
      };
    });
    // Every pair, with the API's TIV and deals; the widest arrow is the largest pair.
    expect(drawn.edges.map(pair).sort()).toEqual(
      net.edges.map((e) => pair({ source: e.source, target: e.target, ...e.properties })).sort(),
    );
    expect(drawn.nodes.sort()).toEqual(net.nodes.map((n) => n.id).sort());
    const widest = [...drawn.edges].sort((a, b) => b.width - a.width)[0]!;
    expect(widest.weight).toBe(Math.max(...net.edges.map((e) => e.properties.weight)));

    // Zoomed out only the largest parties keep their names; zoomed in, all do.
    const labelled = (zoom: number) =>
      page.evaluate((z) => {
        const cy = (window as unknown as ExplorerWindow).armsgraphExplorer.network()!;
        cy.zoom(z);
        const min = parseFloat(cy.nodes().first().style('min-zoomed-font-size'));
        return cy.nodes().filter((n) => parseFloat(n.style('font-size')) * z >= min).length;
      }, zoom);
    const out = await labelled(0.6);
    expect(out).toBeGreaterThan(0);
    expect(out).toBeLessThan(drawn.nodes.length);
    await expect(labelled(3)).resolves.toBe(drawn.nodes.length);

    // A click on India (from the keyboard's list of parties) focuses it: its suppliers with their TIV.
    await page.locator('details.in-view summary', { hasText: 'Parties' }).click();
    await page.locator('#network-list button[data-id="IND"]').click();
    expect(new URL(page.url()).searchParams.get('n.focus')).toBe('IND');
    await expect(page.getByTestId('network-details').getAttribute('data-focus')).resolves.toBe('IND');
    const suppliers = await page
      .locator('[data-testid="network-suppliers"] > li')
      .evaluateAll((lis) =>
        lis.map((li) => [(li as HTMLElement).dataset.id, Number((li as HTMLElement).dataset.tiv)]),
      );
    expect(suppliers).toEqual(
      net.edges
        .filter((e) => e.target === 'IND')
        .sort((a, b) => b.properties.weight - a.properties.weight)
        .map((e) => [e.source, e.properties.weight]),
    );
    // The rest fades: only India's partners and pairs stay lit.
    const lit = await page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer
        .network()!
        .nodes()
        .not('.faded')
        .map((n) => n.id())
        .sort(),
    );
    const partners = new Set(
      net.edges.flatMap((e) => (e.target === 'IND' ? [e.source] : e.source === 'IND' ? [e.target] : [])),
    );
    expect(lit).toEqual(['IND', ...partners].sort());
    // A click on the canvas focuses as well. The block body returns nothing: an arrow that returned
    // emit()'s collection made Playwright serialise the whole cytoscape instance (renderer caches
    // included), which kept the page's main thread busy for minutes.
    await page.evaluate(() => {
      (window as unknown as ExplorerWindow).armsgraphExplorer.network()!.getElementById('RUS').emit('tap');
    });
    expect(new URL(page.url()).searchParams.get('n.focus')).toBe('RUS');
    await page.close();
    await photograph('/?tab=network&n.from=2015&n.to=2024&n.focus=IND', 'network-india');
    // Four page loads with a layout each: longer than one view on a loaded machine.
  }, 900_000);

  it('filters the register by delivery years, condition and local production, in the address and the CSV', async () => {
    const filter = {
      buyer: 'IND',
      deliveredFrom: 2000,
      deliveredTo: 2020,
      condition: ['SECOND_HAND', 'SECOND_HAND_MODERNISED'],
      localProduction: false,
    };
    const { body } = await server.gql<{ deals: { totalCount: number } }>(
      `query($f: DealFilter) { deals(filter: $f) { totalCount } }`,
      { f: filter },
    );
    expect(body.errors).toBeUndefined();
    const total = body.data!.deals.totalCount;
    expect(total).toBeGreaterThan(0);
    // The filters narrow: without them, more deals.
    const all = await server.gql<{ deals: { totalCount: number } }>(
      `{ deals(filter: { buyer: "IND" }) { totalCount } }`,
    );
    expect(all.body.data!.deals.totalCount).toBeGreaterThan(total);

    const page = await open('/?tab=register');
    const form = page.getByTestId('register-form');
    await form.getByLabel('Recipient').fill('IND');
    await form.locator('input[name="deliveredFrom"]').fill('2000');
    await form.locator('input[name="deliveredTo"]').fill('2020');
    await form.getByLabel('second hand', { exact: true }).check();
    await form.getByLabel('second hand, modernised').check();
    await form.getByLabel('Local production').selectOption('false');
    await settled(page, () => page.getByTestId('register-apply').click());
    await expect(page.getByTestId('register-count').getAttribute('data-total')).resolves.toBe(String(total));
    const q = new URL(page.url()).searchParams;
    expect([
      q.get('r.deliveredFrom'),
      q.get('r.deliveredTo'),
      q.get('r.condition'),
      q.get('r.localProduction'),
    ]).toEqual(['2000', '2020', 'SECOND_HAND,SECOND_HAND_MODERNISED', 'false']);
    const csvUrl = new URL((await page.getByTestId('register-csv').getAttribute('href'))!, server.url);
    expect(Object.fromEntries(csvUrl.searchParams)).toEqual({
      buyer: 'IND',
      deliveredFrom: '2000',
      deliveredTo: '2020',
      condition: 'SECOND_HAND,SECOND_HAND_MODERNISED',
      localProduction: 'false',
    });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('register-csv').click(),
    ]);
    const rows = parse((await downloadBytes(download)).toString('utf8'), {
      columns: true,
      bom: true,
    }) as unknown[];
    expect(rows).toHaveLength(total);
    const url = page.url();
    await page.close();

    // The address alone reopens the same filter, form and count.
    const again = await open(url.replace(server.url, ''));
    await expect(again.getByTestId('register-count').getAttribute('data-total')).resolves.toBe(String(total));
    await expect(again.locator('input[name="deliveredFrom"]').inputValue()).resolves.toBe('2000');
    await expect(again.getByLabel('second hand, modernised').isChecked()).resolves.toBe(true);
    await expect(again.getByLabel('Local production').inputValue()).resolves.toBe('false');
    await photograph(url.replace(server.url, ''), 'register-delivered-second-hand', again);
    await again.close();
  });

  it('shows a long request as loading with its buttons disabled, and Cancel returns to the view before', async () => {
    const page = await open('/?focus=TUR');
    const before = {
      url: page.url(),
      nodes: await nodeIds(page),
      panel: await page.getByTestId('details').getAttribute('data-id'),
    };
    expect(before.nodes.length).toBeGreaterThan(10);
    // The paths' answer is held back until the test has seen the loading state and pressed Cancel: a
    // request still on its way whatever the machine's speed. (An emulated 15 s latency on every answer
    // had to be long enough for a loaded machine, and was waited out in full on every run.)
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/graphql', async (route) => {
      if (!route.request().postData()?.includes('paths(')) return route.continue();
      await released;
      // By then the page has given up on the request (Cancel aborted it): nothing left to answer.
      await route.continue().catch(() => undefined);
    });
    const loads = await page.evaluate(() => Number(document.body.dataset.loads));
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('China');
    await page.getByTestId('paths-button').click();
    await page.getByTestId('loading').waitFor({ state: 'visible' });
    await expect(page.getByTestId('loading').textContent()).resolves.toContain('Loading TUR');
    for (const id of ['paths-button', 'search-button', 'depth-select', 'group-select'])
      await expect(page.getByTestId(id).isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('cancel').isEnabled()).resolves.toBe(true);
    // The old drawing is taken down once the focus is known, while the paths are still on their way.
    await page.waitForFunction(
      () => (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy.nodes().length === 0,
      undefined,
      { timeout: 120_000 },
    );
    expect(new URL(page.url()).searchParams.get('path')).toBe('China');
    await page.getByTestId('cancel').click();
    await idle(page, loads);
    release();
    await page.unroute('**/graphql');
    // The view before the action: the same address, entities and panel; the buttons usable again.
    expect(page.url()).toBe(before.url);
    await expect(nodeIds(page)).resolves.toEqual(before.nodes);
    await expect(page.getByTestId('details').getAttribute('data-id')).resolves.toBe(before.panel);
    await expect(page.getByTestId('status').textContent()).resolves.toContain('Cancelled');
    await expect(page.getByTestId('loading').isHidden()).resolves.toBe(true);
    await expect(page.getByTestId('paths-button').isEnabled()).resolves.toBe(true);
    await expect(page.getByTestId('paths-form').locator('#paths-to').inputValue()).resolves.toBe('');
    await page.close();
  });

  it('keeps its first load under 1 MB compressed', async () => {
    const page = await explorer.context.newPage();
    const sizes: Array<Promise<number>> = [];
    page.on('requestfinished', (r) =>
      sizes.push(r.sizes().then((s) => s.responseBodySize + s.responseHeadersSize)),
    );
    await page.goto(server.url + '/');
    await idle(page);
    const bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
    expect(bytes).toBeLessThan(1_000_000);
    await page.close();
  });

  it('logged no console error', () => {
    expect(explorer.consoleErrors).toEqual([]);
  });
});
