import { ArmsgraphError, ErrorCode, translateDriverError } from '../../src/errors';

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
