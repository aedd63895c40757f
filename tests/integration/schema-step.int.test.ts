import neo4j from 'neo4j-driver';
import pino from 'pino';
import { applySchema } from '../../src/db/constraints';
import { Database } from '../../src/db/database';
import { openTestDatabase, testConfig } from '../helpers/test-app';

/**
 * The schema step at a start reads the schema once and sends only what is missing: a database whose
 * schema is complete gets no schema statement (and no wait for indexes), one missing an index gets
 * that index back.
 */
describe('the schema step on a database that has its schema', () => {
  let db: Database;
  let traced: Database;
  const cypher: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    const config = testConfig();
    // A Database that logs each statement it sends (debugCypher) into `cypher`.
    const logger = pino(
      { level: 'debug' },
      { write: (line: string) => cypher.push(JSON.parse(line).cypher ?? '') },
    );
    traced = new Database(
      neo4j.driver(
        config.neo4j.uri ?? '',
        neo4j.auth.basic(config.neo4j.username, config.neo4j.password ?? ''),
        {
          logging: { level: 'error', logger: () => undefined },
        },
      ),
      { database: undefined, logger, debugCypher: true, timeoutMs: 60_000 },
    );
  });
  afterAll(async () => {
    await traced.close();
    await db.close();
  });

  const schemaCommands = () => cypher.filter((c) => /^(CREATE|DROP) |awaitIndexes/.test(c));

  it('sends no schema statement when every index and constraint exists', async () => {
    cypher.length = 0;
    await applySchema(traced);
    expect(cypher.length).toBeGreaterThan(0);
    expect(schemaCommands()).toEqual([]);
  });

  it('creates only what is missing, and waits for it', async () => {
    await db.write('DROP INDEX deal_status');
    cypher.length = 0;
    await applySchema(traced);
    expect(schemaCommands()).toEqual([
      'CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)',
      'CALL db.awaitIndexes(300)',
    ]);
    const rows = await db.read("SHOW INDEXES YIELD name, state WHERE name = 'deal_status' RETURN state");
    expect(rows).toEqual([{ state: 'ONLINE' }]);
  });
});
