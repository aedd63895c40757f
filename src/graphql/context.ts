import { ANONYMOUS, requireWriter, type RequestAuth, type TokenSet } from '../auth/tokens';
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import { createLoaders, type Loaders } from './loaders';

/** Who is calling (src/auth): mutations ask `writer()` for the token name to record, or are refused. */
export interface AuthContext extends RequestAuth {
  writer(): string;
}

/** What every resolver receives; built fresh per request so loaders never leak between requests. */
export interface Context {
  db: Database;
  logger: Logger;
  loaders: Loaders;
  auth: AuthContext;
}

const NO_TOKENS: TokenSet = { write: null, read: null };

export function createContext(
  db: Database,
  /** The request's logger, or a function that makes it when first asked (most requests never log). */
  logger: Logger | (() => Logger),
  auth: RequestAuth = ANONYMOUS,
  tokens: TokenSet = NO_TOKENS,
): Context {
  const logOf = typeof logger === 'function' ? logger : () => logger;
  return {
    db,
    get logger() {
      return logOf();
    },
    loaders: createLoaders(db),
    auth: { ...auth, writer: () => requireWriter(tokens, auth) },
  };
}
