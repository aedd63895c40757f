/**
 * graphql-js and express read NODE_ENV once, when they load, and take an unset one for development:
 * graphql-js then tests every type check against a second copy of itself (`instanceOf`), which cost
 * 8–25 % of a deal page's execution CPU in measurements. To this service an unset NODE_ENV already
 * means production (config.ts), so the entry points import this module before anything that loads
 * those libraries (and after .env is read): an unset NODE_ENV becomes 'production' for them, and
 * NODE_ENV_DEFAULTED remembers that it was unset, for config.ts's defaults that follow only an
 * explicit value.
 */
import { NODE_ENV_DEFAULTED } from './config';

if (!process.env.NODE_ENV) {
  process.env.NODE_ENV = 'production';
  process.env[NODE_ENV_DEFAULTED] = '1';
}
