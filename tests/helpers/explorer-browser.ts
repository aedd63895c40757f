import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { projectRoot } from '../../src/project-root';
import type { TestServer } from './test-app';
import { connectTestBrowser } from './test-browser';

/**
 * The explorer in the test run's Chromium (tests/helpers/test-browser.ts), for the browser tests: pages that wait until the explorer has
 * finished what it started, axe-core, every console error collected, and each view photographed at
 * 1280 and 390 px (into tests/artifacts/screenshots, or the folder ARMSGRAPH_SCREENSHOTS names:
 * docs/screenshots holds the committed ones).
 */
export const SHOTS = path.resolve(
  projectRoot(),
  process.env.ARMSGRAPH_SCREENSHOTS ?? path.join('tests', 'artifacts', 'screenshots'),
);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const WIDTHS = [1280, 390] as const;

export type ExplorerWindow = Window & {
  armsgraphExplorer: {
    view: { cy: import('cytoscape').Core };
    network: () => import('cytoscape').Core | undefined;
  };
  axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
};
export interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

export interface Explorer {
  browser: Browser;
  context: BrowserContext;
  consoleErrors: string[];
  open(url: string, width?: number): Promise<Page>;
  idle(page: Page, loadsAbove?: number): Promise<void>;
  settled(page: Page, action: () => Promise<unknown>): Promise<void>;
  axe(page: Page): Promise<AxeViolation[]>;
  /**
   * The same view at both widths: no axe violation in either, and a screenshot of each. `opened`: a
   * page a test already has on `url` at 1280 px, not yet changed by the test (it is checked and
   * photographed as it is, and left open), so the view is loaded once less.
   */
  photograph(url: string, name: string, ready?: (p: Page) => Promise<void>, opened?: Page): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the run's Chromium and returns the helpers bound to `server`. */
export async function startExplorer(server: TestServer): Promise<Explorer> {
  const browser = await connectTestBrowser();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 } });
  // A page's first load (scripts, then the service's answers) waits as long as idle() does: at a
  // load average of 30 the browser's 30 s default was exceeded with nothing wrong.
  context.setDefaultNavigationTimeout(300_000);
  fs.mkdirSync(SHOTS, { recursive: true });
  const consoleErrors: string[] = [];

  /** Waits until the page has finished what it started (body[data-state], body[data-loads]). */
  const idle = async (page: Page, loadsAbove = 0): Promise<void> => {
    await page.waitForFunction(
      (b) => document.body.dataset.state === 'idle' && Number(document.body.dataset.loads) > b,
      loadsAbove,
      { timeout: 300_000 },
    );
  };

  const open = async (url: string, width = 1280): Promise<Page> => {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 860 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${url}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${url}: ${e.message}`));
    await page.goto(server.url + url);
    await idle(page);
    return page;
  };

  const axe = async (page: Page): Promise<AxeViolation[]> => {
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
  };

  return {
    browser,
    context,
    consoleErrors,
    open,
    idle,
    async settled(page, action) {
      const before = await page.evaluate(() => Number(document.body.dataset.loads));
      await action();
      await idle(page, before);
    },
    axe,
    async photograph(url, name, ready, opened) {
      if (opened) {
        expect([url, opened.viewportSize()?.width]).toEqual([url, WIDTHS[0]]);
        expect(new URL(opened.url()).search).toBe(new URL(url, server.url).search);
      }
      for (const width of WIDTHS) {
        const reused = opened && width === WIDTHS[0];
        const page = reused ? opened : await open(url, width);
        if (ready) await ready(page);
        expect([name, width, await axe(page)]).toEqual([name, width, []]);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: width < 800 });
        if (!reused) await page.close();
      }
    },
    async close() {
      await browser.close();
    },
  };
}
