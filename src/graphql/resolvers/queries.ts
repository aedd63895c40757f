import type { GraphQLResolveInfo } from 'graphql';
import { allianceConflicts } from '../../db/analytics-queries';
import { transferTotals, type TotalsQuery } from '../../db/transfer-totals';
import { findDeals, type DealFilter, type DealOrderBy } from '../../db/deal-queries';
import { listEntities, MAX_LIST } from '../../db/list-queries';
import { searchEntities } from '../../db/search-queries';
import type { Context } from '../context';
import { propertyKeys, selectsChildField, selectsField } from '../selected-fields';

/** The analyst queries: thin wrappers over the data layer. */
export const queryResolvers = {
  Query: {
    deals: async (
      _: unknown,
      args: {
        filter?: DealFilter | null;
        orderBy?: DealOrderBy | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      const page = await findDeals(
        ctx.db,
        args.filter ?? {},
        args.orderBy ?? 'ORDER_YEAR_ASC',
        args.first ?? 50,
        args.after,
        // Counting every match costs what the page does not: only when the query asks for it.
        {
          count: selectsChildField(info, 'totalCount'),
          keys: propertyKeys(info),
          // Conservative: a `sources` field anywhere in the operation brings them.
          sources: selectsField(info, 'sources'),
        },
      );
      // Deal.buyer, seller and system (and their sources) then find their entities without another round trip.
      for (const e of page.entities) ctx.loaders.entity.prime(e.id, e);
      return {
        totalCount: page.totalCount,
        edges: page.deals.map((node, i) => ({ node, cursor: page.cursors[i] })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      };
    },
    transferTotals: async (
      _: unknown,
      args: TotalsQuery & { first?: number | null; after?: string | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      const rows = await transferTotals(ctx.db, args, {
        first: args.first ?? 25,
        after: args.after,
        keys: propertyKeys(info),
        // Conservative: a field of either name anywhere in the operation brings them.
        entities: selectsField(info, 'entity') || selectsField(info, 'label'),
      });
      for (const r of rows) {
        for (const e of [r.entity, r.then?.entity]) if (e) ctx.loaders.entity.prime(e.id, e);
      }
      return rows;
    },
    allianceConflicts: async (
      _: unknown,
      args: { alliance: string; orderedFrom?: number | null; orderedTo?: number | null },
      ctx: Context,
    ) =>
      (await allianceConflicts(ctx.db, args.alliance, args.orderedFrom, args.orderedTo)).map((r) => ({
        ...r,
        orderYear: typeof r.deal.orderYear === 'number' ? r.deal.orderYear : null,
      })),
    search: (
      _: unknown,
      args: { text: string; first?: number | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => searchEntities(ctx.db, args.text, args.first ?? 20, propertyKeys(info)),
    countries: (_: unknown, args: { first?: number | null }, ctx: Context) =>
      listEntities(ctx.db, 'Country', args.first ?? 100),
    weaponSystems: (_: unknown, args: { first?: number | null }, ctx: Context) =>
      listEntities(ctx.db, 'WeaponSystem', args.first ?? 100),
    sources: (_: unknown, __: unknown, ctx: Context) => listEntities(ctx.db, 'Source', MAX_LIST),
  },
  // Loaded by field resolvers, not held as promises in the parent: graphql-jit reads a field without
  // a resolver as a plain value and does not wait for a promise there (src/graphql/compiled-executor.ts).
  AllianceConflict: {
    member: (c: { memberId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(c.memberId),
    supplier: (c: { supplierId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(c.supplierId),
  },
};
