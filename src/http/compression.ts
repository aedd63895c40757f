import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Brotli, gzip or deflate (what the client accepts) for the pages, the bundles (the GraphQL IDE's is
 * 1.5 MB, about 400 kB compressed) and JSON answers. A streamed export is compressed only when the
 * client asks with `?compress=true` (and Accept-Encoding): browsers send Accept-Encoding with every
 * download, and compressing a whole-graph export costs the service CPU for every byte of a file that
 * is mostly saved to disk as it arrives; clients that read the stream as it comes get it as it is.
 */
export function compressResponses(): RequestHandler {
  return compression({
    filter: (req: Request, res: Response) => {
      if (req.path.startsWith('/export/') || req.baseUrl.startsWith('/export'))
        return req.query.compress === 'true';
      return compression.filter(req, res);
    },
  });
}
