import express from 'express';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/project-root';
import {
  CONTENT_SECURITY_POLICY,
  graphqlBrowserRedirect,
  mountWebPages,
  securityHeaders,
} from '../../src/http/web-pages';

/** The page routes on a bare express app (no database): bundles present or missing, headers, redirect. */
describe('web pages', () => {
  const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-web-assets-'));
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let url: string;

  beforeAll(async () => {
    const app = express();
    app.use(securityHeaders);
    app.use('/graphql', graphqlBrowserRedirect, (_req, res) => {
      res.json({ reached: 'graphql' });
    });
    mountWebPages(app, { pages: path.join(projectRoot(), 'web'), assets });
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(assets, { recursive: true, force: true });
  });

  it('answers 503 with the build command while the bundles are missing', async () => {
    for (const route of ['/', '/graphiql']) {
      const res = await fetch(url + route);
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build');
    }
  });

  it('serves the pages and bundles once built, with the CSP and no caching surprises', async () => {
    fs.writeFileSync(path.join(assets, 'explorer.js'), '/* bundle */');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await page.text();
    expect(html).toContain('<script src="/assets/explorer.js"></script>');
    // Nothing in the page points off-origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const js = await fetch(`${url}/assets/explorer.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('/* bundle */');
    expect((await fetch(`${url}/assets/nothing.js`)).status).toBe(404);
  });

  it('sends browsers that open /graphql to the IDE, and clients through', async () => {
    const browser = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/graphiql');
    const withQuery = await fetch(`${url}/graphql?query=%7B__typename%7D`, {
      headers: { accept: 'text/html' },
    });
    expect(await withQuery.json()).toEqual({ reached: 'graphql' });
    const client = await fetch(`${url}/graphql`, { headers: { accept: 'application/json' } });
    expect(await client.json()).toEqual({ reached: 'graphql' });
  });

  it('names no other origin in the policy', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|'unsafe-/);
  });
});
