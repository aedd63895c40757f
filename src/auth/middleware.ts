import { header, type PlainHandler, type PlainRequest } from '../http/plain';
import { authenticate, requireReader, type RequestAuth, type TokenSet } from './tokens';

/**
 * Reads the bearer token of every API request (GraphQL, exports) and, when ARMSGRAPH_READ_TOKEN is
 * set, refuses anonymous readers with UNAUTHENTICATED. Whether a request may write is decided per
 * mutation (src/graphql/resolvers/mutations.ts), from what this leaves on the request.
 */
export function authMiddleware(tokens: TokenSet): PlainHandler {
  return (req, _res, next) => {
    try {
      const auth = authenticate(tokens, header(req, 'authorization'));
      requireReader(tokens, auth);
      (req as PlainRequest & { armsgraphAuth?: RequestAuth }).armsgraphAuth = auth;
      next();
    } catch (err) {
      next(err);
    }
  };
}
