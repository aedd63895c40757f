import neo4j, { Driver, ManagedTransaction, Session, Transaction } from 'neo4j-driver';
import { translateDriverError } from '../errors';
import type { Logger } from '../logger';
import { toPlainList, toPlainObject, type Plain } from './mapper';

export type Row = { [key: string]: Plain };
/** What a statement runs on: a managed transaction, or a single auto-commit read (Database.read). */
export type Runner = Pick<ManagedTransaction, 'run'>;
export type Params = Record<string, unknown>;
export interface Statement {
  cypher: string;
  params: Params;
}

/**
 * Records a streamed read fetches per round trip (the driver's default). 10,000 measured no faster on
 * the export benchmark (the driver already asks for the next batch while this one is consumed) and
 * holds ten times the records in the driver's buffer, where a paused export keeps them.
 */
export const STREAM_FETCH_SIZE = 1000;

export interface DatabaseOptions {
  database: string | undefined;
  logger: Logger;
  debugCypher: boolean;
  /** Server-side timeout for every transaction (ms). */
  timeoutMs: number;
}

/**
 * The data layer's only door to Neo4j: reads go through executeRead (routable to cluster followers),
 * writes through executeWrite; driver errors are translated here so callers see ArmsgraphError only.
 */
export class Database {
  /** Cypher statements sent since start: tests use it to prove a request costs a bounded number of round trips. */
  statements = 0;
  /** Changes written since start (nodes, relationships, labels, properties): a re-import is measured by it. */
  writes = 0;

  constructor(
    readonly driver: Driver,
    private readonly opts: DatabaseOptions,
  ) {}

  private session(mode: 'READ' | 'WRITE', fetchSize?: number): Session {
    return this.driver.session({
      database: this.opts.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(fetchSize === undefined ? {} : { fetchSize }),
    });
  }

  private trace(cypher: string, params: Params): void {
    this.statements++;
    if (this.opts.debugCypher) this.opts.logger.debug({ cypher, params }, 'cypher');
  }

  /**
   * Runs one parameterised read statement and returns plain rows. A single read needs no explicit
   * transaction: as an auto-commit query it costs one round trip (RUN and PULL in one write) where a
   * managed transaction costs three (BEGIN, RUN + PULL, COMMIT), which is most of a cheap query's time.
   * A read changes nothing, so a transient failure (a leader switch, the database restarting) is run
   * again as a managed read transaction, which the driver retries for up to maxTransactionRetryTime.
   */
  async read(cypher: string, params: Params = {}, timeoutMs?: number): Promise<Row[]> {
    const session = this.session('READ');
    const config = { timeout: timeoutMs ?? this.opts.timeoutMs };
    try {
      return await this.run({ run: (c, p) => session.run(c, p, config) }, cypher, params);
    } catch (err) {
      if (!neo4j.isRetryableError(err)) throw translateDriverError(err);
    } finally {
      await session.close();
    }
    return this.readTx((tx) => this.run(tx, cypher, params), timeoutMs);
  }

  /** Runs one parameterised write statement in its own transaction and returns plain rows. */
  async write(cypher: string, params: Params = {}, timeoutMs?: number): Promise<Row[]> {
    return this.writeTx((tx) => this.run(tx, cypher, params), timeoutMs);
  }

  /** Runs a statement inside a transaction the caller manages (for multi-statement units of work). */
  async run(tx: Runner, cypher: string, params: Params = {}): Promise<Row[]> {
    this.trace(cypher, params);
    const result = await tx.run(cypher, params);
    for (const n of Object.values(result.summary.counters.updates())) this.writes += n;
    return result.records.map((r) => toPlainObject(r.toObject()));
  }

  /** A read unit of work; a cluster may route it to a follower. */
  readTx<T>(work: (tx: ManagedTransaction) => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.unitOfWork('READ', work, timeoutMs);
  }

  /** One unit of work, committed whole or not at all (the driver retries it on transient errors). */
  writeTx<T>(work: (tx: ManagedTransaction) => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.unitOfWork('WRITE', work, timeoutMs);
  }

  private async unitOfWork<T>(
    mode: 'READ' | 'WRITE',
    work: (tx: ManagedTransaction) => Promise<T>,
    timeoutMs?: number,
  ): Promise<T> {
    const session = this.session(mode);
    const config = { timeout: timeoutMs ?? this.opts.timeoutMs };
    try {
      return await (mode === 'READ' ? session.executeRead(work, config) : session.executeWrite(work, config));
    } catch (err) {
      throw translateDriverError(err);
    } finally {
      await session.close();
    }
  }

  /**
   * Streams read statements one after the other inside one read transaction, so an export's passes
   * (schema, nodes, edges) read one database. Each statement returns one column, a list; every
   * record's list reaches `onRow` as plain values (converted in place: no copy, no map). `statements`
   * is read lazily, so a later statement may depend on the rows of an earlier one (an export's key
   * lists). Records are pulled as the consumer asks for them: the driver fetches `fetchSize` records a
   * round trip and stops while its buffer is full, and when `onRow` returns a promise (the sink is
   * waiting for its reader) nothing more is read until it settles, so memory stays flat. A consumer
   * that throws rolls the transaction back and closes the session.
   */
  async streamRowsTx(
    statements: Iterable<Statement>,
    timeoutMs: number,
    onRow: (statement: number, row: Plain[]) => void | Promise<void>,
    fetchSize = STREAM_FETCH_SIZE,
  ): Promise<void> {
    const session = this.session('READ', fetchSize);
    let tx: Transaction | undefined;
    try {
      tx = session.beginTransaction({ timeout: timeoutMs });
      let i = 0;
      for (const s of statements) {
        this.trace(s.cypher, s.params);
        for await (const record of tx.run(s.cypher, s.params)) {
          const pending = onRow(i, toPlainList(record.get(0) as unknown[]));
          if (pending) await pending;
        }
        i++;
      }
      await tx.commit();
    } catch (err) {
      throw translateDriverError(err);
    } finally {
      if (tx?.isOpen()) await tx.rollback().catch(() => undefined);
      await session.close();
    }
  }

  /**
   * True while Neo4j answers a trivial query within a short time. An auto-commit query, so the driver
   * does not retry it: a readiness probe must answer fast, not wait for the database to come back.
   */
  async ping(timeoutMs = 2000): Promise<boolean> {
    const session = this.session('READ');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      const answer = session.run('RETURN 1', {}, { timeout: timeoutMs }).then(
        () => true,
        () => false,
      );
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
      void session.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
