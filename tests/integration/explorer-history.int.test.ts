import path from 'node:path';
import type { Page } from 'playwright-core';
import { importSipri } from '../../src/import/sipri/import-register';
import { readRegister } from '../../src/import/sipri/read-register';
import { startExplorer, type Explorer } from '../helpers/explorer-browser';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

/**
 * A SIPRI deal's history across releases in the explorer's panel, on a service that imported two
 * releases of the register (tests/fixtures/sipri/releases: an excerpt of the export of 3 Jan 2025 and
 * a newer release derived from it, whose manifest names each change).
 */
const dir = path.join(__dirname, '..', 'fixtures', 'sipri', 'releases');

interface Revision {
  release: string;
  previousRelease: string;
  field: string;
  old: string | null;
  new: string | null;
}

describe('explorer: release history of a SIPRI deal', () => {
  let server: TestServer;
  let explorer: Explorer;

  beforeAll(async () => {
    server = await startTestServer({ ARMSGRAPH_QUERY_TIMEOUT_MS: '300000' });
    await resetGraph(server.db);
    for (const file of ['release-2025-01-03.csv', 'release-2026-02-12.csv']) {
      const register = await readRegister(path.join(dir, file));
      await importSipri(server.db, register, { reread: () => readRegister(path.join(dir, file)) });
    }
    explorer = await startExplorer(server);
  }, 900_000);

  afterAll(async () => {
    await explorer?.close();
    await server?.close();
  });

  const panel = async (page: Page) => {
    await page.locator('[data-testid="details"][data-loaded="true"]').waitFor();
    return page.getByTestId('details');
  };

  it.each([
    // The manifest's changes: a new supplier (France → Germany) and a delivery moved a year later.
    ['sipri-66122', 'seller'],
    ['sipri-66302', 'delivery'],
  ])(
    'shows %s revisions (%s) as Deal.revisions gives them, each with its release Sources',
    async (id, kind) => {
      const { body } = await server.gql<{
        deal: {
          sipriRelease: string;
          sipriReleases: string[];
          revisions: Revision[];
          deliveries: Array<{ year: number; sipriFirstSeen: string | null; sipriLastSeen: string | null }>;
        };
        sipriReleases: Array<{ id: string; release: string }>;
      }>(
        `query($id: ID!) {
         deal(id: $id) { sipriRelease sipriReleases revisions { release previousRelease field old new }
                         deliveries { year sipriFirstSeen sipriLastSeen } }
         sipriReleases { id release }
       }`,
        { id },
      );
      expect(body.errors).toBeUndefined();
      const deal = body.data!.deal;
      const sourceOf = new Map(body.data!.sipriReleases.map((s) => [s.release, s.id]));
      expect(deal.revisions.length).toBeGreaterThan(0);
      expect(deal.revisions.some((r) => r.field.startsWith(kind))).toBe(true);

      const page = await explorer.open(`/?focus=${id}`);
      const details = await panel(page);
      const history = details.locator('[data-testid="details-revisions"] > li');
      // The current values' release, with its Source.
      const current = details.locator('[data-testid="details-revisions"] > li[data-kind="current"]');
      await expect(current.getAttribute('data-release')).resolves.toBe(deal.sipriRelease);
      await expect(current.locator('[data-source-id]').getAttribute('data-source-id')).resolves.toBe(
        sourceOf.get(deal.sipriRelease),
      );
      // Every revision, in the API's order, with the Sources of the two releases it compares.
      const shown = await history.evaluateAll((lis) =>
        lis
          .filter((li) => (li as HTMLElement).dataset.kind === 'revision')
          .map((li) => ({
            field: (li as HTMLElement).dataset.field,
            release: (li as HTMLElement).dataset.release,
            previousRelease: (li as HTMLElement).dataset.previousRelease,
            sources: [...li.querySelectorAll('[data-source-id]')].map((e) =>
              e.getAttribute('data-source-id'),
            ),
            text: li.firstChild?.textContent ?? '',
          })),
      );
      expect(shown.map(({ text: _t, ...r }) => r)).toEqual(
        deal.revisions.map((r) => ({
          field: r.field,
          release: r.release,
          previousRelease: r.previousRelease,
          sources: [sourceOf.get(r.previousRelease), sourceOf.get(r.release)],
        })),
      );
      // Plain labels, not field names: "Supplier: France (release of 3 Jan 2025) → Germany (...)".
      for (const s of shown) expect(s.text).not.toMatch(/^(seller|buyer|delivery \d)/);
      if (kind === 'seller') expect(shown.find((s) => s.field === 'seller')?.text).toMatch(/^Supplier: /);
      // Each delivery year says which releases recorded it.
      const years = await details
        .locator('[data-testid="details-deliveries"] > li')
        .evaluateAll((lis) => lis.map((li) => li.textContent ?? ''));
      expect(years).toHaveLength(deal.deliveries.length);
      for (const [i, d] of deal.deliveries.entries()) {
        expect(years[i]).toMatch(new RegExp(`^${d.year}`));
        if (d.sipriFirstSeen) expect(years[i]).toContain("in SIPRI's release");
      }
      await page.close();
    },
  );

  it('photographs the history at 1280 and 390 px with no axe violation and no console error', async () => {
    await explorer.photograph('/?focus=sipri-66302', 'graph-deal-release-history', async (p) => {
      await (await panel(p)).locator('[data-testid="details-revisions"]').scrollIntoViewIfNeeded();
    });
    expect(explorer.consoleErrors).toEqual([]);
  });
});
