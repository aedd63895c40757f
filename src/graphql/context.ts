import type { Database } from '../db/database';
import type { Logger } from '../logger';

/** What every resolver receives; built fresh per request so loaders never leak between requests. */
export interface Context {
  db: Database;
  logger: Logger;
}
