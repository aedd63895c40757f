import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './project-root';

/** Everything the service reads from the environment, read once, so no module reads process.env on its own and a test can pass a whole configuration. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  logLevel: string;
  /** LOG_LEVEL as the command-line tool reads it: by default it speaks only of problems (warn). */
  cliLogLevel: string;
  /** The package's version (package.json), as `armsgraph --version` and Query.version give it. */
  version: string;
  /** Logs every Cypher statement with its parameters at debug level. */
  debugCypher: boolean;
  /**
   * GraphQL introspection and "Did you mean" suggestions (ARMSGRAPH_INTROSPECTION): on for the local
   * analyst tool, off by default under NODE_ENV=production. The bundled IDE works either way: it reads
   * the schema from /graphiql/schema.json.
   */
  introspection: boolean;
  neo4j: {
    /** Set: connect to that Neo4j (bolt://, neo4j://, neo4j+s://) and start nothing locally. */
    uri: string | undefined;
    username: string;
    password: string | undefined;
    database: string | undefined;
    /** Timeout of every transaction the service opens (Neo4j stops it; the service stops waiting). */
    queryTimeoutMs: number;
    /** How long the driver retries a transaction on transient errors before giving up. */
    retryTimeMs: number;
  };
  embedded: {
    boltPort: number;
    dataDir: string;
    heap: string;
    pageCache: string;
    java: string;
    startTimeoutMs: number;
  };
  auth: {
    writeToken: string | undefined;
    readToken: string | undefined;
  };
  /** Abuse limits (src/http/limits.ts); each refusal carries its own code. */
  limits: {
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxBatch: number;
    bodyLimitBytes: number;
    /** Database calls one HTTP request may run at once (its aliases and batch operations queue behind). */
    requestConcurrency: number;
    /** Operations per client (token, else address) per window, reads and writes counted apart; 0: off. */
    rateLimit: number;
    rateWindowMs: number;
    /** Distinct operation documents kept parsed, with their limit walk compiled (least recently used out). */
    operationCacheEntries: number;
  };
}

let version: string | undefined;

/** The version package.json states (read once): for `--version`, which must work without a valid environment. */
export function packageVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as {
      version?: string;
    };
    version = pkg.version ?? 'unknown';
  }
  return version;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Set (to '1') by node-env.ts when NODE_ENV was unset and it set it to production for the libraries. */
export const NODE_ENV_DEFAULTED = 'ARMSGRAPH_NODE_ENV_DEFAULTED';

function int(env: Env, key: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function size(env: Env, key: string, fallback: string): string {
  const raw = env[key] ?? fallback;
  if (!/^\d+[kmg]?$/i.test(raw))
    throw new ConfigError(`${key} must be a size such as 512m or 2g, got "${raw}"`);
  return raw.toLowerCase();
}

function flag(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|on|yes)$/i.test(raw)) return true;
  if (/^(0|false|off|no)$/i.test(raw)) return false;
  throw new ConfigError(`${key} must be true or false, got "${raw}"`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/** NODE_ENV=production as the user set it, not as node-env.ts set an unset one for the libraries. */
function explicitProduction(env: Env): boolean {
  return env.NODE_ENV === 'production' && env[NODE_ENV_DEFAULTED] !== '1';
}

export function loadConfig(env: Env = process.env): Config {
  // Development (stack traces in GraphQL errors) only when asked for: an unset NODE_ENV is production.
  const mode =
    env.NODE_ENV === 'development' ? 'development' : env.NODE_ENV === 'test' ? 'test' : 'production';
  const uri = nonEmpty(env.NEO4J_URI);
  if (uri !== undefined && !/^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(uri)) {
    throw new ConfigError(
      `NEO4J_URI must start with bolt://, neo4j://, neo4j+s:// or bolt+s://, got "${uri}"`,
    );
  }
  return {
    env: mode,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    logLevel: env.LOG_LEVEL ?? (mode === 'test' ? 'silent' : 'info'),
    cliLogLevel: env.LOG_LEVEL ?? 'warn',
    version: packageVersion(),
    debugCypher: env.ARMSGRAPH_DEBUG_CYPHER === '1' || env.ARMSGRAPH_DEBUG_CYPHER === 'true',
    // An unset NODE_ENV is production for stack traces, but the local analyst tool keeps its schema
    // browsable: only an explicit NODE_ENV=production turns introspection off by default.
    introspection: flag(env, 'ARMSGRAPH_INTROSPECTION', !explicitProduction(env)),
    neo4j: {
      uri,
      username: env.NEO4J_USERNAME ?? 'neo4j',
      password: nonEmpty(env.NEO4J_PASSWORD),
      database: nonEmpty(env.NEO4J_DATABASE),
      queryTimeoutMs: int(env, 'ARMSGRAPH_QUERY_TIMEOUT_MS', 10_000, 100),
      retryTimeMs: int(env, 'ARMSGRAPH_RETRY_TIME_MS', 3_000, 0),
    },
    embedded: {
      boltPort: int(env, 'NEO4J_LOCAL_BOLT_PORT', 7687, 1, 65535),
      dataDir: path.resolve(nonEmpty(env.NEO4J_LOCAL_DATA_DIR) ?? path.join(projectRoot(), '.neo4j', 'data')),
      heap: size(env, 'NEO4J_LOCAL_HEAP', '2g'),
      pageCache: size(env, 'NEO4J_LOCAL_PAGECACHE', '2g'),
      java: nonEmpty(env.NEO4J_LOCAL_JAVA) ?? 'java',
      startTimeoutMs: int(env, 'NEO4J_LOCAL_START_TIMEOUT_MS', 180_000, 1000),
    },
    auth: {
      writeToken: nonEmpty(env.ARMSGRAPH_WRITE_TOKEN),
      readToken: nonEmpty(env.ARMSGRAPH_READ_TOKEN),
    },
    limits: {
      maxDepth: int(env, 'ARMSGRAPH_MAX_DEPTH', 12, 1, 100),
      maxCost: int(env, 'ARMSGRAPH_MAX_COST', 20_000, 1),
      maxAliases: int(env, 'ARMSGRAPH_MAX_ALIASES', 30, 0),
      maxBatch: int(env, 'ARMSGRAPH_MAX_BATCH', 10, 1, 1000),
      bodyLimitBytes: int(env, 'ARMSGRAPH_BODY_LIMIT_BYTES', 1_000_000, 1024),
      requestConcurrency: int(env, 'ARMSGRAPH_REQUEST_CONCURRENCY', 4, 1, 100),
      rateLimit: int(env, 'ARMSGRAPH_RATE_LIMIT', 1200, 0),
      rateWindowMs: int(env, 'ARMSGRAPH_RATE_WINDOW_MS', 60_000, 1000),
      operationCacheEntries: int(env, 'ARMSGRAPH_OPERATION_CACHE', 1000, 1, 1_000_000),
    },
  };
}
