import { Neo4jError } from 'neo4j-driver';
import { ArmsgraphError, ErrorCode, translateDriverError, translateDriverFailure } from '../../src/errors';

describe('translateDriverError', () => {
  it.each([
    [{ code: 'ServiceUnavailable', message: 'Could not perform discovery' }, ErrorCode.DATABASE_UNAVAILABLE],
    [{ code: 'SessionExpired', message: 'gone' }, ErrorCode.DATABASE_UNAVAILABLE],
    [
      { code: 'Neo.ClientError.Schema.ConstraintValidationFailed', message: 'already exists' },
      ErrorCode.CONFLICT,
    ],
    [
      { code: 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration', message: 'x' },
      ErrorCode.QUERY_TIMEOUT,
    ],
    // As neo4j-driver hands them over: it reclassifies Terminated and LockClientStopped as ClientError.
    [
      { code: 'Neo.ClientError.Transaction.Terminated', message: 'Explicitly terminated by the user.' },
      ErrorCode.DATABASE_UNAVAILABLE,
    ],
    [
      { code: 'Neo.ClientError.Transaction.LockClientStopped', message: 'stopped' },
      ErrorCode.DATABASE_UNAVAILABLE,
    ],
    [
      { code: 'Neo.ClientError.Transaction.Terminated', message: 'terminated: transaction timeout' },
      ErrorCode.QUERY_TIMEOUT,
    ],
    [
      { code: 'Neo.TransientError.Transaction.Terminated', message: 'terminated' },
      ErrorCode.DATABASE_UNAVAILABLE,
    ],
    [
      { code: 'Neo.TransientError.Transaction.DeadlockDetected', message: 'deadlock' },
      ErrorCode.CONFLICT_RETRY,
    ],
    [
      { code: 'Neo.TransientError.Transaction.LockAcquisitionTimeout', message: 'lock wait' },
      ErrorCode.CONFLICT_RETRY,
    ],
    [
      {
        code: 'N/A',
        message: 'Connection acquisition timed out in 10000 ms. Pool status: Active conn count = 100',
      },
      ErrorCode.DATABASE_BUSY,
    ],
    [{ code: 'Neo.TransientError.General.OutOfMemoryError', message: 'heap' }, ErrorCode.DATABASE_BUSY],
    [
      {
        code: 'Neo.DatabaseError.Transaction.TransactionStartFailed',
        message: 'The database is shutting down.',
      },
      ErrorCode.DATABASE_UNAVAILABLE,
    ],
    // A connection torn as the JVM goes away: as neo4j-driver's channel and response handler word them.
    [
      { code: 'ProtocolError', message: 'Unknown packed value with marker 8f' },
      ErrorCode.DATABASE_UNAVAILABLE,
    ],
    [{ code: 'N/A', message: 'Ignored either because of an error or RESET' }, ErrorCode.DATABASE_UNAVAILABLE],
    [{ code: 'N/A', message: 'read ECONNRESET' }, ErrorCode.DATABASE_UNAVAILABLE],
    [
      { code: 'Neo.ClientError.Statement.SyntaxError', message: 'Invalid input' },
      ErrorCode.INTERNAL_SERVER_ERROR,
    ],
  ])('maps %p to %s', (driverError, code) => {
    const translated = translateDriverError(Object.assign(new Error(driverError.message), driverError));
    expect(translated).toBeInstanceOf(ArmsgraphError);
    expect(translated.extensions.code).toBe(code);
  });

  it('never copies a raw driver message (it can hold Cypher) into an internal error', () => {
    const translated = translateDriverError(
      Object.assign(new Error('Invalid input MATCH (secret)'), {
        code: 'Neo.ClientError.Statement.SyntaxError',
      }),
    );
    expect(translated.message).toBe('Internal error.');
  });

  it('passes our own errors through unchanged', () => {
    const own = new ArmsgraphError(ErrorCode.NOT_FOUND, 'no such country');
    expect(translateDriverError(own)).toBe(own);
    expect(own.httpStatus).toBe(404);
  });
});

describe('translateDriverFailure', () => {
  // As the driver builds them (its own newError is not exported).
  const newError = (message: string, code: string) =>
    new Neo4jError(message, code, '50N42', 'error: general processing exception');
  const unknown = () => newError('Kernel said something new', 'Neo.DatabaseError.General.UnknownError');

  it('calls an unknown driver error DATABASE_UNAVAILABLE while Neo4j does not answer, keeping the original', async () => {
    const err = unknown();
    const translated = await translateDriverFailure(err, async () => false);
    expect(translated.extensions.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    expect(translated.originalError).toBe(err);
  });

  it('keeps it internal while Neo4j answers: then it is a bug', async () => {
    const translated = await translateDriverFailure(unknown(), async () => true);
    expect(translated.extensions.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
  });

  it("asks nothing for an error it knows, or one that is not the driver's", async () => {
    let asked = 0;
    const answers = async () => {
      asked++;
      return false;
    };
    const known = await translateDriverFailure(newError('gone', 'SessionExpired'), answers);
    expect(known.extensions.code).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    const ours = await translateDriverFailure(new TypeError('x is undefined'), answers);
    expect(ours.extensions.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    expect(asked).toBe(0);
  });
});
