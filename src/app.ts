import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Store as RateLimitStore } from 'express-rate-limit';
import type { GraphQLFormattedError } from 'graphql';
import http from 'node:http';
import type { Config } from './config';
import type { Database } from './db/database';
import { ErrorCode } from './errors';
import { compiledGateway } from './graphql/compiled-executor';
import { guardResolverValues } from './graphql/resolver-value-guard';
import { createContext, type Context } from './graphql/context';
import { resolvers } from './graphql/resolvers/index';
import { OperationCache } from './graphql/operation-cache';
import { loadTypeDefs } from './graphql/schema';
import type { Logger } from './logger';
// Security and operations: tokens, limits, metrics, request ids.
import { authMiddleware } from './auth/middleware';
import { loadTokens, requestAuth } from './auth/tokens';
import { bodyParser, rateLimiter, requestLimits } from './http/limits';
import { readOperations } from './http/operations';
import { schemaForIde } from './http/ide-schema';
import { logFailures } from './http/failure-log';
import { createMetrics } from './http/metrics';
import { requestIds, requestLog } from './http/request-id';
// Browser pages: the graph explorer and the GraphQL IDE, served offline.
import { graphqlBrowserRedirect, mountWebPages, securityHeaders } from './http/web-pages';
// The GraphQL route on node's own request and response (express serves the other routes).
import { apolloStep, graphqlRoute, isGraphqlPath } from './http/graphql-route';
import { answerError, type PlainHandler } from './http/plain';
// Streamed exports.
import { compressResponses } from './http/compression';
import { exportRouter } from './http/export-route';

/** GraphQL answers are per request and never cacheable (what Apollo's cache-control plugin answered). */
const noStore: PlainHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /**
   * Where the rate limiter keeps its counts (express-rate-limit's Store interface): in memory when
   * unset; replicas share one such as rate-limit-redis (README).
   */
  rateLimitStore?: RateLimitStore;
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
 * Builds the whole HTTP service without listening, so tests and the CLI reuse it.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db, logger, rateLimitStore } = deps;
  const app = express();
  // POST /graphql, most of the traffic, skips express (src/http/plain.ts says why); every other
  // route, and /graphql spelt otherwise, goes through it. The route is built below, once Apollo runs
  // (before the server listens).
  const server = http.createServer((req, res) => {
    if (isGraphqlPath(req)) graphql(req, res);
    else app(req, res);
  });
  // Longer than the usual proxy or client idle time (60 s): Node's 5 s default closes idle keep-alive
  // sockets that a client is about to reuse, and the client sees ECONNRESET.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  app.disable('x-powered-by');
  // No ETag on res.send answers (GraphQL, health, metrics): they are per request and no-store, so the
  // SHA-1 of every body bought nothing. Pages and bundles keep theirs: a function here leaves the
  // setting enabled for sendFile and express.static, which tag files from their size and mtime.
  app.set('etag', () => undefined);
  // An embedder mounting `app` reaches the same GraphQL route (before the steps below, which it runs itself).
  app.use('/graphql', (req: Request, res: Response) => graphql(req, res));

  // --- security and operations ---
  const tokens = loadTokens(config.auth);
  // Each distinct operation document is parsed and its limit walk compiled once (src/graphql/operation-cache.ts).
  const operationCache = new OperationCache(config.limits.operationCacheEntries);
  const metrics = createMetrics(db, operationCache);
  // Every route's first steps: security headers, compression, the request id and access log, metrics.
  const everyRoute: PlainHandler[] = [
    securityHeaders,
    compressResponses(),
    requestIds(logger),
    metrics.middleware,
  ];
  app.use(everyRoute);
  app.get('/metrics', metrics.handler);
  // Every API route: per-client rate limit, then the bearer token (read token enforced when set). On
  // /graphql the body is read first, so that every operation of a batch counts in its own bucket.
  const limiter = rateLimiter(config.limits, tokens, rateLimitStore);
  const auth = authMiddleware(tokens);
  app.use(['/export', '/graphiql/schema.json'], limiter, auth);
  // --- end security and operations ---
  const limits = requestLimits(config.limits, operationCache);

  // Each distinct operation is also compiled once to a function by graphql-jit (compiled-executor.ts).
  const executable = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  // Under the tests, every resolver's answer is checked against graphql-jit's one rule (no promise or
  // function in a resolver-less field): resolver-value-guard.ts.
  const schema = config.env === 'test' ? guardResolverValues(executable) : executable;
  const apollo = new ApolloServer<Context>({
    gateway: compiledGateway(schema, operationCache).gateway,
    csrfPrevention: true,
    // Batches are capped at config.limits.maxBatch operations by batchLimit() below.
    allowBatchedHttpRequests: true,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.introspection,
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
      limits.plugin,
      metrics.plugin,
      logFailures(),
    ],
    formatError: (formatted: GraphQLFormattedError): GraphQLFormattedError => {
      // Our own coded errors and Apollo's request errors (validation, parsing) are shown as they are;
      // an internal error (logged by logFailures with the request id) is shown bare.
      if (formatted.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) return formatted;
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
  // Answers within a second: a database that does not answer in time is as good as down (503).
  app.get('/readyz', async (_req, res) => {
    const ok = await db.ping();
    if (!ok) res.setHeader('retry-after', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', neo4j: ok ? 'up' : 'down' });
  });

  // The IDE's schema, read with the same token as the data, whether or not introspection is on.
  app.get('/graphiql/schema.json', schemaForIde);
  mountWebPages(app);

  const graphql = graphqlRoute(
    [
      ...everyRoute,
      // A browser opening /graphql goes to our offline IDE (before the token check: the page has no data).
      graphqlBrowserRedirect,
      noStore,
      bodyParser(config.limits),
      readOperations(operationCache),
      limiter,
      auth,
      limits.batch,
      apolloStep(apollo, async (req) => {
        const log = requestLog(req);
        // One context per HTTP request (a batch shares it): its database calls share one bound.
        return createContext(
          db.forRequest(config.limits.requestConcurrency),
          // A getter, so the request's child logger is made only if a resolver logs.
          log ? () => log.logger : () => logger,
          requestAuth(req),
          tokens,
        );
      }),
    ],
    logger,
  );

  // Streamed exports: behind the rate limit and read token mounted above for '/export'.
  app.use('/export', exportRouter(db, logger));

  // Errors outside GraphQL (a refused token, a failing route) still answer with a code, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    answerError(err, res, requestLog(req)?.logger ?? logger);
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
