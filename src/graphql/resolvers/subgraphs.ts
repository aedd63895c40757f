import { neighborhood, paths, type NeighborhoodArgs, type PathsArgs } from '../../db/subgraph-queries';
import type { Context } from '../context';

/** Subgraphs for graph-visualisation clients (issue #5): thin wrappers over src/db/subgraph-queries.ts. */
export const subgraphResolvers = {
  Query: {
    neighborhood: (_: unknown, args: NeighborhoodArgs, ctx: Context) => neighborhood(ctx.db, args),
    paths: (_: unknown, args: PathsArgs, ctx: Context) => paths(ctx.db, args),
  },
};
