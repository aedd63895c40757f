import type { Database } from './database';

/** Every entity label; each has a unique, human-readable `id`. */
export const ENTITY_LABELS = [
  'Country',
  'Organization',
  'WeaponSystem',
  'Deal',
  'Alliance',
  'Program',
  'Person',
  'Source',
] as const;
export type EntityLabel = (typeof ENTITY_LABELS)[number];

/**
 * Constraints and indexes, applied idempotently at every start (IF NOT EXISTS).
 * Uniqueness of `id` per label gives each entity kind its own id space and an index for lookups.
 */
export function schemaStatements(): string[] {
  const statements: string[] = [];
  for (const label of ENTITY_LABELS) {
    statements.push(
      `CREATE CONSTRAINT ${label.toLowerCase()}_id_unique IF NOT EXISTS FOR (n:${label}) REQUIRE n.id IS UNIQUE`,
    );
  }
  // Every entity also carries :Entity so one index serves lookups across kinds (Query.node).
  statements.push('CREATE INDEX entity_id IF NOT EXISTS FOR (n:Entity) ON (n.id)');
  return statements;
}

export async function applySchema(db: Database, extra: string[] = []): Promise<void> {
  for (const statement of [...schemaStatements(), ...extra]) {
    // Schema changes cannot share a transaction with other statements, so each runs alone.
    await db.write(statement);
  }
  await db.write('CALL db.awaitIndexes(300)');
}
