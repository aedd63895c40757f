import { transferNetwork, type NetworkArgs } from '../../db/transfer-network';
import { neighborhood, paths, type NeighborhoodArgs, type PathsArgs } from '../../db/subgraph-queries';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { selectsField } from '../selection';

/** Subgraphs for graph-visualisation clients : thin wrappers over src/db/subgraph-queries.ts. */
export const subgraphResolvers = {
  Query: {
    // Nodes' and edges' properties are read only when the operation asks for them.
    neighborhood: (_: unknown, args: NeighborhoodArgs, ctx: Context, info: GraphQLResolveInfo) =>
      neighborhood(ctx.db, args, { withProperties: selectsField(info, 'properties') }),
    paths: (_: unknown, args: PathsArgs, ctx: Context) => paths(ctx.db, args),
    transferNetwork: (_: unknown, args: NetworkArgs, ctx: Context) => transferNetwork(ctx.db, args),
  },
};
