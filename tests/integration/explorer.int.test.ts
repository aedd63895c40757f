import type { Core } from 'cytoscape';
import cytoscape from 'cytoscape';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { projectRoot } from '../../src/project-root';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { connectTestBrowser, downloadBytes } from '../helpers/test-browser';

/**
 * The explorer page and the GraphQL IDE in a real browser: Debian's Chromium, driven by playwright-core
 * (`npx playwright install` downloads browsers and cannot work offline; the project installs Chromium
 * with apt in scripts/setup-test-tools.sh, and the test run starts it: tests/helpers/test-browser.ts). Every request the pages make is recorded: all must go to the
 * service's own origin.
 */
// Screenshots go to tests/artifacts, or where ARMSGRAPH_TEST_ARTIFACTS says (a second test run at the
// same time, as CI's Node 24 pass, keeps its own).
const ARTIFACTS = process.env.ARMSGRAPH_TEST_ARTIFACTS ?? path.join(projectRoot(), 'tests', 'artifacts');

type Subgraph = { nodes: Array<{ id: string }>; edges: Array<{ id: string; type: string }> };
type ExplorerWindow = Window & { armsgraphExplorer: { view: { cy: Core } } };

describe('explorer page in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    browser = await connectTestBrowser();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    // Every request of every page of the context, favicons and downloads included.
    context.on('request', (r) => requests.push(r.url()));
    page = await context.newPage();
    watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  function watch(p: Page): void {
    p.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    p.on('pageerror', (e) => pageErrors.push(e.message));
  }

  async function neighborhood(id: string, depth: number): Promise<Subgraph> {
    const { body } = await server.gql<{ neighborhood: Subgraph }>(
      `query($id: ID!, $depth: Int) { neighborhood(id: $id, depth: $depth, first: 200) { nodes { id } edges { id type } } }`,
      { id, depth },
    );
    expect(body.errors).toBeUndefined();
    return body.data?.neighborhood ?? { nodes: [], edges: [] };
  }

  /** Runs a user action and waits until the page has finished what it started (body[data-loads] counts). */
  async function settled(action: () => Promise<unknown>): Promise<void> {
    const before = await page.evaluate(() => Number(document.body.dataset.loads));
    await action();
    // Generous: the machines these tests run on are often shared and busy.
    await page.waitForFunction(
      (b) => Number(document.body.dataset.loads) > b && document.body.dataset.state === 'idle',
      before,
      { timeout: 120_000 },
    );
  }

  const nodeIdsInView = () =>
    page.evaluate(() =>
      (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
        .nodes()
        .map((n) => n.id())
        .sort(),
    );

  it('serves its pages with a Content-Security-Policy that allows this origin only', async () => {
    for (const route of ['/', '/graphiql']) {
      const res = await fetch(server.url + route);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      // No other origin is named anywhere in the policy.
      expect(csp).not.toMatch(/https?:|\*/);
    }
  });

  it('searches with Enter and opens the neighbourhood of the hit', async () => {
    await page.goto(server.url + '/');
    await page.getByLabel('Search an entity').fill('Turkey');
    await settled(() => page.getByLabel('Search an entity').press('Enter'));
    const hit = page.locator('[data-testid="search-result"][data-id="TUR"]');
    await hit.waitFor();
    // Keyboard flow: the best hit has the focus, Enter opens it.
    await expect(hit.evaluate((e) => e === document.activeElement)).resolves.toBe(true);
    await settled(() => page.keyboard.press('Enter'));

    const expected = await neighborhood('TUR', 1);
    expect(expected.nodes.map((n) => n.id)).toContain('s-400');
    expect(await nodeIdsInView()).toEqual(expected.nodes.map((n) => n.id).sort());
    await expect(page.getByTestId('details-title').textContent()).resolves.toBe('Turkey');
    await expect(page.getByTestId('status').getAttribute('data-edges-shown')).resolves.toBe(
      String(expected.edges.length),
    );
  });

  it('reloads the view when the depth changes', async () => {
    await settled(() => page.getByLabel('Depth').selectOption('2'));
    expect(new URL(page.url()).searchParams.get('depth')).toBe('2');
    const two = await neighborhood('TUR', 2);
    expect(await nodeIdsInView()).toEqual(two.nodes.map((n) => n.id).sort());
    // The panel's export links follow the depth.
    await expect(
      page.locator('[data-testid="details-exports"] a').first().getAttribute('href'),
    ).resolves.toBe('/export/cytoscape?around=TUR&depth=2');
    await settled(() => page.getByLabel('Depth').selectOption('1'));
    const one = await neighborhood('TUR', 1);
    expect(await nodeIdsInView()).toEqual(one.nodes.map((n) => n.id).sort());
  });

  it('keeps the graph where it is while the loading bar shows (a click must hit what is drawn)', async () => {
    const graphBox = () =>
      page.evaluate(() => {
        const r = document.getElementById('cy')?.getBoundingClientRect();
        return r ? [r.left, r.top, r.width, r.height] : [];
      });
    const idle = await graphBox();
    expect(idle).toHaveLength(4);
    // The bar a slow action shows (after a short delay, so an idle test machine rarely sees it).
    const showLoading = (shown: boolean) =>
      page.evaluate((s) => {
        const loading = document.getElementById('loading');
        if (loading) loading.hidden = !s;
      }, shown);
    await showLoading(true);
    await expect(page.getByTestId('loading').isVisible()).resolves.toBe(true);
    expect(await graphBox()).toEqual(idle);
    await showLoading(false);
  });

  it('selects the S-400 node on a click, and opens it on request', async () => {
    const expected = await neighborhood('s-400', 1);
    const expectedIds = expected.nodes.map((n) => n.id);
    // China's S-400 deal is one hop from the system, two from Turkey.
    expect(expectedIds).toContain('chn-s-400-2014');
    const before = await nodeIdsInView();
    expect(before).not.toContain('chn-s-400-2014');

    // A real click on the canvas, where cytoscape drew the node.
    const at = await page.evaluate(() => {
      const node = (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy.getElementById('s-400');
      const box = document.getElementById('cy')?.getBoundingClientRect();
      const p = node.renderedPosition();
      return { x: (box?.left ?? 0) + p.x, y: (box?.top ?? 0) + p.y };
    });
    // A single click only selects: nothing is added.
    await settled(() => page.mouse.click(at.x, at.y));
    expect(await nodeIdsInView()).toEqual(before);
    await page.locator('[data-testid="details"][data-id="s-400"][data-loaded="true"]').waitFor();
    // "Open neighbourhood" (what a double click on the canvas does) adds its neighbours.
    await settled(() => page.getByTestId('action-expand').click());
    await expect(
      page.evaluate(() =>
        (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
          .getElementById('s-400')
          .hasClass('expanded'),
      ),
    ).resolves.toBe(true);
    const after = await nodeIdsInView();
    expect(after).toEqual(expect.arrayContaining([...before, ...expectedIds]));
    expect(after.length).toBeGreaterThan(before.length);
  });

  it('shows the properties and sources of the clicked node in the side panel', async () => {
    const { body } = await server.gql<{
      weaponSystem: { name: string; category: string; sources: Array<{ id: string; name: string }> };
    }>(`{ weaponSystem(id: "s-400") { name category sources { id name } } }`);
    const s400 = body.data?.weaponSystem;
    expect(s400?.sources.map((s) => s.id)).toContain('article-s400-turkey');

    await page.locator('[data-testid="details"][data-id="s-400"][data-loaded="true"]').waitFor();
    await expect(page.getByTestId('details-title').textContent()).resolves.toBe(s400?.name);
    await expect(
      page.locator('[data-testid="details-properties"] dd[data-property="category"]').textContent(),
    ).resolves.toBe(s400?.category);
    const article = page.locator('[data-testid="details-sources"] [data-source-id="article-s400-turkey"]');
    await expect(article.textContent()).resolves.toContain(
      s400?.sources.find((s) => s.id === 'article-s400-turkey')?.name,
    );
    const shownSources = await page
      .locator('[data-testid="details-sources"] [data-source-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-source-id')));
    expect(shownSources.sort()).toEqual(s400?.sources.map((s) => s.id).sort());
  });

  it('links the service exports of the neighbourhood of the focused entity', async () => {
    const links = page.locator('[data-testid="details-exports"] a');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toEqual(
      expect.arrayContaining([
        '/export/cytoscape?around=s-400&depth=1',
        '/export/graphml?around=s-400&depth=1',
      ]),
    );
    // Every link answers with a file.
    for (const href of hrefs) {
      const res = await fetch(server.url + href);
      expect([href, res.status]).toEqual([href, 200]);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
      await res.arrayBuffer();
    }
    // The browser downloads it from this origin, and it holds the neighbourhood the API reports.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Cytoscape.js JSON' }).click(),
    ]);
    const json = JSON.parse((await downloadBytes(download)).toString('utf8')) as {
      elements: { nodes: Array<{ data: { id: string } }> };
    };
    const expected = await neighborhood('s-400', 1);
    expect(json.elements.nodes.map((n) => n.data.id).sort()).toEqual(expected.nodes.map((n) => n.id).sort());
  });

  it('hides the edges of an unticked relation type', async () => {
    const count = (type: string) =>
      page.evaluate(
        (t) =>
          (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy
            .edges()
            .filter((e) => e.data('type') === t && e.style('display') !== 'none').length,
        type,
      );
    const buyers = await count('BUYER');
    expect(buyers).toBeGreaterThan(0);
    const shownBefore = Number(await page.getByTestId('status').getAttribute('data-edges-shown'));

    await page.getByTestId('filter-BUYER').uncheck();
    expect(await count('BUYER')).toBe(0);
    const status = page.getByTestId('status');
    await expect(status.getAttribute('data-edges-hidden')).resolves.toBe(String(buyers));
    await expect(status.getAttribute('data-edges-shown')).resolves.toBe(String(shownBefore - buyers));
    // Other relation types stay drawn.
    expect(await count('COVERS')).toBeGreaterThan(0);
  });

  it('shows the properties and sources of a clicked edge', async () => {
    const { body } = await server.gql<{
      neighborhood: { edges: Array<{ id: string; type: string; properties: { sourceIds?: string[] } }> };
    }>(`{ neighborhood(id: "s-400", depth: 1, types: ["COVERS"]) { edges { id type properties } } }`);
    const edge = body.data?.neighborhood.edges.find((e) => (e.properties.sourceIds ?? []).length > 0);
    expect(edge).toBeDefined();
    const at = await page.evaluate((id) => {
      const e = (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy.getElementById(id);
      const box = document.getElementById('cy')?.getBoundingClientRect();
      const p = e.renderedMidpoint();
      return { x: (box?.left ?? 0) + p.x, y: (box?.top ?? 0) + p.y };
    }, edge?.id ?? '');
    await settled(() => page.mouse.click(at.x, at.y));
    await page.locator(`[data-testid="details"][data-loaded="true"]`).waitFor();
    await expect(page.getByTestId('details').getAttribute('data-id')).resolves.toBe(edge?.id);
    await expect(page.getByTestId('details-title').textContent()).resolves.toBe('COVERS');
    const shownSources = await page
      .locator('[data-testid="details-sources"] [data-source-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-source-id')));
    expect(shownSources.sort()).toEqual([...(edge?.properties.sourceIds ?? [])].sort());
  });

  it('downloads the view as Cytoscape JSON that cytoscape reads back', async () => {
    const shown = await page.evaluate(() => {
      const cy = (window as unknown as ExplorerWindow).armsgraphExplorer.view.cy;
      return {
        nodes: cy.nodes().map((n) => n.id()),
        edges: cy
          .edges()
          .filter((e) => e.style('display') !== 'none')
          .map((e) => e.id()),
      };
    });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-view').click(),
    ]);
    // Named for the view's focus.
    expect(download.suggestedFilename()).toBe('armsgraph-view-TUR.json');
    const json = JSON.parse((await downloadBytes(download)).toString('utf8')) as {
      elements: {
        nodes: Array<{ data: { id: string } }>;
        edges: Array<{ data: { id: string; type: string; source: string; target: string } }>;
      };
    };
    expect(json.elements.nodes.map((n) => n.data.id).sort()).toEqual(shown.nodes.sort());
    expect(json.elements.edges.map((e) => e.data.id).sort()).toEqual(shown.edges.sort());
    expect(json.elements.edges.some((e) => e.data.type === 'BUYER')).toBe(false);

    // A real reader: headless cytoscape loads the file as it is.
    const cy = cytoscape({ headless: true, elements: json.elements as cytoscape.ElementsDefinition });
    expect(cy.nodes().length).toBe(shown.nodes.length);
    expect(cy.edges().length).toBe(shown.edges.length);
    cy.edges().forEach((e) => {
      expect(e.source().nonempty() && e.target().nonempty()).toBe(true);
    });
  });

  it('saves a screenshot', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'explorer.png');
    fs.rmSync(file, { force: true });
    await page.screenshot({ path: file });
    expect(fs.statSync(file).size).toBeGreaterThan(10_000);
  });

  it('opens the GraphQL IDE and runs a query offline', async () => {
    const ide = await context.newPage();
    watch(ide);
    await ide.goto(server.url + '/graphiql');
    const editor = ide.locator('.graphiql-query-editor .CodeMirror');
    await editor.waitFor();
    await editor.click();
    await ide.keyboard.press('Control+A');
    await ide.keyboard.press('Delete');
    await ide.keyboard.type('{ __typename }');
    const answered = ide.waitForResponse(
      (r) => r.url() === `${server.url}/graphql` && (r.request().postData() ?? '').includes('__typename'),
    );
    await ide.getByRole('button', { name: /execute query/i }).click();
    expect(await (await answered).json()).toEqual({ data: { __typename: 'Query' } });
    // And the IDE shows it: the result pane is a CodeMirror 5 editor, which exposes its value.
    await ide.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('Query'));
    const shown = await ide.evaluate(() => {
      const cm = document.querySelector('.result-window .CodeMirror') as
        (Element & { CodeMirror?: { getValue(): string } }) | null;
      return cm?.CodeMirror?.getValue() ?? '';
    });
    expect(JSON.parse(shown)).toEqual({ data: { __typename: 'Query' } });
    await ide.screenshot({ path: path.join(ARTIFACTS, 'graphiql.png') });
    await ide.close();
  });

  it('made no request outside the service, and the policy refused nothing', () => {
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(5);
    expect(requests).toEqual(expect.arrayContaining([`${origin}/assets/explorer.js`, `${origin}/graphql`]));
    // blob: URLs of the download carry our origin too (blob:http://127.0.0.1:port/uuid).
    const offOrigin = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(`blob:${origin}/`));
    expect(offOrigin).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('explorer behind a read token', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_READ_TOKEN: 'analyst:explorer-read-secret' });
    await resetGraph(server.db);
    await seedGraph(server.db);
    browser = await connectTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the pages without the token, and sends a browser that opens /graphql to the IDE', async () => {
    for (const route of ['/', '/graphiql', '/assets/explorer.js']) {
      expect([route, (await fetch(server.url + route)).status]).toEqual([route, 200]);
    }
    const browserGet = await fetch(`${server.url}/graphql`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(browserGet.status).toBe(302);
    expect(browserGet.headers.get('location')).toBe('/graphiql');
    // A GraphQL client asking for JSON is not redirected: it meets the token check.
    const clientGet = await fetch(`${server.url}/graphql?query=%7B__typename%7D`, {
      headers: { accept: 'application/json' },
    });
    expect(clientGet.status).toBe(401);
  });

  it('asks for the token, then searches with it', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    await page.getByLabel('Search an entity').fill('Turkey');
    await page.getByLabel('Search an entity').press('Enter');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('read token'));
    await expect(page.locator('details.token').getAttribute('open')).resolves.not.toBeNull();

    await page.getByLabel(/Read token/).fill('explorer-read-secret');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByLabel('Search an entity').press('Enter');
    await page.locator('[data-testid="search-result"][data-id="TUR"]').waitFor();
    await page.close();
  });
});
