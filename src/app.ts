import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import http from 'node:http';
import type { Config } from './config';
import type { Database } from './db/database';
import { ArmsgraphError, ErrorCode } from './errors';
import { createContext, type Context } from './graphql/context';
import { resolvers } from './graphql/resolvers/index';
import { loadTypeDefs } from './graphql/schema';
import type { Logger } from './logger';
// Security and operations (issue #6): tokens, limits, metrics, request ids.
import { authMiddleware } from './auth/middleware';
import { loadTokens, requestAuth } from './auth/tokens';
import { batchLimit, bodyParser, limitsPlugin, rateLimiter } from './http/limits';
import { createMetrics } from './http/metrics';
import { requestIds, requestLog } from './http/request-id';
// Browser pages (issue #5): the graph explorer and the GraphQL IDE, served offline.
import { graphqlBrowserRedirect, mountWebPages, securityHeaders } from './http/web-pages';
// Streamed exports (issue #5).
import { compressResponses } from './http/compression';
import { exportRouter } from './http/export-route';

/** GraphQL answers are per request and never cacheable (what Apollo's cache-control plugin answered). */
const noStore = (_req: Request, res: Response, next: NextFunction): void => {
  res.setHeader('cache-control', 'no-store');
  next();
};

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
}

export interface App {
  /** The express application: mount it, or call listen(). */
  app: Express;
  /** The HTTP server wrapping `app` (not listening yet). */
  server: http.Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Builds the whole HTTP service without listening, so tests and the CLI reuse it (design convention 9).
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, logger } = deps;
  const app = express();
  const server = http.createServer(app);
  // Longer than the usual proxy or client idle time (60 s): Node's 5 s default closes idle keep-alive
  // sockets that a client is about to reuse, and the client sees ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  app.disable('x-powered-by');
  // No ETag on res.send answers (GraphQL, health, metrics): they are per request and no-store, so the
  // SHA-1 of every body bought nothing. Pages and bundles keep theirs: a function here leaves the
  // setting enabled for sendFile and express.static, which tag files from their size and mtime.
  app.set('etag', () => undefined);
  app.use(securityHeaders);
  app.use(compressResponses());

  // --- security and operations (issue #6) ---
  const tokens = loadTokens(config.auth);
  const metrics = createMetrics(db);
  app.use(requestIds(logger));
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);
  // A browser opening /graphql goes to our offline IDE (before the token check: the page has no data).
  app.use('/graphql', graphqlBrowserRedirect);
  // Every API route: per-client rate limit, then the bearer token (read token enforced when set).
  app.use(['/graphql', '/export'], rateLimiter(config.limits, tokens), authMiddleware(tokens));
  // --- end security and operations ---

  const apollo = new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers,
    csrfPrevention: true,
    // Batches are capped at config.limits.maxBatch operations by batchLimit() below.
    allowBatchedHttpRequests: true,
    introspection: true,
    // Only when NODE_ENV=development is set explicitly (config.ts): stack traces show server paths.
    includeStacktraceInErrorResponses: config.env === 'development',
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Apollo's landing pages (Sandbox, Explorer) load from a CDN: off. Our own IDE is at /graphiql.
      ApolloServerPluginLandingPageDisabled(),
      // The schema sets no cache hints, so Apollo's cache-control plugin would only wrap every field
      // resolver in a per-field hook to answer `cache-control: no-store`, which noStore (below) sends
      // for nothing. Inline traces are for federated subgraphs, which this is not.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      limitsPlugin(config.limits),
      metrics.plugin,
    ],
    formatError: (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
      const original = unwrapResolverError(error);
      // Our own coded errors and Apollo's request errors (validation, parsing) are shown as they are.
      if (original instanceof ArmsgraphError) return formatted;
      if (formatted.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
      // Anything else is a bug: logged whole, shown bare.
      logger.error({ err: original }, 'unexpected error in a resolver');
      return {
        message: 'Internal error.',
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        ...(formatted.path ? { path: formatted.path } : {}),
      };
    },
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await db.ping();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', neo4j: ok ? 'up' : 'down' });
  });

  mountWebPages(app);

  app.use(
    '/graphql',
    noStore,
    bodyParser(config.limits),
    batchLimit(config.limits),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<Context> => {
        const log = requestLog(req);
        // A getter, so the request's child logger is made only if a resolver logs.
        return createContext(db, log ? () => log.logger : () => logger, requestAuth(req), tokens);
      },
    }),
  );

  // Streamed exports (issue #5): behind the rate limit and read token mounted above for '/export'.
  app.use('/export', exportRouter(db, logger));

  // Errors outside GraphQL (bad JSON, body too large, ...) still answer with a code, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: string; status?: number; message?: string };
    let coded: ArmsgraphError;
    if (err instanceof ArmsgraphError) coded = err;
    else if (e.type === 'entity.too.large')
      coded = new ArmsgraphError(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body too large.');
    else if (e.type === 'entity.parse.failed')
      coded = new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'Request body is not valid JSON.');
    else {
      (requestLog(req)?.logger ?? logger).error({ err }, 'unexpected error in an HTTP route');
      coded = new ArmsgraphError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error.');
    }
    res
      .status(coded.httpStatus)
      .json({ errors: [{ message: coded.message, extensions: { code: coded.code } }] });
  });

  return {
    app,
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      await apollo.stop();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
