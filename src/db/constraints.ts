import { DEAL_PARTY_TYPES, ENTITY_LABELS } from '../model';
import type { Database } from './database';
import { buildMissingDealSlots } from './deal-slots';
import { keyUnkeyedDealRelations } from './relation-key-migration';
import { buildMissingTivRollups, TIV_ROLLUP_SCHEMA } from './tiv-rollups';

export { ENTITY_LABELS, type EntityLabel } from '../model';

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
  // Each SIPRI release's record of a deal (src/db/release-writes.ts), merged on its id by the importer
  // and read by release when two releases are compared.
  statements.push(
    'CREATE CONSTRAINT sipri_record_id_unique IF NOT EXISTS FOR (n:SipriRecord) REQUIRE n.id IS UNIQUE',
  );
  statements.push('CREATE INDEX sipri_record_release IF NOT EXISTS FOR (n:SipriRecord) ON (n.release)');
  statements.push('CREATE INDEX deal_order_year IF NOT EXISTS FOR (n:Deal) ON (n.orderYear)');
  statements.push('CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)');
  // Pages in order-year order read one year at a time in id order (src/db/deal-queries.ts): a page
  // costs its size, not the number of deals in its years.
  statements.push('CREATE INDEX deal_order_year_id IF NOT EXISTS FOR (n:Deal) ON (n.orderYear, n.id)');
  // The same for one party's or one system's deals, through the deal slots (src/db/deal-slots.ts).
  statements.push(
    'CREATE INDEX deal_slot_page IF NOT EXISTS FOR (s:DealSlot) ON (s.role, s.partyId, s.sortYear, s.dealId)',
  );
  statements.push('CREATE INDEX deal_slot_deal IF NOT EXISTS FOR (s:DealSlot) ON (s.dealId)');
  // Retired deals and deliveries are few: finding them by index lets counts and totals skip reading a
  // flag on every deal or delivery.
  statements.push('CREATE INDEX deal_retired IF NOT EXISTS FOR (n:Deal) ON (n.retired)');
  statements.push('CREATE INDEX delivery_retired IF NOT EXISTS FOR (n:Delivery) ON (n.retired)');
  // The same for a deal's replaced parties (src/db/graph-writer.ts retires them): a party's count is
  // its degree less these.
  for (const type of DEAL_PARTY_TYPES)
    statements.push(
      `CREATE INDEX ${type.toLowerCase()}_retired IF NOT EXISTS FOR ()-[r:${type}]-() ON (r.retired)`,
    );
  // A fact stated again finds the change that recorded the same statement (src/db/fact-writes.ts).
  statements.push('CREATE INDEX change_statement IF NOT EXISTS FOR (c:Change) ON (c.statement)');
  // The TIV tables' pre-summed rows (src/db/tiv-rollups.ts).
  statements.push(...TIV_ROLLUP_SCHEMA);
  return statements;
}

/** The name a schema statement creates (CREATE ... IF NOT EXISTS) or drops (DROP ... IF EXISTS). */
const SCHEMA_OBJECT =
  /^(?:CREATE (?:(?:FULLTEXT|RANGE|TEXT|POINT|LOOKUP|VECTOR) )?(?:CONSTRAINT|INDEX) (\w+) IF NOT EXISTS|DROP (?:CONSTRAINT|INDEX) (\w+) IF EXISTS)\b/;

/**
 * The statements of `statements` the database still needs, given the names of the indexes and
 * constraints it has: a CREATE whose name exists and a DROP whose name does not are left out. A
 * statement of any other shape is always kept. What is sent keeps its IF [NOT] EXISTS, so an object
 * another process creates meanwhile (two starts at once), or an equivalent one under another name,
 * still makes it a no-op.
 */
export function missingSchemaStatements(statements: string[], existing: ReadonlySet<string>): string[] {
  return statements.filter((statement) => {
    const match = SCHEMA_OBJECT.exec(statement);
    if (!match) return true;
    return match[1] !== undefined ? !existing.has(match[1]) : existing.has(match[2] ?? '');
  });
}

/**
 * `opts.buildRollups: false` leaves missing TIV rollups unbuilt (the tables sum deliveries meanwhile):
 * a bulk load deferring them (ImportOptions.deferRollups) has them built apart, so that what they cost
 * is timed apart (bench/import.ts).
 */
export async function applySchema(
  db: Database,
  extra: string[] = [],
  opts: { buildRollups?: boolean } = {},
): Promise<void> {
  // One read of what exists, so a started database (every start after the first) sends no schema
  // statement at all, where one statement each cost a round trip and a cold Cypher plan. A uniqueness
  // constraint's index carries the constraint's name, so SHOW INDEXES names both.
  const indexes = await db.read('SHOW INDEXES YIELD name, state');
  const existing = new Set(indexes.map((row) => String(row.name)));
  const missing = missingSchemaStatements([...schemaStatements(), ...extra], existing);
  if (missing.length > 0) {
    // Schema commands cannot share a transaction with data writes, but may share one with each other:
    // one transaction for all of them, so the indexes it creates are populated together in one scan
    // of the store after the commit (one at a time, a bulk-loaded store was scanned once per index).
    await db.writeTx(async (tx) => {
      for (const statement of missing) await db.run(tx, statement);
    });
  }
  // Waits up to 300 s for the indexes (the call needs that long as its transaction time too): those
  // just created, or another process's still populating. All online: nothing to wait for.
  if (missing.length > 0 || indexes.some((row) => row.state !== 'ONLINE'))
    await db.write('CALL db.awaitIndexes(300)', {}, 310_000);
  // A database whose older importer wrote deal relationships without a key gets them keyed once, before
  // anything derived from them (later starts: one lookup).
  await keyUnkeyedDealRelations(db);
  // A database written before deal slots existed gets them once (later starts: one lookup).
  await buildMissingDealSlots(db);
  // Likewise the TIV rollups: until they are built, the transfer tables sum deliveries.
  if (opts.buildRollups !== false) await buildMissingTivRollups(db);
}
