import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { CachedOperation, OperationCache } from '../graphql/operation-cache';
import { requestQuery, type PlainHandler, type PlainRequest } from './plain';

/**
 * What one GraphQL HTTP request asks for, read once before Apollo runs it: the rate limiter counts
 * each operation in its read or write bucket, the batch budget adds the operations up, and the access
 * log names them. A piece that does not parse is still counted (as a read) and left to Apollo to refuse.
 * Documents come from the app's operation cache: a document sent before is not parsed again.
 */
export interface RequestedOperation {
  name: string | null;
  kind: 'read' | 'write';
  /** The document's text (the operation cache's key), when the piece has one. */
  text: string | undefined;
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  variables: Record<string, unknown>;
  /** The cache's entry, which holds the compiled limit walk. */
  cached: CachedOperation | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(piece: unknown, cache: OperationCache): RequestedOperation {
  const body = isRecord(piece) ? piece : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : null;
  const variables = isRecord(body.variables) ? body.variables : {};
  const text = typeof body.query === 'string' ? body.query : undefined;
  const cached = text !== undefined ? cache.operation(text, operationName) : undefined;
  return {
    name: cached?.name ?? operationName,
    kind: cached?.kind ?? 'read',
    text,
    document: cached?.document,
    operation: cached?.operation,
    variables,
    cached,
  };
}

type WithOps = PlainRequest & { armsgraphOps?: RequestedOperation[] };

/**
 * The operations of a parsed request body (one, or a batch), or of a GET request's query string, as
 * readOperations() read them.
 */
export function requestedOperations(req: PlainRequest): RequestedOperation[] {
  const ops = (req as WithOps).armsgraphOps;
  if (!ops) throw new Error('requestedOperations() before readOperations() on this route');
  return ops;
}

/** Reads the operations of a /graphql request once (after the body parser), for everything after it. */
export function readOperations(cache: OperationCache): PlainHandler {
  return (req, _res, next) => {
    const body: unknown = req.method === 'GET' ? requestQuery(req) : req.body;
    (req as WithOps).armsgraphOps = Array.isArray(body)
      ? body.map((piece) => describe(piece, cache))
      : [describe(body, cache)];
    next();
  };
}

/** The operations a finished request ran, for its access-log line (undefined for other routes). */
export function operationNames(req: PlainRequest): string[] | undefined {
  const ops = (req as WithOps).armsgraphOps;
  return ops?.map((op) => op.name ?? '(anonymous)');
}

/** The rate limiter's buckets for a request: each GraphQL operation's kind, or one read for other routes. */
export function operationKinds(req: PlainRequest): ('read' | 'write')[] {
  const ops = (req as WithOps).armsgraphOps;
  return ops ? ops.map((op) => op.kind) : ['read'];
}
