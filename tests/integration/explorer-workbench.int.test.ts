import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { projectRoot } from '../../src/project-root';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

/**
 * The explorer as an analyst's workbench, in Debian's Chromium, on a service that holds the curated
 * seed and an imported SIPRI register (tests/fixtures/sipri/workbench-register.csv: every row of
 * India's and Turkiye's imports and Turkiye's exports, and the United States' exports to six
 * recipients). Each view is checked against the API's own answer, with axe-core, and photographed at
 * 1280 and 390 px (into tests/artifacts/screenshots, or the folder ARMSGRAPH_SCREENSHOTS names:
 * docs/screenshots holds the committed ones).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.resolve(
  projectRoot(),
  process.env.ARMSGRAPH_SCREENSHOTS ?? path.join('tests', 'artifacts', 'screenshots'),
);
const REGISTER = path.join(projectRoot(), 'tests', 'fixtures', 'sipri', 'workbench-register.csv');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1280, 390] as const;

type ExplorerWindow = Window & {
  armsgraphExplorer: { view: { cy: import('cytoscape').Core } };
  axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
};
interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe('explorer workbench on an imported register', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: run scripts/setup-test-tools.sh`);
    execFileSync(process.execPath, [path.join(projectRoot(), 'scripts', 'build-web.js')], {
      stdio: 'inherit',
    });
    // Importing 3,453 rows on a busy two-core machine outlasts the default per-request timeout.
    server = await startTestServer({ ARMSGRAPH_QUERY_TIMEOUT_MS: '300000' });
    await resetGraph(server.db);
    await seedGraph(server.db);
    await importSipri(server.db, await readRegister(REGISTER));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
    // A page's first load (scripts, then the service's answers) waits as long as idle() does: at a
    // load average of 30 the browser's 30 s default was exceeded with nothing wrong.
    context.setDefaultNavigationTimeout(300_000);
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(url: string, width: number = 1280): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 860 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${url}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${url}: ${e.message}`));
    await page.goto(server.url + url);
    await idle(page);
    return page;
  }

  /** Waits until the page has finished what it started (body[data-state], body[data-loads]). */
  async function idle(page: Page, loadsAbove = 0): Promise<void> {
    await page.waitForFunction(
      (b) => document.body.dataset.state === 'idle' && Number(document.body.dataset.loads) > b,
      loadsAbove,
      { timeout: 300_000 },
    );
  }

  async function settled(page: Page, action: () => Promise<unknown>): Promise<void> {
    const before = await page.evaluate(() => Number(document.body.dataset.loads));
    await action();
    await idle(page, before);
  }

  const nodeIds = (page: Page) =>
    page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
        .nodes()
        .filter((n) => n.style('display') !== 'none')
        .map((n) => n.id())
        .sort(),
    );

  async function axe(page: Page): Promise<AxeViolation[]> {
    // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern.
    await page.evaluate(AXE);
    const result = await page.evaluate(() =>
      (window as unknown as ExplorerWindow).axe.run(document, { resultTypes: ['violations'] }),
    );
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  }

  /** The same view at both widths: no axe violation in either, and a screenshot of each. */
  async function photograph(url: string, name: string, ready?: (p: Page) => Promise<void>): Promise<void> {
    for (const width of WIDTHS) {
      const page = await open(url, width);
      if (ready) await ready(page);
      expect([name, width, await axe(page)]).toEqual([name, width, []]);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: width < 800 });
      await page.close();
    }
  }

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
    await page.close();
    await photograph('/?focus=TUR', 'graph-turkey');
  });

  it("draws the United States' deals as one weighted edge per partner, not 200 deal nodes", async () => {
    const { body } = await server.gql<{
      dealGroups: Array<{ key: string; deals: number }>;
      deals: { totalCount: number };
    }>(`{ dealGroups(id: "USA") { key deals } deals(filter: { seller: "USA" }) { totalCount } }`);
    const groups = body.data!.dealGroups;
    expect(body.data!.deals.totalCount).toBeGreaterThan(200);

    const page = await open('/?focus=United%20States');
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
    await photograph('/?focus=USA', 'graph-united-states');
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
    await page.locator('details.in-view summary').click();
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
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const again = await fresh.newPage();
    again.on('pageerror', (e) => consoleErrors.push(`reopened: ${e.message}`));
    again.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`reopened: ${m.text()}`);
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
    const rows = parse(fs.readFileSync(await download.path(), 'utf8'), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
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
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-csv').click()]);
    const rows = parse(fs.readFileSync(await csv.path(), 'utf8'), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(rows.map((r) => [r.key, Number(r.share)])).toEqual(expected.map((r) => [r.key, r.share]));
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-png').click()]);
    expect(
      fs
        .readFileSync(await png.path())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tables-svg').click()]);
    expect(fs.readFileSync(await svg.path(), 'utf8')).toMatch(
      /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    await page.close();
    await photograph('/?tab=tables&t.recipient=IND', 'tables-india-suppliers');
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
    await photograph('/?focus=chn-s-400-2014', 'graph-deal-sources');
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

  it('keeps its first load under 1 MB compressed', async () => {
    const page = await context.newPage();
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
    expect(consoleErrors).toEqual([]);
  });
});
