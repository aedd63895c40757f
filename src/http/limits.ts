import type { ApolloServerPlugin } from '@apollo/server';
import express from 'express';
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
  type FieldNode,
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
import type { OperationCache } from '../graphql/operation-cache';
import { operationKinds, requestedOperations } from './operations';
import { clientAddress, header, sendCoded, type PlainHandler } from './plain';

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

/** Where a field's page size comes from: a literal, a variable (read per request), or neither. */
interface SizeSpec {
  /** A list field multiplies by its page (default 10); a connection only when `first` applies. */
  list: boolean;
  variable: string | undefined;
  literal: number | undefined;
  /** The argument's declared default, when it is a number. */
  fallback: number | undefined;
}

/**
 * One field of the walk, in walk order (fragments expanded where they are spread). Everything about it
 * but its page size is fixed by the document, so the walk is done once per document and replayed per
 * request with the request's variables.
 */
interface MeasureStep {
  alias: boolean;
  /** The step whose children this field is one of (its multiplier), or -1 at the root. */
  parent: number;
  /** Depth as measured (introspection counts at most the data limit). */
  depth: number;
  /** Set when this field is nested past the limit: the walk stops here with that maximum. */
  depthRefused: number | undefined;
  /** Size its children multiply by, undefined when it selects nothing (or is a plain field: 1). */
  size: SizeSpec | number;
}

/** An operation's limit walk, compiled once per document (operation cache) and replayed per request. */
export interface MeasureProgram {
  steps: MeasureStep[];
  /** Whether the walk was cut short: past maxCost fields the cost is over the limit whatever the variables. */
  truncated: boolean;
}

const clampSize = (n: number) => Math.max(1, Math.min(n, 1_000_000));

function sizeOf(spec: SizeSpec | number, variables: Record<string, unknown>): number {
  if (typeof spec === 'number') return spec;
  const given = spec.variable !== undefined ? variables[spec.variable] : spec.literal;
  if (typeof given === 'number') return clampSize(given);
  if (spec.list) return clampSize(spec.fallback ?? DEFAULT_LIST_SIZE);
  return spec.fallback !== undefined ? clampSize(spec.fallback) : 1;
}

function sizeSpec(
  list: boolean,
  sel: FieldNode,
  field: GraphQLField<unknown, unknown>,
): SizeSpec | number | undefined {
  const arg: ValueNode | undefined = sel.arguments?.find((a) => a.name.value === 'first')?.value;
  const def = field.args.find((a) => a.name === 'first')?.defaultValue;
  const spec: SizeSpec = {
    list,
    variable: arg?.kind === Kind.VARIABLE ? arg.name.value : undefined,
    literal: arg?.kind === Kind.INT ? Number(arg.value) : undefined,
    fallback: typeof def === 'number' ? def : undefined,
  };
  // A connection without `first` given or declared selects one page of one.
  if (!list && spec.variable === undefined && spec.literal === undefined && spec.fallback === undefined)
    return undefined;
  return spec.variable === undefined ? sizeOf(spec, {}) : spec;
}

/**
 * Compiles the walk of an operation before it runs: depth, aliases, and cost (every field costs 1; a
 * list field multiplies what it selects by its `first` argument, or by 10). Only the page sizes given
 * by variables are left for the request. The walk stops where the depth limit is passed, and after
 * maxCost + 1 fields (each costs at least 1, so the cost limit is passed by then whatever the
 * variables), so a fragment bomb costs no more than the limit to compile.
 */
export function compileMeasure(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: Pick<Limits, 'maxDepth' | 'maxCost'>,
): MeasureProgram {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const steps: MeasureStep[] = [];
  let stopped = false;
  let truncated = false;

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    depth: number,
    parentStep: number,
    introspection: boolean,
  ): void => {
    for (const sel of set.selections) {
      if (stopped) return;
      if (sel.kind === Kind.FRAGMENT_SPREAD || sel.kind === Kind.INLINE_FRAGMENT) {
        const frag = sel.kind === Kind.FRAGMENT_SPREAD ? fragments.get(sel.name.value) : sel;
        if (!frag) continue;
        const cond = frag.typeCondition ? schema.getType(frag.typeCondition.name.value) : parent;
        walk(frag.selectionSet, cond ?? parent, depth, parentStep, introspection);
        continue;
      }
      if (steps.length > limits.maxCost) {
        truncated = stopped = true;
        return;
      }
      const name = sel.name.value;
      const inIntro = introspection || name.startsWith('__');
      const d = depth + 1;
      const maxDepth = inIntro ? Math.max(limits.maxDepth, INTROSPECTION_MAX_DEPTH) : limits.maxDepth;
      const step: MeasureStep = {
        alias: sel.alias !== undefined,
        parent: parentStep,
        depth: inIntro ? Math.min(d, limits.maxDepth) : d,
        depthRefused: d > maxDepth ? maxDepth : undefined,
        size: 1,
      };
      steps.push(step);
      if (step.depthRefused !== undefined) {
        stopped = true;
        return;
      }
      if (!sel.selectionSet) continue;
      const field: GraphQLField<unknown, unknown> | undefined =
        parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
      if (field && !inIntro) {
        const list = isListType(getNullableType(field.type));
        // A connection's `edges`, and a Subgraph's `nodes` and `edges`, are the page its parent already
        // counted; connections (deals) page through `edges`: the page size given on the connection applies.
        const parentCounted = name === 'edges' || (parent?.name === 'Subgraph' && name === 'nodes');
        if (!(list && parentCounted)) step.size = sizeSpec(list, sel, field) ?? 1;
      }
      const child = field ? getNamedType(field.type) : undefined;
      walk(sel.selectionSet, child, d, steps.length - 1, inIntro);
    }
  };

  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  walk(operation.selectionSet, root ?? undefined, 0, -1, false);
  return { steps, truncated };
}

/**
 * Replays a compiled walk with a request's variables; throws QUERY_TOO_COMPLEX as soon as a limit is
 * passed, in walk order, naming the limit.
 */
export function runMeasure(
  program: MeasureProgram,
  variables: Record<string, unknown>,
  limits: Pick<Limits, 'maxDepth' | 'maxCost' | 'maxAliases'>,
  /** What the operations before this one in the same HTTP request (a batch) already used. */
  spent: OperationMeasure = { depth: 0, cost: 0, aliases: 0 },
): OperationMeasure {
  const measure: OperationMeasure = { ...spent };
  const { steps } = program;
  // What each step's children are multiplied by: its own multiplier times its page size.
  const childMultiplier = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as MeasureStep;
    if (step.alias) measure.aliases++;
    if (measure.aliases > limits.maxAliases) {
      throw tooComplex(
        'aliases',
        `The query uses more than ${limits.maxAliases} aliases.`,
        limits.maxAliases,
      );
    }
    if (step.depthRefused !== undefined) {
      throw tooComplex(
        'depth',
        `The query is nested deeper than ${step.depthRefused} levels.`,
        step.depthRefused,
      );
    }
    measure.depth = Math.max(measure.depth, step.depth);
    const multiplier = step.parent < 0 ? 1 : (childMultiplier[step.parent] as number);
    measure.cost += multiplier;
    if (measure.cost > limits.maxCost || (program.truncated && i === steps.length - 1)) {
      throw tooComplex(
        'cost',
        `The query would cost more than ${limits.maxCost} (fields × list sizes); ask for fewer items or fields.`,
        limits.maxCost,
      );
    }
    childMultiplier[i] = multiplier * sizeOf(step.size, variables);
  }
  return measure;
}

/** Compiles and runs the limit walk in one go (an operation seen once). */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: Pick<Limits, 'maxDepth' | 'maxCost' | 'maxAliases'>,
  spent?: OperationMeasure,
): OperationMeasure {
  return runMeasure(compileMeasure(schema, document, operation, limits), variables, limits, spent);
}

/**
 * The limits over a whole HTTP request: the Apollo plugin refuses an over-limit operation after parsing
 * and validation, before any resolver runs; `batch` caps a batch's length and adds its operations up
 * against the same cost, alias and depth budgets as one operation, so ten operations of 30 aliases
 * are refused like one of 300.
 */
export function requestLimits(
  limits: Limits,
  cache: OperationCache,
): { plugin: ApolloServerPlugin; batch: PlainHandler } {
  let schema: GraphQLSchema | undefined;
  const plugin: ApolloServerPlugin = {
    async serverWillStart(service) {
      schema = service.schema;
    },
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (!ctx.operation || ctx.source === undefined) return;
          const name = ctx.request.operationName ?? null;
          // readOperations() looked the text up already (a persisted query's text arrives only here).
          const op = cache.peek(ctx.source, name) ?? cache.operation(ctx.source, name);
          const program = cache.measureProgram(op, ctx.schema, limits, {
            document: ctx.document,
            operation: ctx.operation,
          });
          runMeasure(program, (ctx.request.variables ?? {}) as Record<string, unknown>, limits);
        },
      };
    },
  };
  const batch: PlainHandler = (req, res, next) => {
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
        if (op.cached?.operation)
          spent = runMeasure(cache.measureProgram(op.cached, schema, limits), op.variables, limits, spent);
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

/** JSON body parsing with the configured size cap (too large → PAYLOAD_TOO_LARGE by the app's error route). */
export function bodyParser(limits: Limits): PlainHandler {
  // body-parser reads node's own request: express's mounts and the GraphQL route share it.
  return express.json({ limit: limits.bodyLimitBytes }) as PlainHandler;
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
): PlainHandler {
  if (limits.rateLimit === 0) return (_req, _res, next) => next();
  // The store only reads windowMs (the rest of express-rate-limit's options do not apply here).
  void store.init?.({ windowMs: limits.rateWindowMs } as RateLimitOptions);
  const windowSeconds = Math.round(limits.rateWindowMs / 1000);
  return async (req, res, next) => {
    try {
      // Runs before authentication, so failed guesses at a token are counted against the address.
      const client =
        clientIdentity(tokens, header(req, 'authorization')) ?? `ip:${ipKeyGenerator(clientAddress(req))}`;
      const kinds = operationKinds(req);
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
