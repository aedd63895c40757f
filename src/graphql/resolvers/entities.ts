import { ENTITY_LABELS, type EntityLabel } from '../../db/constraints';
import { lookupEntity, type EntityRecord } from '../../db/entities';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { propertyKeys } from '../selected-fields';

/** Resolves an id, name or alias to an entity of the given kinds (all kinds when omitted), or null. */
export async function lookup(
  ctx: Context,
  input: string,
  labels?: EntityLabel[],
  /** The resolver's info: only the properties the operation can read are fetched. */
  info?: Pick<GraphQLResolveInfo, 'operation' | 'fragments' | 'schema'>,
): Promise<EntityRecord | null> {
  const related: EntityRecord[] = [];
  const entity = await lookupEntity(ctx.db, input, labels, related, info ? propertyKeys(info) : null);
  // Later fields of the same request (a deal's parties, ...) find them in the loader.
  for (const e of entity ? [entity, ...related] : []) ctx.loaders.entity.prime(e.id, e);
  return entity;
}

/** Loads entities by id through the request's loader, dropping ids that no longer resolve. */
export async function loadAll(
  ctx: Context,
  ids: readonly string[] | null | undefined,
): Promise<EntityRecord[]> {
  if (!ids || ids.length === 0) return [];
  const loaded = await ctx.loaders.entity.loadMany(ids);
  return loaded.filter((e): e is EntityRecord => e !== null && !(e instanceof Error));
}

const sourcesField = {
  sources: (e: { sourceIds?: string[] | null }, _: unknown, ctx: Context) => loadAll(ctx, e.sourceIds),
};

type Args = { id: string };
const byKind =
  (labels?: EntityLabel[]) =>
  (_: unknown, { id }: Args, ctx: Context, info: GraphQLResolveInfo) =>
    lookup(ctx, id, labels, info);

export const entityResolvers = {
  // Every entity type resolves `sources` the same way (interfaces do not pass resolvers down).
  ...Object.fromEntries(ENTITY_LABELS.map((label) => [label, { ...sourcesField }])),
  Source: { sources: () => [] },
  Query: {
    node: byKind(),
    country: byKind(['Country']),
    weaponSystem: byKind(['WeaponSystem']),
    alliance: byKind(['Alliance']),
    program: byKind(['Program']),
    deal: byKind(['Deal']),
  },
};
