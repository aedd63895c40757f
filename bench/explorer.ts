/**
 * How fast the explorer page draws: `npm run bench:explorer`. Starts its own embedded Neo4j (temporary
 * data folder, free port) and the service on 127.0.0.1, seeds the curated graph plus EXPLORER_DEALS
 * synthetic deals (buyer ZB0 gets a third of them, so its neighbourhood reaches the page's 200-node
 * cap), then drives Debian's Chromium: page load, opening that neighbourhood grouped by partner, then
 * one node each (request + fCoSE layout),
 * expanding a deal to depth 2, which brings a hundred more, and the GraphQL IDE's load. Prints the numbers as JSON
 * and stops everything it started. Loopback only; a handful of page actions, bounded in time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { createApp } from '../src/app';
import { silentLogger } from '../src/logger';
import { projectRoot } from '../src/project-root';
import { seedGraph } from '../src/seed/seeder';
import { openStore } from '../src/store';
import { writeSyntheticDeals } from '../tests/helpers/synthetic-deals';
import { embeddedBenchConfig } from './bench-config';

const DEALS = Number(process.env.EXPLORER_DEALS ?? 600);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Milliseconds from `action` until the page reports it finished what the action started. */
async function timed(page: Page, action: () => Promise<unknown>): Promise<number> {
  const before = await page.evaluate(() => Number(document.body.dataset.loads));
  const started = performance.now();
  await action();
  await page.waitForFunction(
    (b) => Number(document.body.dataset.loads) > b && document.body.dataset.state === 'idle',
    before,
    { timeout: 120_000 },
  );
  return Math.round(performance.now() - started);
}

const inView = (page: Page) =>
  page.evaluate(() => {
    const status = document.getElementById('status');
    return { nodes: Number(status?.dataset.nodes), edges: Number(status?.dataset.edgesShown) };
  });

function bundle(name: string): { bytes: number; gzipBytes: number; brotliBytes: number } {
  const data = fs.readFileSync(path.join(projectRoot(), 'dist', 'web', name));
  return {
    bytes: data.length,
    gzipBytes: zlib.gzipSync(data).length,
    brotliBytes: zlib.brotliCompressSync(data).length,
  };
}

async function main(): Promise<void> {
  const { config, dataDir } = await embeddedBenchConfig('explorer', {
    NEO4J_LOCAL_HEAP: '1g',
    NEO4J_LOCAL_PAGECACHE: '256m',
    ARMSGRAPH_RATE_LIMIT: '0',
  });
  const logger = silentLogger();
  const store = await openStore(config, logger);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    await seedGraph(store.db);
    await writeSyntheticDeals(store.db, DEALS);
    const app = await createApp({ config, db: store.db, logger });
    const port = await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${port}`;
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    let started = performance.now();
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.body.dataset.state === 'idle');
    const pageLoadMs = Math.round(performance.now() - started);

    await page.getByLabel('Search an entity').fill('Testland ZB0');
    await timed(page, () => page.getByLabel('Search an entity').press('Enter'));
    // ZB0's 200 deals open grouped by partner (two sellers), then one node each (the 200-node cap).
    const openGroupedMs = await timed(page, () =>
      page.locator('[data-testid="search-result"][data-id="ZB0"]').click(),
    );
    const openedGrouped = await inView(page);
    const openMs = await timed(page, () => page.getByLabel('Deals').selectOption('none'));
    const opened = await inView(page);

    // Expanding a deal to depth 2 brings its seller's and system's other deals (up to the cap), through
    // the node list: the keyboard path of a click on the canvas.
    await timed(page, () => page.getByLabel('Depth').selectOption('2'));
    // Shift+Enter (a shifted click) on the node list opens a node, as a double click on the canvas does.
    const expandMs = await timed(page, () =>
      page.evaluate(() =>
        document
          .querySelector('#node-list button[data-id="zdeal-0000"]')
          ?.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true })),
      ),
    );
    const expanded = await inView(page);

    started = performance.now();
    const ide = await browser.newPage();
    await ide.goto(`${url}/graphiql`);
    await ide.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 60_000 });
    const ideLoadMs = Math.round(performance.now() - started);

    await app.close();
    const report = {
      machine: `${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      syntheticDeals: DEALS,
      bundles: { 'explorer.js': bundle('explorer.js'), 'graphiql.js': bundle('graphiql.js') },
      pageLoadMs,
      openGrouped: { ms: openGroupedMs, ...openedGrouped },
      openNeighbourhood: { ms: openMs, ...opened },
      expandNode: { ms: expandMs, ...expanded },
      ideLoadMs,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await browser.close();
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
