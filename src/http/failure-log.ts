import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArmsgraphError, ErrorCode } from '../errors';
import type { Context } from '../graphql/context';

/**
 * Logs each failed operation's server-side errors once, on the request's logger (so with its request
 * id): an internal error with its original cause at error level, a retryable one (database busy,
 * unavailable, timed out, a write conflict) at warn. Client mistakes (bad input, not found, limits)
 * are the client's to read and are not logged. One line per distinct code and message, so thirty
 * aliases failing the same way log once.
 */
export function logFailures(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          const seen = new Set<string>();
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const coded = original instanceof ArmsgraphError ? original : undefined;
            const code = coded?.code ?? error.extensions.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
            const internal = code === ErrorCode.INTERNAL_SERVER_ERROR;
            if (!internal && coded?.retryAfterSeconds === undefined) continue;
            const key = `${String(code)}\u0000${error.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const cause = coded ? (coded.originalError ?? undefined) : original;
            const fields = { code, operation: operationName ?? null, path: error.path, err: cause };
            if (internal) contextValue.logger.error(fields, 'unexpected error in a resolver');
            else contextValue.logger.warn(fields, 'operation failed; the client may retry');
          }
        },
      };
    },
  };
}
