import { transferNetwork, type NetworkArgs } from '../../db/transfer-network';
import { dealGroups, type DealGroup, type DealGroupsArgs } from '../../db/deal-group-queries';
import {
  induced,
  neighborhood,
  paths,
  type InducedArgs,
  type NeighborhoodArgs,
  type PathsArgs,
} from '../../db/subgraph-queries';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { selectsField } from '../selected-fields';

/** Subgraphs for graph-visualisation clients : thin wrappers over src/db/subgraph-queries.ts. */
export const subgraphResolvers = {
  Query: {
    // Nodes' and edges' properties are read only when the operation asks for them.
    neighborhood: (_: unknown, args: NeighborhoodArgs, ctx: Context, info: GraphQLResolveInfo) =>
      neighborhood(ctx.db, args, { withProperties: selectsField(info, 'properties') }),
    paths: (_: unknown, args: PathsArgs, ctx: Context) => paths(ctx.db, args),
    transferNetwork: (_: unknown, args: NetworkArgs, ctx: Context) => transferNetwork(ctx.db, args),
    subgraph: (_: unknown, args: InducedArgs, ctx: Context) => induced(ctx.db, args),
    dealGroups: (_: unknown, args: DealGroupsArgs, ctx: Context) => dealGroups(ctx.db, args),
  },
  DealGroup: {
    entity: (g: DealGroup, _: unknown, ctx: Context) => ctx.loaders.entity.load(g.entityId),
  },
};
