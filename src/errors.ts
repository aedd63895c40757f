import { GraphQLError } from 'graphql';
import { Neo4jError } from 'neo4j-driver';

/** Every error a client can see carries one of these in `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** Neo4j answers but is saturated (no free connection in time, or a transient failure): retry. */
  DATABASE_BUSY: 'DATABASE_BUSY',
  /** A write kept colliding with concurrent writes (deadlocks) for its whole time budget: retry. */
  CONFLICT_RETRY: 'CONFLICT_RETRY',
  QUERY_TIMEOUT: 'QUERY_TIMEOUT',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatus: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  DATABASE_UNAVAILABLE: 503,
  DATABASE_BUSY: 503,
  CONFLICT_RETRY: 409,
  QUERY_TIMEOUT: 504,
  QUERY_TOO_COMPLEX: 400,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_SERVER_ERROR: 500,
};

/** The one error class of armsgraph: resolvers, the data layer, the CLI and the HTTP routes throw it. */
export class ArmsgraphError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    originalError?: Error,
  ) {
    // originalError stays server-side (logged), never in the response.
    super(message, { extensions: { code, ...details }, ...(originalError ? { originalError } : {}) });
    this.code = code;
    this.name = 'ArmsgraphError';
  }

  get httpStatus(): number {
    return httpStatus[this.code];
  }

  /** Seconds a client should wait before retrying, for the codes that mean "try again"; else undefined. */
  get retryAfterSeconds(): number | undefined {
    return RETRY_AFTER_SECONDS[this.code];
  }
}

/** Codes that say "the same request may succeed shortly", with the wait the HTTP routes advertise. */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = {
  DATABASE_UNAVAILABLE: 5,
  DATABASE_BUSY: 1,
  CONFLICT_RETRY: 1,
  QUERY_TIMEOUT: 5,
};

/** True for a deadlock or lock-wait failure: the same write, run again, normally succeeds. */
export function isWriteConflict(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return /^Neo\.TransientError\.Transaction\.(DeadlockDetected|LockAcquisitionTimeout|Outdated|ConstraintsChanged)$/.test(
    code,
  );
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new ArmsgraphError(ErrorCode.BAD_USER_INPUT, message, details);
export const notFound = (message: string, details?: Record<string, unknown>) =>
  new ArmsgraphError(ErrorCode.NOT_FOUND, message, details);

/** Neo4j status codes → our codes. Anything unknown stays internal and is logged, never shown. */
export function translateDriverError(err: unknown): ArmsgraphError {
  if (err instanceof ArmsgraphError) return err;
  const e = err as { code?: string; message?: string; name?: string };
  const code = e.code ?? '';
  if (
    code === 'ServiceUnavailable' ||
    code === 'SessionExpired' ||
    code.startsWith('Neo.TransientError.General.DatabaseUnavailable') ||
    code === 'Neo.ClientError.Database.DatabaseNotFound' ||
    // A connection torn mid-exchange: bytes that are no Bolt message (ProtocolError), or answers
    // IGNORED with no failure before them (the server reset the connection as it went away).
    code === 'ProtocolError' ||
    /ECONNREFUSED|ECONNRESET|EPIPE|connect ETIMEDOUT|Pool is closed|Connection was closed|Connection lost|Ignored either because of an error or RESET/i.test(
      e.message ?? '',
    )
  ) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The graph database is not reachable right now; try again shortly.',
    );
  }
  if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
    return new ArmsgraphError(
      ErrorCode.CONFLICT,
      'That change conflicts with an existing entity (an id or key is already taken).',
    );
  }
  // A transaction stopped by Neo4j itself (shutting down, or killed) is the database going away, not a
  // timeout, unless Neo4j says the timeout stopped it.
  // neo4j-driver reclassifies these two as ClientError (Neo4j 5 does too): both spellings are the same stop.
  const stopped = /^Neo\.(Transient|Client)Error\.Transaction\.(LockClientStopped|Terminated)$/.test(code);
  if (stopped && !/timeout|timed out/i.test(e.message ?? '')) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The graph database stopped the transaction (it is shutting down or restarting); try again shortly.',
    );
  }
  if (code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut') || stopped) {
    return new ArmsgraphError(
      ErrorCode.QUERY_TIMEOUT,
      'The query took longer than the server allows and was stopped.',
    );
  }
  if (isWriteConflict(err)) {
    return new ArmsgraphError(
      ErrorCode.CONFLICT_RETRY,
      'The change kept colliding with concurrent changes to the same entities; send it again.',
      {},
      asError(err),
    );
  }
  // The driver found no free connection in time: Neo4j answers, the service is saturated.
  if (/Connection acquisition timed out/i.test(e.message ?? '')) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_BUSY,
      'The service is busy (every database connection is in use); try again shortly.',
      {},
      asError(err),
    );
  }
  // A failure Neo4j explains by shutting down is the database going away.
  if (/shut(ting)? ?down|is unavailable/i.test(e.message ?? '')) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The graph database is restarting; try again shortly.',
      {},
      asError(err),
    );
  }
  // Anything else Neo4j calls transient (retried by the driver until its retry time ran out): Neo4j
  // answered, so it is busy, not down.
  if (code.startsWith('Neo.TransientError.')) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_BUSY,
      'The graph database is busy; try again shortly.',
      {},
      asError(err),
    );
  }
  if (
    code === 'Neo.ClientError.Security.Unauthorized' ||
    code === 'Neo.ClientError.Security.AuthenticationRateLimit'
  ) {
    return new ArmsgraphError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The service could not authenticate to the graph database.',
    );
  }
  // Unknown: the original error rides along (never shown) so the error formatter can log it once.
  return new ArmsgraphError(
    ErrorCode.INTERNAL_SERVER_ERROR,
    'Internal error.',
    { cause: code || e.name || 'unknown' },
    asError(err),
  );
}

/**
 * translateDriverError for a failure the caller can still look into: a driver error the translation
 * does not know, raised while Neo4j does not answer `answers` (a ping) either, is the database going
 * away (a JVM stopping or stopped can fail a request in ways that have no code of their own), so
 * DATABASE_UNAVAILABLE, the original kept for the log. While Neo4j answers, an unknown error stays
 * internal: a bug, logged once.
 */
export async function translateDriverFailure(
  err: unknown,
  answers: () => Promise<boolean>,
): Promise<ArmsgraphError> {
  const coded = translateDriverError(err);
  if (coded.code !== ErrorCode.INTERNAL_SERVER_ERROR || !(err instanceof Neo4jError)) return coded;
  if (await answers()) return coded;
  return new ArmsgraphError(
    ErrorCode.DATABASE_UNAVAILABLE,
    'The graph database is not reachable right now; try again shortly.',
    {},
    err,
  );
}

const asError = (err: unknown): Error | undefined => (err instanceof Error ? err : undefined);
