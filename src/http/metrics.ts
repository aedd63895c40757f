import type { ApolloServerPlugin } from '@apollo/server';
import type { Driver } from 'neo4j-driver';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/database';
import type { OperationCache } from '../graphql/operation-cache';
import { requestPath, type PlainHandler, type PlainRequest } from './plain';

/** The driver's pool, read defensively: the driver has no public pool API, so absent shapes read as 0. */
interface PoolShape {
  _activeResourceCounts?: Record<string, number>;
  _pools?: Record<string, { _elements?: unknown[] }>;
  _acquireRequests?: Record<string, unknown[]>;
}

export function poolStats(driver: Driver): { inUse: number; idle: number; waiting: number } {
  const provider = (driver as unknown as { _connectionProvider?: { _connectionPool?: PoolShape } | null })
    ._connectionProvider;
  const pool = provider?._connectionPool;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    inUse: sum(Object.values(pool?._activeResourceCounts ?? {})),
    idle: sum(Object.values(pool?._pools ?? {}).map((p) => p._elements?.length ?? 0)),
    waiting: sum(Object.values(pool?._acquireRequests ?? {}).map((q) => q.length)),
  };
}

export interface Metrics {
  registry: Registry;
  /** Counts and times every HTTP request by route and status. */
  middleware: PlainHandler;
  /** Counts GraphQL operations by type and errors by extensions.code. */
  plugin: ApolloServerPlugin;
  /** GET /metrics in Prometheus' text format. */
  handler: RequestHandler;
}

/** Known routes only: a label per raw URL would let any client grow the registry without bound. */
function routeOf(req: PlainRequest): string {
  const p = requestPath(req);
  if (p === '/graphql' || p === '/healthz' || p === '/readyz' || p === '/metrics') return p;
  if (p.startsWith('/export')) return '/export';
  if (p === '/' || p === '/graphiql') return p;
  if (p.startsWith('/assets/')) return '/assets';
  return 'other';
}

/** One registry per app (tests build several apps in one process). */
export function createMetrics(db: Database, operationCache?: OperationCache): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'armsgraph_process_' });
  const requests = new Counter({
    name: 'armsgraph_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'armsgraph_http_request_duration_seconds',
    help: 'HTTP request latency by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const operations = new Counter({
    name: 'armsgraph_graphql_operations_total',
    help: 'GraphQL operations by type (query, mutation) that reached execution.',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'armsgraph_graphql_errors_total',
    help: 'GraphQL errors by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const pool = new Gauge({
    name: 'armsgraph_neo4j_pool_connections',
    help: 'Neo4j driver pool connections by state (in_use, idle, waiting acquisitions).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = poolStats(db.driver);
      this.set({ state: 'in_use' }, s.inUse);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  void pool;
  const up = new Gauge({
    name: 'armsgraph_neo4j_up',
    help: '1 when Neo4j answered a trivial query at scrape time, else 0.',
    registers: [registry],
    async collect() {
      this.set((await db.ping(1000)) ? 1 : 0);
    },
  });
  void up;
  const statements = new Gauge({
    name: 'armsgraph_neo4j_statements',
    help: 'Cypher statements sent since start.',
    registers: [registry],
    collect() {
      this.set(db.statements);
    },
  });
  void statements;
  if (operationCache) {
    // Read from the cache at scrape time: the request path only bumps two integers.
    const cacheHits = new Counter({
      name: 'armsgraph_operation_cache_hits_total',
      help: 'GraphQL operation documents served parsed and compiled from the operation cache.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(operationCache.stats().hits);
      },
    });
    const cacheMisses = new Counter({
      name: 'armsgraph_operation_cache_misses_total',
      help: 'GraphQL operation documents parsed (and their limit walk compiled) because the cache had not seen them.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(operationCache.stats().misses);
      },
    });
    const cacheEntries = new Gauge({
      name: 'armsgraph_operation_cache_entries',
      help: 'Operation documents in the operation cache.',
      registers: [registry],
      collect() {
        this.set(operationCache.stats().entries);
      },
    });
    void cacheHits;
    void cacheMisses;
    void cacheEntries;
  }

  return {
    registry,
    middleware(req, res, next) {
      const end = latency.startTimer();
      res.on('finish', () => {
        const route = routeOf(req);
        end({ method: req.method, route });
        requests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
    plugin: {
      async requestDidStart() {
        return {
          async executionDidStart(ctx) {
            operations.inc({ type: ctx.operation.operation });
          },
          async didEncounterErrors(ctx) {
            for (const e of ctx.errors) {
              const code = e.extensions?.code;
              errors.inc({ code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' });
            }
          },
        };
      },
    },
    async handler(_req, res) {
      res.set('content-type', registry.contentType).send(await registry.metrics());
    },
  };
}
