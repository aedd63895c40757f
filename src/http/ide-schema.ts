import type { Request, Response } from 'express';
import { buildSchema, introspectionFromSchema, type IntrospectionQuery } from 'graphql';
import { loadTypeDefs } from '../graphql/schema';

let cached: IntrospectionQuery | undefined;

/**
 * GET /graphiql/schema.json: the schema as an introspection result, for the bundled IDE. With
 * introspection off (the production default) the IDE still completes and checks queries, from this
 * route, behind the same rate limit and read token as /graphql, rather than from `__schema` queries
 * that any client could send.
 */
export function schemaForIde(_req: Request, res: Response): void {
  cached ??= introspectionFromSchema(buildSchema(loadTypeDefs()));
  res.setHeader('cache-control', 'no-cache');
  res.json({ data: cached });
}
