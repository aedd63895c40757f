import type { Actor, ChangeRecord, FactWrite } from '../../db/change-log';
import { addAliases, createEntity, updateEntity, type EntityWrite } from '../../db/entity-writes';
import {
  recordDeal,
  recordDeliveries,
  recordExclusion,
  recordMembership,
  recordSanction,
} from '../../db/fact-writes';
import { mergeEntities } from '../../db/merge-writes';
import { retireFact } from '../../db/retire-writes';
import type { Database } from '../../db/database';
import { notFound } from '../../errors';
import type { Context } from '../context';
import { loadAll } from './entities';

/**
 * Mutations: each asks the request's auth for the write token's name first (UNAUTHENTICATED or
 * FORBIDDEN otherwise, before anything is read or written), then hands the raw input to the data
 * layer, which validates it and writes it in one transaction.
 */
type Write<T> = (db: Database, actor: Actor, input: unknown) => Promise<T>;

const actorOf = (ctx: Context): Actor => ({ tokenName: ctx.auth.writer() });

async function entityPayload(ctx: Context, write: EntityWrite, field: 'entity' | 'deal') {
  // A fresh read after the commit: the request's loader may hold the entity as it was before.
  ctx.loaders.entity.clear(write.id);
  const entity = await ctx.loaders.entity.load(write.id);
  if (!entity) throw notFound(`${write.id} was written but cannot be read back`);
  return { [field]: entity, change: write.change };
}

const entityMutation =
  (
    write: Write<EntityWrite>,
    field: 'entity' | 'deal' = 'entity',
    pick = (args: Record<string, unknown>) => args.input,
  ) =>
  async (_: unknown, args: Record<string, unknown>, ctx: Context) =>
    entityPayload(ctx, await write(ctx.db, actorOf(ctx), pick(args)), field);

const factMutation =
  (write: Write<FactWrite>) =>
  async (_: unknown, args: { input: unknown }, ctx: Context): Promise<FactWrite> =>
    write(ctx.db, actorOf(ctx), args.input);

/** retireFact always marks what it names (an already retired fact is refused), so it always changed something. */
const changes =
  (write: Write<ChangeRecord>): Write<FactWrite> =>
  async (db, actor, input) => ({ change: await write(db, actor, input), changed: true });

const whole = (args: Record<string, unknown>) => args;

export const mutationResolvers = {
  Mutation: {
    createEntity: entityMutation(createEntity),
    updateEntity: entityMutation(updateEntity),
    addAliases: entityMutation(addAliases, 'entity', whole),
    recordDeal: entityMutation(recordDeal, 'deal'),
    recordDeliveries: entityMutation(recordDeliveries, 'deal', whole),
    recordMembership: factMutation(recordMembership),
    recordExclusion: factMutation(recordExclusion),
    recordSanction: factMutation(recordSanction),
    mergeEntities: entityMutation(mergeEntities, 'entity', whole),
    retireFact: factMutation(changes(retireFact)),
  },
  Change: {
    sources: (c: ChangeRecord, _: unknown, ctx: Context) => loadAll(ctx, c.sourceIds),
  },
};
