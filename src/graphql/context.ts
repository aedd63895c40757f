import type { Database } from '../db/database';
import type { Logger } from '../logger';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives; built fresh per request so loaders never leak between requests. */
export interface Context {
  db: Database;
  logger: Logger;
  loaders: Loaders;
}

export function createContext(db: Database, logger: Logger): Context {
  return { db, logger, loaders: createLoaders(db) };
}
