import { JSONResolver } from 'graphql-scalars';
import { coreResolvers } from './core';
import { entityResolvers } from './entities';
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { relationResolvers } from './relations';
import { releaseResolvers } from './releases';
import { sanctionResolvers } from './sanctions';
import { subgraphResolvers } from './subgraphs';

/**
 * Each area of the API keeps its resolvers in its own file (one map per area); Apollo merges the list
 * by type name, so adding an area is one line here.
 */
export const resolvers = [
  { JSON: JSONResolver },
  coreResolvers,
  entityResolvers,
  relationResolvers,
  releaseResolvers,
  queryResolvers,
  mutationResolvers,
  subgraphResolvers,
  sanctionResolvers,
];
