import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import { ArmsgraphError, ErrorCode } from '../errors';
import type { Logger } from '../logger';

/**
 * The HTTP steps of the service (request ids, metrics, limits, tokens, the GraphQL route) are written
 * against node's own request and response, not express's: POST /graphql, which is most of the
 * traffic, runs them without express (src/http/graphql-route.ts). Express's router and the
 * prototypes it gives every request and response cost more CPU per request than Apollo Server itself
 * (measured: bench/results/2026-12-02-lean-graphql.md). Express still mounts the same steps for the
 * other routes: its request and response extend these types.
 */
export type PlainRequest = IncomingMessage & {
  /** Set by express when a router mounted the handler: the URL as the client sent it. */
  originalUrl?: string;
  /** Set by the JSON body parser. */
  body?: unknown;
};
export type Next = (err?: unknown) => void;
export type PlainHandler = (req: PlainRequest, res: ServerResponse, next: Next) => void | Promise<void>;

/** One request header's value (the first, when a client repeats it). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URL as the client sent it, also below an express mount (which rewrites req.url). */
export const requestUrl = (req: PlainRequest): string => req.originalUrl ?? req.url ?? '/';

/** The path of the URL, without its query string. */
export function requestPath(req: PlainRequest): string {
  const url = requestUrl(req);
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** The query string from its `?` on ('' without one), as URL.search has it. */
export function requestSearch(req: PlainRequest): string {
  const url = requestUrl(req);
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q);
}

/** The query string's parameters, parsed as express 5's default ("simple") query parser does. */
export const requestQuery = (req: PlainRequest): querystring.ParsedUrlQuery =>
  querystring.parse(requestSearch(req).slice(1));

/** The client's address (the socket's: the service trusts no proxy header). */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? '0.0.0.0';

/** Sends a JSON answer with the content type express's res.json sets. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** A coded error as the service's JSON error answer (its HTTP status, its code, its extensions). */
export function sendCoded(
  res: ServerResponse,
  err: ArmsgraphError,
  headers: Record<string, string> = {},
): void {
  const { http: _http, ...extensions } = err.extensions as Record<string, unknown>;
  void _http;
  sendJson(
    res,
    err.httpStatus,
    { errors: [{ message: err.message, extensions: { ...extensions, code: err.code } }] },
    headers,
  );
}

const asError = (err: unknown): Error | undefined => (err instanceof Error ? err : undefined);

/**
 * Errors outside GraphQL (bad JSON, a body too large, a refused token, a failing step) answer with a
 * code, never a stack trace; an unexpected one is logged with the request's id.
 */
export function answerError(err: unknown, res: ServerResponse, logger: Logger): void {
  const e = err as { type?: string; status?: number; message?: string };
  let coded: ArmsgraphError;
  if (err instanceof ArmsgraphError) coded = err;
  else if (e.type === 'entity.too.large')
    coded = new ArmsgraphError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body too large.');
  else if (e.type === 'entity.parse.failed')
    coded = new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'Request body is not valid JSON.');
  else coded = new ArmsgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error.', {}, asError(err));
  if (coded.code === ErrorCode.INTERNAL_SERVER_ERROR)
    logger.error({ err: coded.originalError ?? err }, 'unexpected error in an HTTP route');
  else if (coded.retryAfterSeconds !== undefined)
    logger.warn({ code: coded.code, err: coded.originalError }, 'request failed; the client may retry');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    coded.httpStatus,
    { errors: [{ message: coded.message, extensions: { code: coded.code } }] },
    coded.retryAfterSeconds !== undefined ? { 'retry-after': String(coded.retryAfterSeconds) } : {},
  );
}

/**
 * Runs steps in order, each calling next() to pass the request on (or answering it); next(err) or a
 * step that throws or rejects ends in `failed`. What express's router does for a mounted chain,
 * without its matching and prototypes.
 */
export function runSteps(
  steps: readonly PlainHandler[],
  failed: (err: unknown, req: PlainRequest, res: ServerResponse) => void,
): (req: PlainRequest, res: ServerResponse) => void {
  return (req, res) => {
    let i = 0;
    let done = false;
    const fail = (err: unknown) => {
      if (done) return;
      done = true;
      failed(err, req, res);
    };
    const next: Next = (err) => {
      if (done) return;
      if (err !== undefined) return fail(err);
      const step = steps[i++];
      if (!step) return;
      try {
        const answer = step(req, res, next);
        if (answer) answer.catch(fail);
      } catch (e) {
        fail(e);
      }
    };
    next();
  };
}
