import { badInput } from '../errors';
import type { EntityLabel } from './constraints';
import type { Database } from './database';
import { ENTITY_PROJECTION, toEntities, type EntityRecord } from './entities';

export const MAX_LIST = 1000;

/** Entities of one kind by name. The label comes from the resolver's own constant, never from input. */
export async function listEntities(db: Database, label: EntityLabel, first: number): Promise<EntityRecord[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_LIST)
    throw badInput(`first must be between 1 and ${MAX_LIST}`);
  const rows = await db.read(
    `MATCH (n:${label}) WHERE coalesce(n.retired, false) = false
     WITH n ORDER BY n.name, n.id LIMIT toInteger($first)
     RETURN collect(${ENTITY_PROJECTION}) AS found`,
    { first },
  );
  // One record holding the list: the driver builds a Record per record (see NODE_PROJECTION).
  return toEntities(rows[0]?.found);
}
