import DataLoader from 'dataloader';
import type { Database } from '../db/database';
import { entitiesByIds, type EntityRecord } from '../db/entities';
import type { Plain } from '../db/mapper';
import { relatedBatch, type RelationQuery } from '../db/relation-queries';

/**
 * Per-request batching, so a request costs one statement per level whatever its size: every field that needs entities or related facts asks
 * a loader, and each loader sends one Cypher statement per tick however many objects asked.
 */
export interface Loaders {
  entity: DataLoader<string, EntityRecord | null>;
  /** The items of one relation query (src/db/relation-queries.ts) for an owner id. */
  related(name: RelationQuery): DataLoader<string, Plain[]>;
}

export function createLoaders(db: Database): Loaders {
  const relatedLoaders = new Map<RelationQuery, DataLoader<string, Plain[]>>();
  return {
    entity: new DataLoader((ids) => entitiesByIds(db, ids)),
    related(name) {
      let loader = relatedLoaders.get(name);
      if (!loader) {
        loader = new DataLoader((ids) => relatedBatch(db, name, ids));
        relatedLoaders.set(name, loader);
      }
      return loader;
    },
  };
}
