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
  // Names and aliases: whole-key lookups (nameKeysText) and word search with typos (searchText).
  statements.push(
    "CREATE FULLTEXT INDEX entity_search IF NOT EXISTS FOR (n:Entity) ON EACH [n.searchText, n.nameKeysText] OPTIONS { indexConfig: { `fulltext.analyzer`: 'standard-folding', `fulltext.eventually_consistent`: false } }",
  );
  statements.push(
    'CREATE CONSTRAINT delivery_id_unique IF NOT EXISTS FOR (n:Delivery) REQUIRE n.id IS UNIQUE',
  );
  statements.push('CREATE INDEX delivery_year IF NOT EXISTS FOR (n:Delivery) ON (n.year)');
  statements.push('CREATE CONSTRAINT claim_id_unique IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE');
  statements.push('CREATE INDEX deal_order_year IF NOT EXISTS FOR (n:Deal) ON (n.orderYear)');
  statements.push('CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)');
  // Retired deals and deliveries are few: finding them by index lets counts and totals skip reading a
  // flag on every deal or delivery.
  statements.push('CREATE INDEX deal_retired IF NOT EXISTS FOR (n:Deal) ON (n.retired)');
  statements.push('CREATE INDEX delivery_retired IF NOT EXISTS FOR (n:Delivery) ON (n.retired)');
  return statements;
}

export async function applySchema(db: Database, extra: string[] = []): Promise<void> {
  for (const statement of [...schemaStatements(), ...extra]) {
    // Schema changes cannot share a transaction with other statements, so each runs alone.
    await db.write(statement);
  }
  await db.write('CALL db.awaitIndexes(300)');
}
