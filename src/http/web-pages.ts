import accepts from 'accepts';
import express, { type Express, type RequestHandler } from 'express';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';
import { requestQuery, type PlainHandler } from './plain';

/**
 * The browser pages the service serves itself: the graph explorer at `/` and the GraphQL IDE at
 * `/graphiql`, with their bundles under `/assets/` (built from web/ into dist/web/ by
 * scripts/build-web.js from our own npm dependencies). Analysts often work air-gapped: nothing is
 * loaded from a CDN, and the Content-Security-Policy below makes the browser refuse anything that is
 * not from this origin, so an off-origin request cannot slip in unnoticed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // GraphiQL's stylesheet embeds its fonts and icons as data: URLs; exports download as blob: URLs.
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Security headers on every response: the API's JSON gains nothing from them but loses nothing either. */
export const securityHeaders: PlainHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};

export interface WebPaths {
  /** The HTML pages (web/ in the checkout). */
  pages: string;
  /** The bundles (dist/web/ after `npm run build`). */
  assets: string;
}

export function defaultWebPaths(): WebPaths {
  const root = projectRoot();
  return { pages: path.join(root, 'web'), assets: path.join(root, 'dist', 'web') };
}

/**
 * A person who opens /graphql in a browser (a GET asking for HTML, with no query) lands in the IDE;
 * GraphQL clients (JSON, or any GET with a query) pass through untouched. Mounted before the token
 * check, since the IDE page itself holds no data.
 */
export const graphqlBrowserRedirect: PlainHandler = (req, res, next) => {
  if (
    req.method === 'GET' &&
    requestQuery(req).query === undefined &&
    accepts(req).type(['json', 'html']) === 'html'
  ) {
    res.writeHead(302, { Location: '/graphiql', 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<p>Found. Redirecting to <a href="/graphiql">/graphiql</a></p>');
    return;
  }
  next();
};

/** Mounts `/`, `/graphiql` and `/assets/`. */
export function mountWebPages(app: Express, paths: WebPaths = defaultWebPaths()): void {
  const page =
    (file: string, bundle: string): RequestHandler =>
    (_req, res) => {
      // Checked per request: a build that runs after the service started is picked up.
      if (!fs.existsSync(path.join(paths.assets, bundle))) {
        res
          .status(503)
          .type('text/plain')
          .send(`This page's bundle (${bundle}) is not built yet: run \`npm run build\`.\n`);
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(paths.pages, file));
    };
  app.get('/', page('index.html', 'explorer.js'));
  app.get('/graphiql', page('graphiql.html', 'graphiql.js'));
  app.get(['/favicon.svg', '/favicon.ico'], (_req, res) => {
    res.type('image/svg+xml').sendFile(path.join(paths.pages, 'favicon.svg'));
  });
  // Bundle names carry no hash: browsers revalidate (ETag) instead of caching blindly.
  app.use('/assets', express.static(paths.assets, { index: false, cacheControl: true, maxAge: 0 }));
}
