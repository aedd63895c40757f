import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Database } from '../db/database';
import { badInput } from '../errors';
import { exportFileName, parseFormat, writeExport } from '../export/run-export';
import { prepareSelection, selectionFromParams, type SelectionParams } from '../export/selection';
import { ExportAborted, ExportSink } from '../export/sink';
import type { Logger } from '../logger';
import { requestLog } from './request-id';

/** Express 5 parses `?a=1&a=2` into arrays: a repeated list parameter joins, anything else is refused. */
function flatParams(query: Request['query']): SelectionParams {
  const out: SelectionParams = {};
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[name] = value.join(',');
    else throw badInput(`Parameter ${name} must be a plain value`, { field: name });
  }
  return out;
}

/**
 * GET /export/:format — streamed exports (src/export). Mounted behind the same rate limit and read
 * token as /graphql (src/app.ts). The selection is checked and resolved first, so bad parameters
 * (400), unknown names (404) and an unreachable Neo4j (503) still answer with a JSON error; once the
 * first chunk has left, a failure can only cut the connection, which the client sees as an
 * incomplete download rather than a silently short file.
 */
export function exportRouter(db: Database, logger: Logger): Router {
  const router = Router();
  router.get('/:format', async (req: Request, res: Response, next: NextFunction) => {
    const log = requestLog(req)?.logger ?? logger;
    try {
      const format = parseFormat(String(req.params.format));
      // `bom` and `compress` shape the file, not the selection (compress is read by app.ts).
      const params = flatParams(req.query);
      const bom = params.bom;
      delete params.bom;
      delete params.compress;
      if (bom !== undefined && bom !== 'true' && bom !== 'false')
        throw badInput('bom must be true or false', { field: 'bom' });
      const selection = await prepareSelection(db, selectionFromParams(params));
      const sink = new ExportSink(res, () => {
        res.status(200).set({
          'content-type': format.mediaType,
          'content-disposition': `attachment; filename="${exportFileName(selection, format)}"`,
          'cache-control': 'no-store',
          ...(selection.truncatedBy.length > 0
            ? { 'x-armsgraph-truncated': selection.truncatedBy.join(',') }
            : {}),
        });
      });
      const counts = await writeExport(selection, format, sink, { bom: bom !== 'false' });
      log.info({ format: format.name, selection: selection.name, ...counts }, 'export written');
    } catch (err) {
      if (!res.headersSent) return next(err);
      if (!(err instanceof ExportAborted)) log.error({ err }, 'export failed after it started streaming');
      res.destroy();
    }
  });
  return router;
}
