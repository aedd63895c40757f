import DataLoader from 'dataloader';
import type { Database } from '../db/database';
import { entitiesByIds, type EntityRecord } from '../db/entities';

/**
 * Per-request batching (design convention 4): every field that needs entities by id asks a loader,
 * and each loader sends one Cypher statement per tick however many objects asked.
 */
export interface Loaders {
  entity: DataLoader<string, EntityRecord | null>;
}

export function createLoaders(db: Database): Loaders {
  return {
    entity: new DataLoader((ids) => entitiesByIds(db, ids)),
  };
}
