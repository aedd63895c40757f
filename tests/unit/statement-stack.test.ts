import neo4j from 'neo4j-driver';
import { Database, type Runner } from '../../src/db/database';
import { silentLogger } from '../../src/logger';

/** A runner that records the stack trace limit in force while the driver would build its Result. */
function recordingRunner(fail = false): Runner & { seen: number[] } {
  const seen: number[] = [];
  const run = () => {
    seen.push(Error.stackTraceLimit);
    if (fail) throw new Error('driver failed');
    return Promise.resolve({ records: [], summary: { counters: { updates: () => ({}) } } });
  };
  return { seen, run: run as unknown as Runner['run'] };
}

const database = (debugCypher: boolean) =>
  new Database(neo4j.driver('bolt://127.0.0.1:9', neo4j.auth.basic('neo4j', 'x')), {
    database: undefined,
    logger: silentLogger(),
    debugCypher,
    timeoutMs: 1000,
  });

describe("the driver's per-statement stack capture", () => {
  const limit = Error.stackTraceLimit;
  afterEach(() => expect(Error.stackTraceLimit).toBe(limit));

  it('is skipped while a statement is handed to the driver, and the limit restored after', async () => {
    const db = database(false);
    const runner = recordingRunner();
    await db.run(runner, 'RETURN 1');
    expect(runner.seen).toEqual([0]);
    expect(Error.stackTraceLimit).toBe(limit);
    await db.driver.close();
  });

  it('restores the limit when the driver throws', async () => {
    const db = database(false);
    const runner = recordingRunner(true);
    await expect(db.run(runner, 'RETURN 1')).rejects.toThrow('driver failed');
    expect(runner.seen).toEqual([0]);
    await db.driver.close();
  });

  it('is kept with ARMSGRAPH_DEBUG_CYPHER (debugCypher), where a failing statement shows its caller', async () => {
    const db = database(true);
    const runner = recordingRunner();
    await db.run(runner, 'RETURN 1');
    expect(runner.seen).toEqual([limit]);
    await db.driver.close();
  });
});
