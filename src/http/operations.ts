import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { getOperationAST, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/**
 * What one GraphQL HTTP request asks for, read once before Apollo runs it: the rate limiter counts
 * each operation in its read or write bucket, the batch budget adds the operations up, and the access
 * log names them. A piece that does not parse is still counted (as a read) and left to Apollo to refuse.
 */
export interface RequestedOperation {
  name: string | null;
  kind: 'read' | 'write';
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  variables: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(piece: unknown): RequestedOperation {
  const body = isRecord(piece) ? piece : {};
  const operationName = typeof body.operationName === 'string' ? body.operationName : null;
  const variables = isRecord(body.variables) ? body.variables : {};
  let document: DocumentNode | undefined;
  let operation: OperationDefinitionNode | undefined;
  if (typeof body.query === 'string') {
    try {
      document = parse(body.query, { maxTokens: 50_000 });
      operation = getOperationAST(document, operationName) ?? undefined;
    } catch {
      document = undefined;
    }
  }
  return {
    name: operation?.name?.value ?? operationName,
    kind: operation?.operation === 'mutation' ? 'write' : 'read',
    document,
    operation,
    variables,
  };
}

/** The operations of a parsed request body (one, or a batch), or of a GET request's query string. */
export function requestedOperations(req: Request): RequestedOperation[] {
  const cached = (req as Request & { armsgraphOps?: RequestedOperation[] }).armsgraphOps;
  if (cached) return cached;
  const body: unknown = req.method === 'GET' ? req.query : req.body;
  const ops = Array.isArray(body) ? body.map(describe) : [describe(body)];
  (req as Request & { armsgraphOps?: RequestedOperation[] }).armsgraphOps = ops;
  return ops;
}

/** Reads the operations of a /graphql request once (after the body parser), for everything after it. */
export const readOperations: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
  requestedOperations(req);
  next();
};

/** The operations a finished request ran, for its access-log line (undefined for other routes). */
export function operationNames(req: Request): string[] | undefined {
  const ops = (req as Request & { armsgraphOps?: RequestedOperation[] }).armsgraphOps;
  return ops?.map((op) => op.name ?? '(anonymous)');
}
