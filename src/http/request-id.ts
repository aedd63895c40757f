import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger';
import { operationNames } from './operations';
import { header, requestPath, type PlainHandler } from './plain';

/** A client's own x-request-id is kept when it is a plain token; anything else is replaced. */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RequestLog {
  requestId: string;
  logger: Logger;
}

export function requestLog(req: IncomingMessage): RequestLog | undefined {
  return (req as IncomingMessage & { armsgraphLog?: RequestLog }).armsgraphLog;
}

/**
 * Gives every request an id (echoed in the x-request-id response header), a child logger carrying
 * it, and one access-log line when it finishes. Headers are not logged (the Authorization header
 * holds a secret).
 */
export function requestIds(logger: Logger): PlainHandler {
  return (req, res, next) => {
    const given = header(req, 'x-request-id');
    const requestId = given && CLIENT_ID.test(given) ? given : crypto.randomUUID();
    // The child logger is made when something logs: most requests log only their access line, and
    // none when the level is above info.
    let child: Logger | undefined;
    const log: RequestLog = {
      requestId,
      get logger() {
        return (child ??= logger.child({ requestId }));
      },
    };
    (req as IncomingMessage & { armsgraphLog?: RequestLog }).armsgraphLog = log;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (!logger.isLevelEnabled('info')) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The URL as sent: below an express mount req.url is relative to it ("/" for /graphql).
      const path = requestPath(req);
      const operations = operationNames(req);
      log.logger.info(
        {
          method: req.method,
          path,
          ...(operations ? { operations } : {}),
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
}
