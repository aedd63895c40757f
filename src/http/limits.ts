import type { ApolloServerPlugin } from '@apollo/server';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import {
  ipKeyGenerator,
  MemoryStore,
  type Options as RateLimitOptions,
  type Store,
} from 'express-rate-limit';
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Config } from '../config';
import { ArmsgraphError, ErrorCode } from '../errors';
import { clientIdentity, type TokenSet } from '../auth/tokens';
import { requestedOperations } from './operations';

export type Limits = Config['limits'];

/** Introspection (the IDE's schema query) is nested deeper than any data query, but costs no Cypher. */
const INTROSPECTION_MAX_DEPTH = 20;
/** A list field without a `first` argument is assumed to return this many items. */
const DEFAULT_LIST_SIZE = 10;

export type LimitName = 'depth' | 'cost' | 'aliases' | 'batch';

export function tooComplex(limit: LimitName, message: string, max: number): ArmsgraphError {
  return new ArmsgraphError(ErrorCode.QUERY_TOO_COMPLEX, message, {
    limit,
    max,
    http: { status: 400 },
  });
}

export interface OperationMeasure {
  depth: number;
  cost: number;
  aliases: number;
}

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  return undefined;
}

/**
 * Measures an operation before it runs: its depth, its alias count, and its cost (every field costs 1;
 * a list field multiplies what it selects by its `first` argument, or by 10). Stops as soon as a limit
 * is passed, so a fragment bomb costs no more than the limit to measure.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: Pick<Limits, 'maxDepth' | 'maxCost' | 'maxAliases'>,
  /** What the operations before this one in the same HTTP request (a batch) already used. */
  spent: OperationMeasure = { depth: 0, cost: 0, aliases: 0 },
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measure: OperationMeasure = { ...spent };

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    depth: number,
    multiplier: number,
    introspection: boolean,
  ): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD || sel.kind === Kind.INLINE_FRAGMENT) {
        const frag = sel.kind === Kind.FRAGMENT_SPREAD ? fragments.get(sel.name.value) : sel;
        if (!frag) continue;
        const cond = frag.typeCondition ? schema.getType(frag.typeCondition.name.value) : parent;
        walk(frag.selectionSet, cond ?? parent, depth, multiplier, introspection);
        continue;
      }
      const name = sel.name.value;
      if (sel.alias) measure.aliases++;
      if (measure.aliases > limits.maxAliases) {
        throw tooComplex(
          'aliases',
          `The query uses more than ${limits.maxAliases} aliases.`,
          limits.maxAliases,
        );
      }
      const inIntro = introspection || name.startsWith('__');
      const d = depth + 1;
      const maxDepth = inIntro ? Math.max(limits.maxDepth, INTROSPECTION_MAX_DEPTH) : limits.maxDepth;
      if (d > maxDepth) {
        throw tooComplex('depth', `The query is nested deeper than ${maxDepth} levels.`, maxDepth);
      }
      measure.depth = Math.max(measure.depth, inIntro ? Math.min(d, limits.maxDepth) : d);
      measure.cost += multiplier;
      if (measure.cost > limits.maxCost) {
        throw tooComplex(
          'cost',
          `The query would cost more than ${limits.maxCost} (fields × list sizes); ask for fewer items or fields.`,
          limits.maxCost,
        );
      }
      if (!sel.selectionSet) continue;
      const field: GraphQLField<unknown, unknown> | undefined =
        parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
      let size = 1;
      // A connection's `edges`, and a Subgraph's `nodes` and `edges`, are the page its parent already counted.
      const parentCounted = name === 'edges' || (parent?.name === 'Subgraph' && name === 'nodes');
      if (field && isListType(getNullableType(field.type)) && !inIntro && !parentCounted) {
        const argNode = sel.arguments?.find((a) => a.name.value === 'first')?.value;
        const given = argValue(argNode, variables);
        const def = field.args.find((a) => a.name === 'first')?.defaultValue;
        const first = typeof given === 'number' ? given : typeof def === 'number' ? def : DEFAULT_LIST_SIZE;
        size = Math.max(1, Math.min(first, 1_000_000));
      }
      // Connections (deals) page through `edges`: the page size given on the connection applies there.
      if (field && !isListType(getNullableType(field.type)) && !inIntro) {
        const given = argValue(sel.arguments?.find((a) => a.name.value === 'first')?.value, variables);
        const def = field.args.find((a) => a.name === 'first')?.defaultValue;
        if (typeof given === 'number' || typeof def === 'number') {
          size = Math.max(1, Math.min(typeof given === 'number' ? given : Number(def), 1_000_000));
        }
      }
      const child = field ? getNamedType(field.type) : undefined;
      walk(sel.selectionSet, child, d, multiplier * size, inIntro);
    }
  };

  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  walk(operation.selectionSet, root ?? undefined, 0, 1, false);
  return measure;
}

/**
 * The limits over a whole HTTP request: the Apollo plugin refuses an over-limit operation after parsing
 * and validation, before any resolver runs; `batch` caps a batch's length and adds its operations up
 * against the same cost, alias and depth budgets as one operation, so ten operations of 30 aliases
 * are refused like one of 300.
 */
export function requestLimits(limits: Limits): { plugin: ApolloServerPlugin; batch: RequestHandler } {
  let schema: GraphQLSchema | undefined;
  const plugin: ApolloServerPlugin = {
    async serverWillStart(service) {
      schema = service.schema;
    },
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (!ctx.operation) return;
          measureOperation(
            ctx.schema,
            ctx.document,
            ctx.operation,
            (ctx.request.variables ?? {}) as Record<string, unknown>,
            limits,
          );
        },
      };
    },
  };
  const batch: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    if (!Array.isArray(body)) return next();
    if (body.length > limits.maxBatch) {
      return sendCoded(
        res,
        tooComplex('batch', `A request may batch at most ${limits.maxBatch} operations.`, limits.maxBatch),
      );
    }
    if (body.length === 0) {
      return sendCoded(
        res,
        new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'An empty batch has nothing to run.'),
      );
    }
    if (!schema) return next();
    let spent: OperationMeasure = { depth: 0, cost: 0, aliases: 0 };
    try {
      for (const op of requestedOperations(req)) {
        if (op.document && op.operation)
          spent = measureOperation(schema, op.document, op.operation, op.variables, limits, spent);
      }
    } catch (err) {
      if (!(err instanceof ArmsgraphError)) throw err;
      return sendCoded(
        res,
        new ArmsgraphError(err.code, `${err.message} (counted over the whole batch)`, err.extensions),
      );
    }
    next();
  };
  return { plugin, batch };
}

function sendCoded(res: Response, err: ArmsgraphError, headers: Record<string, string> = {}): void {
  const { http: _http, ...extensions } = err.extensions as Record<string, unknown>;
  void _http;
  res
    .status(err.httpStatus)
    .set(headers)
    .json({ errors: [{ message: err.message, extensions: { ...extensions, code: err.code } }] });
}

/** JSON body parsing with the configured size cap (too large → PAYLOAD_TOO_LARGE by the app's error route). */
export function bodyParser(limits: Limits): RequestHandler {
  return express.json({ limit: limits.bodyLimitBytes });
}

/**
 * Per-client rate limit. A client is its token (by name, or by a hash of a bare secret) or, without
 * one, its address; each client has one bucket for reads and another for writes, so a busy reader
 * never locks a writer out. Every operation of a batch counts. Over the limit: 429 RATE_LIMITED with
 * Retry-After. ARMSGRAPH_RATE_LIMIT=0 turns it off. The counts live in `store` (express-rate-limit's
 * Store interface; in memory by default): replicas behind one load balancer share a store such as
 * rate-limit-redis so that a client's limit holds across them (README).
 */
export function rateLimiter(
  limits: Limits,
  tokens: TokenSet,
  store: Store = new MemoryStore(),
): RequestHandler {
  if (limits.rateLimit === 0) return (_req, _res, next) => next();
  // The store only reads windowMs (the rest of express-rate-limit's options do not apply here).
  void store.init?.({ windowMs: limits.rateWindowMs } as RateLimitOptions);
  const windowSeconds = Math.round(limits.rateWindowMs / 1000);
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // Runs before authentication, so failed guesses at a token are counted against the address.
      const client =
        clientIdentity(tokens, req.get('authorization')) ?? `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`;
      const kinds = req.baseUrl === '/graphql' ? requestedOperations(req).map((op) => op.kind) : ['read'];
      let tightest: { remaining: number; resetSeconds: number } | undefined;
      for (const kind of kinds) {
        const hit = await store.increment(`${client}:${kind}`);
        const resetSeconds = Math.max(
          1,
          Math.ceil(((hit.resetTime?.getTime() ?? Date.now() + limits.rateWindowMs) - Date.now()) / 1000),
        );
        const remaining = Math.max(0, limits.rateLimit - hit.totalHits);
        if (!tightest || remaining < tightest.remaining) tightest = { remaining, resetSeconds };
        if (hit.totalHits > limits.rateLimit) {
          return sendCoded(
            res,
            new ArmsgraphError(
              ErrorCode.RATE_LIMITED,
              `Too many ${kind}s: at most ${limits.rateLimit} operations per ${windowSeconds} s per client.`,
            ),
            { 'retry-after': String(resetSeconds) },
          );
        }
      }
      if (tightest) {
        res.setHeader('RateLimit-Policy', `${limits.rateLimit};w=${windowSeconds}`);
        res.setHeader(
          'RateLimit',
          `limit=${limits.rateLimit}, remaining=${tightest.remaining}, reset=${tightest.resetSeconds}`,
        );
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
