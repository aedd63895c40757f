import type { Statement } from '../db/database';
import type { Plain } from '../db/mapper';

/**
 * The rows of a selection's key passes (each property key with the value types it holds), kept for
 * as long as the database stays in the state they were read in. A key pass reads every property of
 * every node or edge of the selection, so GraphML, GEXF and the CSVs of a whole graph paid for it on
 * every export (45% of their db hits), although a graph that nothing has written to still has the
 * same keys.
 *
 * The state is Database.stateMark, Neo4j's bookmark: it changes with every commit, by this service or
 * by any other client (an import run from the CLI), so a write that adds a property makes the next
 * export read the keys again. Rows are kept only when the mark taken before the key passes is still
 * the mark at their transaction's commit: then no write came in between and they are exactly the keys
 * of that state. An entry is found by its statement (text and parameters): each selection has its own.
 */
export class KeyRowsCache {
  private mark: string | null = null;
  private readonly rows = new Map<string, Plain[][]>();

  constructor(private readonly maxEntries = 64) {}

  /** The rows of `statement` read in state `mark`, if kept. */
  get(mark: string | null, statement: Statement): Plain[][] | undefined {
    if (mark === null || mark !== this.mark) return undefined;
    return this.rows.get(entryKey(statement));
  }

  /** Keeps the rows of `statement`, read in state `mark`; a new mark drops every other state's rows. */
  set(mark: string | null, statement: Statement, rows: Plain[][]): void {
    if (mark === null) return;
    if (mark !== this.mark) {
      this.mark = mark;
      this.rows.clear();
    }
    const key = entryKey(statement);
    if (!this.rows.has(key) && this.rows.size >= this.maxEntries) {
      // The oldest entry goes (a Map iterates in insertion order).
      const oldest = this.rows.keys().next().value;
      if (oldest !== undefined) this.rows.delete(oldest);
    }
    this.rows.set(key, rows);
  }
}

const entryKey = (s: Statement) => `${s.cypher}\u0000${JSON.stringify(s.params)}`;

/** The service's cache: every export of this process reads and fills it. */
export const keyRowsCache = new KeyRowsCache();
