import { deliveriesUnderEmbargo, findSanctions, type SanctionFilter } from '../../db/sanction-queries';
import type { Plain } from '../../db/mapper';
import type { Context } from '../context';

/** Sanctions, embargoes and the deliveries made under them: thin wrappers over src/db/sanction-queries.ts. */

type Item = Record<string, Plain>;

export const sanctionResolvers = {
  Sanction: {
    // Sanctions recorded before they had ids (the seed's) are told apart by their relation key.
    id: (s: Item) => s.id ?? s.key,
    kind: (s: Item) => s.kind ?? 'OTHER',
    estimate: (s: Item) => s.estimate === true,
  },
  Membership: {
    status: (m: Item) => m.status ?? 'MEMBER',
    estimate: (m: Item) => m.estimate === true,
  },
  DeliveryUnderEmbargo: {
    supplier: (r: { supplierId: string }, _: unknown, ctx: Context) => ctx.loaders.entity.load(r.supplierId),
    recipient: (r: { recipientId: string }, _: unknown, ctx: Context) =>
      ctx.loaders.entity.load(r.recipientId),
  },
  Query: {
    sanctions: (_: unknown, args: SanctionFilter, ctx: Context) => findSanctions(ctx.db, args),
    deliveriesUnderEmbargo: async (
      _: unknown,
      args: {
        target?: string | null;
        imposedBy?: string | null;
        supplier?: string | null;
        deliveredFrom?: number | null;
        deliveredTo?: number | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: Context,
    ) => (await deliveriesUnderEmbargo(ctx.db, args, args.first ?? 100, args.after)).rows,
  },
};
