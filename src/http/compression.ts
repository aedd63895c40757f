import compression from 'compression';
import type { Request, Response } from 'express';
import { requestPath, requestQuery, type PlainHandler, type PlainRequest } from './plain';

/** Bodies smaller than this go as they are (compression's own default threshold). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/** compression's own verdict per Content-Type (mime-db, then a pattern): the service sets a handful. */
const compressibleTypes = new Map<string, boolean>();

/** compression's default filter, remembered per type: it was the costliest step of a small answer. */
function compressibleAnswer(req: Request, res: Response): boolean {
  const type = res.getHeader('Content-Type');
  if (typeof type !== 'string') return compression.filter(req, res);
  let known = compressibleTypes.get(type);
  if (known === undefined) {
    known = compression.filter(req, res);
    // The service's own routes set the type, not clients; the bound is for one that echoes one.
    if (compressibleTypes.size < 64) compressibleTypes.set(type, known);
  }
  return known;
}

/**
 * Brotli, gzip or deflate (what the client accepts) for the pages, the bundles (the GraphQL IDE's is
 * 1.5 MB, about 400 kB compressed) and JSON answers. A streamed export is compressed only when the
 * client asks with `?compress=true` (and Accept-Encoding): browsers send Accept-Encoding with every
 * download, and compressing a whole-graph export costs the service CPU for every byte of a file that
 * is mostly saved to disk as it arrives; clients that read the stream as it comes get it as it is.
 *
 * A body whose length is known and under the threshold (a lookup, most GraphQL answers) is never
 * compressed, so it is let through before anything else is looked at: its representation does not
 * depend on Accept-Encoding either, so it needs no `Vary` header. A request that accepts no encoding
 * to /graphql skips the middleware altogether: it would answer uncompressed anyway, after wrapping the
 * response's write, end and listeners (the fixed cost of every answer to such a client), and GraphQL
 * answers are never stored, so no cache needs their `Vary` header. Pages and bundles, which caches
 * keep, go through it always.
 */
export function compressResponses(): PlainHandler {
  const compress = compression({
    threshold: COMPRESS_THRESHOLD_BYTES,
    // compression hands the filter node's request and response (typed as express's: its own types).
    filter: (req: Request, res: Response) => {
      const length = res.getHeader('Content-Length');
      if (length !== undefined && Number(length) < COMPRESS_THRESHOLD_BYTES) return false;
      if (requestPath(req).startsWith('/export/')) return requestQuery(req).compress === 'true';
      return compressibleAnswer(req, res);
    },
  });
  return (req: PlainRequest, res, next) => {
    if (!req.headers['accept-encoding'] && requestPath(req) === '/graphql') next();
    else compress(req as Request, res as Response, next);
  };
}
