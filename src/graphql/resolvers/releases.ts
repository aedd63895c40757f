import type { EntityRecord } from '../../db/entities';
import type { Plain } from '../../db/mapper';
import { revisionsOf, type DealRecord } from '../../db/release-diff';
import { releaseChanges, releaseIds } from '../../db/release-queries';
import type { Context } from '../context';
import { loadAll } from './entities';

/** SIPRI releases: a deal's revisions, the releases listing a fact, and what changed between two releases. */

const list = (key: string) => (o: Record<string, Plain>) => (Array.isArray(o[key]) ? o[key] : []);

export const sipriRecords = async (dealId: string, ctx: Context): Promise<DealRecord[]> =>
  (await ctx.loaders.related('sipriRecords').load(dealId)) as unknown as DealRecord[];

export const releaseResolvers = {
  Deal: {
    sipriReleases: list('sipriReleases'),
    revisions: async (deal: EntityRecord, _: unknown, ctx: Context) =>
      revisionsOf(await sipriRecords(deal.id, ctx)),
  },
  Delivery: { sipriReleases: list('sipriReleases') },
  ReleaseDealChange: {
    deal: (c: { dealId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(c.dealId),
  },
  // Loaded by field resolvers, not held as promises in the parent: graphql-jit reads a field without
  // a resolver as a plain value and does not wait for a promise there (src/graphql/compiled-executor.ts).
  ReleaseChanges: {
    from: (c: { fromId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(c.fromId),
    to: (c: { toId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(c.toId),
  },
  Query: {
    sipriReleases: async (_: unknown, __: unknown, ctx: Context) => loadAll(ctx, await releaseIds(ctx.db)),
    sipriReleaseChanges: async (
      _: unknown,
      args: { from: string; to: string; first?: number | null },
      ctx: Context,
    ) => releaseChanges(ctx.db, args.from, args.to, args.first ?? 100),
  },
};
