import type { Context } from './context';

export const resolvers = {
  Query: {
    version: (): string => process.env.npm_package_version ?? '0.1.0',
    _ready: (_: unknown, __: unknown, ctx: Context): Promise<boolean> => ctx.db.ping(),
  },
};
