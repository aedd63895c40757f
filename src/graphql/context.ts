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
  logger: Logger,
  auth: RequestAuth = ANONYMOUS,
  tokens: TokenSet = NO_TOKENS,
): Context {
  return {
    db,
    logger,
    loaders: createLoaders(db),
    auth: { ...auth, writer: () => requireWriter(tokens, auth) },
  };
}
