import neo4j, { Driver, ManagedTransaction, Result, Session, Transaction } from 'neo4j-driver';
import { ArmsgraphError, ErrorCode, isWriteConflict, translateDriverFailure } from '../errors';
import type { Logger } from '../logger';
import { toPlainList, toPlainRecord, type Plain } from './mapper';

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
  /**
   * Server-side timeout for every transaction (ms); the service also stops waiting after it (plus a
   * little for the server's own answer to arrive), so a hung database cannot hang a request.
   */
  timeoutMs: number;
}

/** How much longer than the server's transaction timeout the client waits for the server's own answer. */
const DEADLINE_GRACE_MS = 250;

/** A counting semaphore: at most `slots` calls of one request hold a database connection at once. */
class Gate {
  private waiting: Array<() => void> = [];

  constructor(private free: number) {}

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const timedOut = () =>
  new ArmsgraphError(
    ErrorCode.QUERY_TIMEOUT,
    'The graph database did not answer within the time the server allows; try again shortly.',
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long an unknown driver error waits to learn whether Neo4j still answers (see translate). */
const UNKNOWN_ERROR_PING_MS = 500;

/**
 * Closes a session whose work has already succeeded or failed: that outcome is the answer, so a
 * connection that breaks while being handed back to the pool (the driver drops it) must not replace
 * it with a raw driver error.
 */
const closeQuietly = (session: Session): Promise<void> => session.close().catch(() => undefined);

/**
 * neo4j-driver captures and formats a stack trace for every statement it runs (`new Error().stack` in
 * its Result's constructor), only to graft it onto the statement's error if there is one: the
 * synchronous part of a lookup's session.run took 138 µs with it and 43 µs without (medians, in-process,
 * load 10), against ~1.5 ms of CPU for a whole lookup request. Its errors never leave this class
 * as they are (translate makes them coded errors), so the capture is skipped: no stack frames are
 * recorded while the driver builds the Result, which it does synchronously. ARMSGRAPH_DEBUG_CYPHER keeps them.
 */
function withoutStackCapture<T>(run: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The data layer's only door to Neo4j: reads go through executeRead (routable to cluster followers),
 * writes through executeWrite; driver errors are translated here so callers see ArmsgraphError only.
 */
export class Database {
  constructor(
    readonly driver: Driver,
    private readonly opts: DatabaseOptions,
    /** Bounds one request's concurrent calls (forRequest); undefined for the service-wide database. */
    private readonly gate?: Gate,
    private readonly counter: { statements: number; writes: number } = { statements: 0, writes: 0 },
  ) {}

  /** Cypher statements sent since start (all requests): tests use it to prove a request costs a bounded number of round trips. */
  get statements(): number {
    return this.counter.statements;
  }

  /** Changes written since start (nodes, relationships, labels, properties): a re-import is measured by it. */
  get writes(): number {
    return this.counter.writes;
  }

  /**
   * The same database for one request, which may run at most `maxConcurrent` calls at once: a batch of
   * aliased heavy fields queues inside its own request instead of taking the whole connection pool
   * from every other client.
   */
  forRequest(maxConcurrent: number): Database {
    return new Database(this.driver, this.opts, new Gate(maxConcurrent), this.counter);
  }

  /**
   * Runs one database call inside the request's concurrency bound and the deadline: past it the caller
   * gets QUERY_TIMEOUT even when the database never answers (a stopped JVM keeps sockets open). The
   * time spent queueing behind the request's own calls counts, so no request waits longer than that.
   */
  private async bounded<T>(timeoutMs: number, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(timedOut());
      }, timeoutMs + DEADLINE_GRACE_MS);
    });
    const gate = this.gate;
    const work = async (): Promise<T> => {
      if (gate) await gate.acquire();
      // A call given up on keeps its slot until it settles, so the bound holds on connections too; one
      // still queued when its request gave up is not sent at all.
      try {
        if (expired) throw timedOut();
        return await call();
      } finally {
        gate?.release();
      }
    };
    const running = work();
    running.catch(() => undefined);
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private session(mode: 'READ' | 'WRITE', fetchSize?: number): Session {
    return this.driver.session({
      database: this.opts.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(fetchSize === undefined ? {} : { fetchSize }),
    });
  }

  private trace(cypher: string, params: Params): void {
    this.counter.statements++;
    if (this.opts.debugCypher) this.opts.logger.debug({ cypher, params }, 'cypher');
  }

  /**
   * Runs one parameterised read statement and returns plain rows. A single read needs no explicit
   * transaction: as an auto-commit query it costs one round trip (RUN and PULL in one write) where a
   * managed transaction costs three (BEGIN, RUN + PULL, COMMIT), which is most of a cheap query's time.
   * A read changes nothing, so a transient failure (a leader switch, the database restarting) is run
   * again as a managed read transaction, which the driver retries for up to maxTransactionRetryTime.
   */
  read(cypher: string, params: Params = {}, timeoutMs?: number): Promise<Row[]> {
    const timeout = timeoutMs ?? this.opts.timeoutMs;
    return this.bounded(timeout, async () => {
      try {
        return await this.autoCommit('READ', cypher, params, timeout);
      } catch (err) {
        if (!neo4j.isRetryableError(err)) throw await this.translate(err);
      }
      return this.transaction('READ', (tx) => this.run(tx, cypher, params), timeout);
    });
  }

  /** One statement as an auto-commit query in a session of its own: one round trip, no retry. */
  private async autoCommit(
    mode: 'READ' | 'WRITE',
    cypher: string,
    params: Params,
    timeout: number,
  ): Promise<Row[]> {
    const session = this.session(mode);
    try {
      return await this.run({ run: (c, p) => session.run(c, p, { timeout }) }, cypher, params);
    } finally {
      await closeQuietly(session);
    }
  }

  /** Runs one parameterised write statement in its own transaction and returns plain rows. */
  async write(cypher: string, params: Params = {}, timeoutMs?: number): Promise<Row[]> {
    return this.writeTx((tx) => this.run(tx, cypher, params), timeoutMs);
  }

  /**
   * Runs one write statement that commits its own transactions (`CALL { ... } IN TRANSACTIONS`), which
   * Neo4j runs only as an auto-commit query: one round trip for a whole pass over the graph. Not
   * retried: it may have committed some of its transactions before it failed.
   */
  async writeInTransactions(cypher: string, params: Params = {}, timeoutMs?: number): Promise<Row[]> {
    const timeout = timeoutMs ?? this.opts.timeoutMs;
    return this.bounded(timeout, async () => {
      try {
        return await this.autoCommit('WRITE', cypher, params, timeout);
      } catch (err) {
        throw await this.translate(err);
      }
    });
  }

  /** Runs a statement inside a transaction the caller manages (for multi-statement units of work). */
  async run(tx: Runner, cypher: string, params: Params = {}): Promise<Row[]> {
    this.trace(cypher, params);
    const result = await (this.opts.debugCypher
      ? tx.run(cypher, params)
      : withoutStackCapture(() => tx.run(cypher, params)));
    for (const n of Object.values(result.summary.counters.updates())) this.counter.writes += n;
    return result.records.map((r) => toPlainRecord(r.toObject()));
  }

  /** A read unit of work; a cluster may route it to a follower. */
  readTx<T>(work: (tx: ManagedTransaction) => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.unitOfWork('READ', work, timeoutMs);
  }

  /** One unit of work, committed whole or not at all (the driver retries it on transient errors). */
  writeTx<T>(work: (tx: ManagedTransaction) => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.unitOfWork('WRITE', work, timeoutMs);
  }

  private unitOfWork<T>(
    mode: 'READ' | 'WRITE',
    work: (tx: ManagedTransaction) => Promise<T>,
    timeoutMs?: number,
  ): Promise<T> {
    const timeout = timeoutMs ?? this.opts.timeoutMs;
    return this.bounded(timeout, () => this.transaction(mode, work, timeout));
  }

  /**
   * One managed transaction. The driver retries transient failures for its retry time; a write that
   * still collides with concurrent writes (a deadlock, a lock wait) is run again after a short random
   * pause until its time budget is spent, and only then reported, as CONFLICT_RETRY: Neo4j answered,
   * so it is never "database unavailable".
   */
  private async transaction<T>(
    mode: 'READ' | 'WRITE',
    work: (tx: ManagedTransaction) => Promise<T>,
    timeoutMs: number,
  ): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const session = this.session(mode);
      const config = { timeout: Math.max(1, until - Date.now()) };
      try {
        return await (mode === 'READ'
          ? session.executeRead(work, config)
          : session.executeWrite(work, config));
      } catch (err) {
        const pause = Math.random() * Math.min(500, 25 * 2 ** attempt);
        if (mode === 'WRITE' && isWriteConflict(err) && Date.now() + pause < until - 100) {
          await sleep(pause);
          continue;
        }
        throw await this.translate(err);
      } finally {
        await closeQuietly(session);
      }
    }
  }

  /** A driver error as the client's coded answer; an unknown one is judged by whether Neo4j answers a ping. */
  private translate(err: unknown): Promise<ArmsgraphError> {
    return translateDriverFailure(err, () => this.ping(UNKNOWN_ERROR_PING_MS));
  }
  /**
   * Takes the write locks of the given entities, in id order, before a write touches them: two writes
   * that share parties or systems then queue on the first shared node instead of each holding one and
   * waiting for the other (a deadlock). Call it first in a unit of work.
   */
  async lockEntities(tx: Runner, ids: readonly string[]): Promise<void> {
    const sorted = [...new Set(ids)].sort();
    if (sorted.length === 0) return;
    await this.run(
      tx,
      `UNWIND $ids AS id MATCH (n:Entity {id: id})
       WITH n ORDER BY n.id SET n.id = n.id`,
      { ids: sorted },
    );
  }

  /**
   * Streams read statements one after the other inside one read transaction, so an export's passes
   * (schema, nodes, edges) read one database. Each statement returns one column, a list; every
   * record's list reaches `onRow` as plain values (converted in place: no copy, no map). `statements`
   * is read lazily (and may wait: an async iterable), so a later statement may depend on the rows of
   * an earlier one (an export's key lists). The driver fetches `fetchSize` records a round trip and
   * hands each batch over synchronously as it is decoded (no promise per record, which the result's async iterator costs);
   * when `onRow` returns a promise (the sink is waiting for its reader) no further batch is asked for
   * until every such promise has settled, so memory stays flat at about one batch. A consumer that
   * throws, or a promise that rejects, cancels the stream, rolls the transaction back and closes the
   * session. Resolves to the database's state mark (stateMark) at the commit.
   */
  async streamRowsTx(
    statements: Iterable<Statement> | AsyncIterable<Statement>,
    timeoutMs: number,
    onRow: (statement: number, row: Plain[]) => void | Promise<void>,
    fetchSize = STREAM_FETCH_SIZE,
  ): Promise<string | null> {
    const session = this.session('READ', fetchSize);
    let tx: Transaction | undefined;
    try {
      tx = session.beginTransaction({ timeout: timeoutMs });
      let i = 0;
      for await (const s of statements) {
        this.trace(s.cypher, s.params);
        await streamRows(tx.run(s.cypher, s.params), (row) => onRow(i, row));
        i++;
      }
      await tx.commit();
      return stateMarkOf(session);
    } catch (err) {
      throw await this.translate(err);
    } finally {
      if (tx?.isOpen()) await tx.rollback().catch(() => undefined);
      await closeQuietly(session);
    }
  }

  /**
   * The database's state as an opaque mark: Neo4j's bookmark, which names the last transaction
   * committed (by any client: this service, an import run from the CLI). Two equal marks mean nothing
   * was committed between them, so what was read at one still holds at the other (the export's key
   * cache). Null when the server gives no bookmark: nothing may then be kept.
   */
  async stateMark(timeoutMs?: number): Promise<string | null> {
    return this.bounded(timeoutMs ?? this.opts.timeoutMs, async () => {
      const session = this.session('READ');
      try {
        this.trace('RETURN 1', {});
        await session.run('RETURN 1');
        return stateMarkOf(session);
      } catch (err) {
        throw await this.translate(err);
      } finally {
        await closeQuietly(session);
      }
    });
  }

  /**
   * True while Neo4j answers a trivial query within a short time. An auto-commit query, so the driver
   * does not retry it: a readiness probe must answer fast, not wait for the database to come back.
   */
  async ping(timeoutMs = 800): Promise<boolean> {
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

/** The bookmark a session's last transaction left (Database.stateMark), or null. */
function stateMarkOf(session: Session): string | null {
  const marks = session.lastBookmarks();
  return marks.length > 0 ? [...marks].sort().join(' ') : null;
}

type StreamControl = Awaited<ReturnType<Result['_subscribe']>>;

/**
 * Feeds every record of `result` (its first column, a list) to `onRow` as the driver decodes it. The
 * driver's own async iterator does the same pausing (its `_subscribe`, typed and public in
 * neo4j-driver-core's declarations, with pause/resume on the stream) but costs several promises per
 * record; here a promise is made only when the consumer has to wait. Records of a batch already
 * received still arrive while paused; they are handed on in order, and only the next fetch waits.
 */
function streamRows(result: Result, onRow: (row: Plain[]) => void | Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let control: StreamControl | undefined;
    let waiting = 0;
    let failed = false;
    let completed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      control?.cancel();
      // A paused stream would keep the cancel (and so the transaction's end) waiting: let it go on.
      control?.resume();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const settled = () => {
      if (failed) return;
      if (--waiting > 0) return;
      if (completed) resolve();
      else control?.resume();
    };
    result
      ._subscribe({
        onNext(record) {
          if (failed) return;
          let pending: void | Promise<void>;
          try {
            pending = onRow(toPlainList(record.get(0) as unknown[]));
          } catch (err) {
            fail(err);
            return;
          }
          if (!pending) return;
          if (waiting++ === 0) control?.pause();
          pending.then(settled, fail);
        },
        onCompleted() {
          completed = true;
          if (waiting === 0 && !failed) resolve();
        },
        onError: fail,
      })
      .then((c) => {
        control = c;
        if (waiting > 0) c.pause();
      }, fail);
  });
}
