import { packageVersion } from '../../config';

/** Entity objects from the data layer carry their GraphQL type in __typename. */
export const coreResolvers = {
  Entity: {
    __resolveType: (entity: { __typename?: string }): string | null => entity.__typename ?? null,
  },
  Query: {
    version: (): string => packageVersion(),
  },
};
