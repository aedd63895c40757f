import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { ServerResponse } from 'node:http';
import {
  answerError,
  requestPath,
  requestSearch,
  runSteps,
  type PlainHandler,
  type PlainRequest,
} from './plain';
import type { Logger } from '../logger';
import { requestLog } from './request-id';

/** Whether the server hands a request straight to the GraphQL route (express mounts it for the rest). */
export const isGraphqlPath = (req: PlainRequest): boolean => requestPath(req) === '/graphql';

/**
 * Apollo Server's HTTP core on node's request and response: what @as-integrations/express5 does,
 * without express (the body is read by an earlier step, as there).
 */
export function apolloStep<C extends BaseContext>(
  apollo: ApolloServer<C>,
  context: (req: PlainRequest, res: ServerResponse) => Promise<C>,
): PlainHandler {
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: (req.method ?? 'GET').toUpperCase(),
        headers,
        search: requestSearch(req),
        body: req.body,
      },
      context: () => context(req, res),
    });
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      res.setHeader('Content-Length', Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    // Incremental delivery: each part goes out as it is ready (compression flushes it too).
    for await (const chunk of answer.body.asyncIterator) {
      res.write(chunk);
      (res as ServerResponse & { flush?: () => void }).flush?.();
    }
    res.end();
  };
}

/**
 * The /graphql route: its steps in order (the ones every route has, then the body, the operations,
 * the rate limit, the token, the batch budget), ending in Apollo Server. A step's error answers with
 * its code, logged with the request's id.
 */
export function graphqlRoute(
  steps: readonly PlainHandler[],
  logger: Logger,
): (req: PlainRequest, res: ServerResponse) => void {
  return runSteps(steps, (err, req, res) => answerError(err, res, requestLog(req)?.logger ?? logger));
}
