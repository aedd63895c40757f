import type { Browser, Page } from 'playwright-core';
import { importReference } from '../../src/import/reference/import-reference';
import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { connectTestBrowser } from '../helpers/test-browser';

// The explorer's country panel in a real Chromium: memberships with their dates, sanctions and
// embargoes with their instruments, each with the sources that state it.

describe("the explorer's country panel", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    await importReference(server.db);
    browser = await connectTestBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists Turkey’s NATO membership and the CAATSA sanction with dates, instrument and sources', async () => {
    await page.goto(server.url + '/');
    await page.getByLabel('Search an entity').fill('Turkey');
    await page.getByLabel('Search an entity').press('Enter');
    const hit = page.locator('[data-testid="search-result"][data-id="TUR"]');
    await hit.waitFor();
    await hit.click();
    await page.locator('[data-testid="details"][data-id="TUR"][data-loaded="true"]').waitFor();

    const memberships = page.getByTestId('details-memberships');
    await expect(memberships.textContent()).resolves.toContain('NATO: 1952-02-18 – today');
    await expect(
      memberships.locator('[data-source-id="nato-member-countries"]').count(),
    ).resolves.toBeGreaterThan(0);

    const sanctions = page.getByTestId('details-sanctions');
    const text = await sanctions.textContent();
    expect(text).toContain(
      'targeted by United States on Presidency of Defense Industries, imposed, 2020-12-14 – today; CAATSA section 231',
    );
    await expect(sanctions.locator('[data-source-id="state-dept-2020-12-14-caatsa"]').count()).resolves.toBe(
      1,
    );
  });
});
