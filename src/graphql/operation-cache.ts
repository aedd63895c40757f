import { getOperationAST, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { compileMeasure, type Limits, type MeasureProgram } from '../http/limits';

/** Tokens one document may hold before it is refused unparsed (a body of mostly tokens costs CPU). */
export const MAX_TOKENS = 50_000;

/** One operation of a cached document, and its limit walk (compiled when first needed). */
export interface CachedOperation {
  /** The text's document; undefined when it does not parse (Apollo refuses it with its own error). */
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  name: string | null;
  kind: 'read' | 'write';
  /** The compiled limit walk, for the schema it was compiled against. */
  measure?: { schema: GraphQLSchema; program: MeasureProgram };
  /** The operation compiled by graphql-jit (or INTERPRETED), for the schema it was compiled against. */
  executable?: { schema: GraphQLSchema; program: ExecutableProgram };
  /** The cache entry's key, so that a compiled walk counts in the cache's size bound. */
  readonly text: string;
}

interface CachedDocument {
  /** Undefined when the text does not parse (Apollo refuses it with its own error). */
  document: DocumentNode | undefined;
  /** By operation name ('' for none): a document may hold several, picked per request. */
  operations: Map<string, CachedOperation>;
  /** Estimated bytes held, for the cache's size bound. */
  bytes: number;
}

export interface OperationCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

/** Bytes a compiled step holds, roughly: what the cache's size bound counts it as. */
const STEP_BYTES = 96;

/** An operation graphql-jit refused to compile: it runs on graphql-js's execute. */
export const INTERPRETED = 'interpreted';
export type ExecutableProgram = CompiledQuery | typeof INTERPRETED;

/**
 * Every distinct operation document, parsed and its limit walk compiled once, keyed by the document's
 * text (least recently used first out, bounded in entries and in bytes). Apollo keeps its own store
 * of parsed and validated documents; this one serves what runs before Apollo (the rate limiter's
 * read/write buckets, a batch's summed budget, the access log) and the limit check itself, so that a
 * request repeats only what depends on its variables.
 */
export class OperationCache {
  private readonly cache: LRUCache<string, CachedDocument>;
  private hitCount = 0;
  private missCount = 0;

  constructor(maxEntries: number, maxBytes = 64 * 1024 * 1024) {
    this.cache = new LRUCache<string, CachedDocument>({
      max: Math.max(1, maxEntries),
      maxSize: maxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
    });
  }

  /** The document of `text` and its operation `operationName` (counted as a hit or a miss). */
  operation(text: string, operationName: string | null): CachedOperation {
    let entry = this.cache.get(text);
    if (entry) this.hitCount++;
    else {
      this.missCount++;
      entry = { document: parseOrUndefined(text), operations: new Map(), bytes: 2 * text.length + 1024 };
      this.cache.set(text, entry);
    }
    return operationOf(text, entry, operationName);
  }

  /**
   * The compiled limit walk of an operation that `operation()` returned, or of Apollo's document for
   * one this cache could not parse (past MAX_TOKENS: Apollo parses without that bound), not kept.
   */
  measureProgram(
    op: CachedOperation,
    schema: GraphQLSchema,
    limits: Pick<Limits, 'maxDepth' | 'maxCost'>,
    fallback?: { document: DocumentNode; operation: OperationDefinitionNode },
  ): MeasureProgram {
    if (op.measure?.schema === schema) return op.measure.program;
    if (!op.document || !op.operation) {
      if (!fallback) throw new Error(`no document to measure for operation ${op.name ?? '(anonymous)'}`);
      return compileMeasure(schema, fallback.document, fallback.operation, limits);
    }
    const program = compileMeasure(schema, op.document, op.operation, limits);
    op.measure = { schema, program };
    this.grow(op, program.steps.length * STEP_BYTES);
    return program;
  }

  /**
   * An operation that `operation()` returned, compiled once by graphql-jit (INTERPRETED when it
   * cannot be), or Apollo's document for one this cache could not parse, compiled and not kept.
   */
  executableProgram(
    op: CachedOperation,
    schema: GraphQLSchema,
    fallback: { document: DocumentNode; operationName: string | null },
  ): ExecutableProgram {
    if (op.executable?.schema === schema) return op.executable.program;
    const compile = (document: DocumentNode): ExecutableProgram => {
      const result = compileQuery(schema, document, op.name ?? undefined);
      return isCompiledQuery(result) ? result : INTERPRETED;
    };
    if (!op.document || !op.operation) return compile(fallback.document);
    const program = compile(op.document);
    op.executable = { schema, program };
    // Counted as its generated source, as a document is as its text.
    this.grow(op, program === INTERPRETED ? 0 : 2 * program.query.toString().length);
    return program;
  }

  /** Adds what an operation's compiled programs hold to its document's share of the size bound. */
  private grow(op: CachedOperation, bytes: number): void {
    const entry = this.cache.peek(op.text);
    if (!entry) return;
    entry.bytes += bytes;
    // Set again so that the size bound counts it.
    this.cache.set(op.text, entry);
  }

  /** The entry of `text` without counting a hit, for the steps after the first lookup of a request. */
  peek(text: string, operationName: string | null): CachedOperation | undefined {
    const entry = this.cache.peek(text);
    return entry ? operationOf(text, entry, operationName) : undefined;
  }

  stats(): OperationCacheStats {
    return { hits: this.hitCount, misses: this.missCount, entries: this.cache.size };
  }
}

function parseOrUndefined(text: string): DocumentNode | undefined {
  try {
    return parse(text, { maxTokens: MAX_TOKENS });
  } catch {
    return undefined;
  }
}

function operationOf(text: string, entry: CachedDocument, operationName: string | null): CachedOperation {
  const key = operationName ?? '';
  let op = entry.operations.get(key);
  if (!op) {
    const operation = entry.document
      ? (getOperationAST(entry.document, operationName) ?? undefined)
      : undefined;
    op = {
      text,
      document: entry.document,
      operation,
      name: operation?.name?.value ?? operationName,
      kind: operation?.operation === 'mutation' ? 'write' : 'read',
    };
    // Names the document does not hold are not kept: a client could send any number of them.
    if (operation) entry.operations.set(key, op);
  }
  return op;
}
