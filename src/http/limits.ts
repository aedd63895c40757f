import type { ApolloServerPlugin } from '@apollo/server';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
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
import { authenticate, type TokenSet } from '../auth/tokens';

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
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const measure: OperationMeasure = { depth: 0, cost: 0, aliases: 0 };

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

/** Apollo plugin: refuses over-limit operations after parsing and validation, before any resolver runs. */
export function limitsPlugin(limits: Limits): ApolloServerPlugin {
  return {
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

/** Batched operations (a JSON array of requests) are allowed up to maxBatch per HTTP request. */
export function batchLimit(limits: Limits): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    if (Array.isArray(body) && body.length > limits.maxBatch) {
      return sendCoded(
        res,
        tooComplex('batch', `A request may batch at most ${limits.maxBatch} operations.`, limits.maxBatch),
      );
    }
    if (Array.isArray(body) && body.length === 0) {
      return sendCoded(
        res,
        new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'An empty batch has nothing to run.'),
      );
    }
    next();
  };
}

/**
 * Per-client rate limit: a client is its token's name when it sends one, else its address. Over the
 * limit: 429 RATE_LIMITED with Retry-After. ARMSGRAPH_RATE_LIMIT=0 turns it off.
 */
export function rateLimiter(limits: Limits, tokens: TokenSet): RequestHandler {
  if (limits.rateLimit === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: limits.rateWindowMs,
    limit: limits.rateLimit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => {
      // Runs before authentication, so failed guesses at a token are counted against the address.
      let tokenName: string | null = null;
      try {
        tokenName = authenticate(tokens, req.get('authorization')).tokenName;
      } catch {
        tokenName = null;
      }
      return tokenName !== null ? `token:${tokenName}` : `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`;
    },
    handler: (_req, res) => {
      sendCoded(
        res,
        new ArmsgraphError(
          ErrorCode.RATE_LIMITED,
          `Too many requests: at most ${limits.rateLimit} per ${Math.round(limits.rateWindowMs / 1000)} s per client.`,
        ),
        { 'retry-after': String(Math.ceil(limits.rateWindowMs / 1000)) },
      );
    },
  });
}
