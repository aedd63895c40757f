import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import neo4j from 'neo4j-driver';
import { ConfigError } from '../config';
import type { Logger } from '../logger';
import { projectRoot } from '../project-root';

export interface EmbeddedOptions {
  dataDir: string;
  /**
   * An arguments file for Neo4j's offline importer (src/import/bulk-csv.ts): the launcher imports it
   * into the data folder, replacing the database, before it starts Neo4j. Only for a folder no other
   * process has open (embeddedInUse), and only with a database the caller found empty.
   */
  bulkImport?: string;
  /**
   * The JVM serves one command and stops with it (an import the CLI starts Neo4j for): its code is
   * compiled by the JIT's first tier only. Most of such a JVM's CPU goes to compiling, not to the
   * work: a first load of the real register spent 30 s compiling of 43 s of JVM CPU (bulk), the
   * batches 72 s of 79 s, in JFR recordings; with the first tier only, the JVM's CPU was 0.78x
   * (bulk) and 0.56x (batches). A service's JVM, which runs for hours, keeps both tiers.
   */
  shortLived?: boolean;
  boltPort: number;
  heap: string;
  pageCache: string;
  java: string;
  startTimeoutMs: number;
  logger: Logger;
}

export interface Neo4jConnection {
  uri: string;
  username: string;
  password: string;
}

/** The Neo4j this process uses when NEO4J_URI is unset: started by us, or by another armsgraph process. */
export interface EmbeddedNeo4j {
  connection: Neo4jConnection;
  /** True when this process started the JVM (and so stops it). */
  owned: boolean;
  pid: number;
  /** Resolves when the JVM exits for a reason other than stop() (a crash, a kill); never for owned=false. */
  crashed: Promise<number | null>;
  stop(): Promise<void>;
}

interface StateFile {
  pid: number;
  boltPort: number;
  startedAt: string;
}

const STATE_FILE = 'armsgraph-neo4j.json';
const PASSWORD_FILE = 'auth-password';

export function launcherPaths(): { jar: string; lib: string } {
  const target = path.join(projectRoot(), 'neo4j', 'target');
  return { jar: path.join(target, 'armsgraph-neo4j.jar'), lib: path.join(target, 'lib') };
}

/** Reads the generated password, creating it (owner-only) on first use. */
export function ensurePassword(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, PASSWORD_FILE);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * The Neo4j JVM's environment: ours without the service's secrets (API tokens, the Neo4j password of a
 * remote database, anything named like a secret), which the database has no use for and which would
 * otherwise be readable in /proc/<pid>/environ by whoever can read the JVM's.
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (/TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY/i.test(key)) continue;
    out[key] = value;
  }
  return out;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readState(dataDir: string): StateFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, STATE_FILE), 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function boltAnswers(connection: Neo4jConnection): Promise<boolean> {
  const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.username, connection.password), {
    connectionTimeout: 2000,
    logging: { level: 'error', logger: () => undefined },
  });
  try {
    await driver.getServerInfo();
    return true;
  } catch {
    return false;
  } finally {
    await driver.close();
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return false;
}

function connectionFor(port: number, password: string): Neo4jConnection {
  return { uri: `bolt://127.0.0.1:${port}`, username: 'neo4j', password };
}

/** The process that runs the embedded Neo4j on this data folder, if one does. */
export function embeddedInUse(dataDir: string): { pid: number } | undefined {
  const state = readState(dataDir);
  return state && isAlive(state.pid) ? { pid: state.pid } : undefined;
}

/** Whether the data folder holds a database yet (a folder never started holds none: it is empty). */
export function embeddedStoreExists(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'data', 'databases', 'neo4j'));
}

/**
 * Starts the embedded Neo4j, or joins the one another armsgraph process (the CLI or the service)
 * already runs on this data folder: two JVMs never open one store.
 */
export async function ensureEmbeddedNeo4j(opts: EmbeddedOptions): Promise<EmbeddedNeo4j> {
  const password = ensurePassword(opts.dataDir);
  const state = readState(opts.dataDir);
  if (state && isAlive(state.pid)) {
    const connection = connectionFor(state.boltPort, password);
    // The other process may still be starting it: give it the same time we would take.
    if (await waitFor(() => boltAnswers(connection), opts.startTimeoutMs, 500)) {
      opts.logger.info(
        { pid: state.pid, uri: connection.uri },
        'using the embedded Neo4j another armsgraph process runs',
      );
      return {
        connection,
        owned: false,
        pid: state.pid,
        crashed: new Promise(() => undefined),
        stop: async () => undefined,
      };
    }
    throw new ConfigError(
      `Another process (pid ${state.pid}) holds the Neo4j data folder ${opts.dataDir} but Bolt does not answer; ` +
        `stop that process or remove ${path.join(opts.dataDir, STATE_FILE)} if it is not a Neo4j.`,
    );
  }
  return startEmbeddedNeo4j(opts, password);
}

/** The JVM's own options for the launcher (before its class path). */
export function jvmFlags(opts: Pick<EmbeddedOptions, 'heap' | 'shortLived'>): string[] {
  return [
    `-Xms${opts.heap}`,
    `-Xmx${opts.heap}`,
    '-XX:+UseG1GC',
    ...(opts.shortLived ? ['-XX:TieredStopAtLevel=1'] : []),
    '-XX:+ExitOnOutOfMemoryError',
    '-Dfile.encoding=UTF-8',
    '-Dlog4j2.disable.jmx=true',
    // The flags Neo4j's own start script passes on Java 17.
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
  ];
}

export async function startEmbeddedNeo4j(
  opts: EmbeddedOptions,
  password = ensurePassword(opts.dataDir),
): Promise<EmbeddedNeo4j> {
  const { jar, lib } = launcherPaths();
  if (!fs.existsSync(jar) || !fs.existsSync(lib)) {
    throw new ConfigError(
      'The embedded Neo4j is not installed (neo4j/target is missing). Run `npm install`: it fetches Neo4j from Maven Central. ' +
        'Or set NEO4J_URI to use an existing Neo4j.',
    );
  }
  if (!(await portIsFree(opts.boltPort))) {
    throw new ConfigError(
      `Port ${opts.boltPort} on 127.0.0.1 is already in use, so the embedded Neo4j cannot listen there. ` +
        'Set NEO4J_LOCAL_BOLT_PORT to a free port, or NEO4J_URI to use the Neo4j that is listening.',
    );
  }
  const logDir = path.join(opts.dataDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.createWriteStream(path.join(logDir, 'armsgraph-launcher.log'), { flags: 'a' });
  // A log that cannot be written (its folder removed, a full disk) must not crash the service.
  log.on('error', () => undefined);

  const args = [
    ...jvmFlags(opts),
    '-cp',
    `${jar}${path.delimiter}${path.join(lib, '*')}`,
    'armsgraph.Launcher',
    '--data-dir',
    opts.dataDir,
    '--bolt-port',
    String(opts.boltPort),
    '--password-file',
    path.join(opts.dataDir, PASSWORD_FILE),
    '--page-cache',
    opts.pageCache,
    ...(opts.bulkImport ? ['--bulk-import', opts.bulkImport] : []),
  ];

  const started = Date.now();
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(opts.java, args, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(process.env) });
  } catch (err) {
    throw new ConfigError(
      `Could not run java (${(err as Error).message}). Install a JDK 17 or set NEO4J_LOCAL_JAVA.`,
    );
  }
  child.stderr.pipe(log, { end: false });

  const outcome = await new Promise<{ ok: true } | { ok: false; message: string }>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    // The start time is counted from the end of a bulk import: an import takes as long as its rows.
    const startClock = () => {
      timer = setTimeout(
        () =>
          resolve({
            ok: false,
            message: `Neo4j did not start within ${opts.startTimeoutMs} ms (see ${logDir})`,
          }),
        opts.startTimeoutMs,
      );
    };
    if (!opts.bulkImport) startClock();
    const finish = (r: { ok: true } | { ok: false; message: string }) => {
      clearTimeout(timer);
      resolve(r);
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      finish({
        ok: false,
        message:
          err.code === 'ENOENT'
            ? `java was not found ("${opts.java}"). Install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) or set NEO4J_LOCAL_JAVA.`
            : `Could not run java: ${err.message}`,
      }),
    );
    child.once('exit', (code) =>
      finish({ ok: false, message: `Neo4j exited during start-up (code ${code}); see ${logDir}` }),
    );
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      log.write(line + '\n');
      if (line.startsWith('ARMSGRAPH_NEO4J_READY')) finish({ ok: true });
      else if (line.startsWith('ARMSGRAPH_NEO4J_IMPORTED')) startClock();
      else if (line.startsWith('ARMSGRAPH_NEO4J_ERROR')) finish({ ok: false, message: line.slice(22) });
    });
  });

  if (!outcome.ok) {
    child.kill('SIGKILL');
    log.end();
    throw new ConfigError(`The embedded Neo4j did not start: ${outcome.message}`);
  }
  const pid = child.pid ?? -1;
  const stateFile = path.join(opts.dataDir, STATE_FILE);
  const state: StateFile = { pid, boltPort: opts.boltPort, startedAt: new Date().toISOString() };
  // Written whole, then renamed into place: another process (the CLI, a test) reading it meanwhile sees
  // the old state or the new one, never an empty file.
  const partial = `${stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(state), { mode: 0o600 });
  fs.renameSync(partial, stateFile);
  opts.logger.info(
    { pid, port: opts.boltPort, ms: Date.now() - started, dataDir: opts.dataDir },
    'embedded Neo4j started',
  );

  let stopping: Promise<void> | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const crashed = new Promise<number | null>((resolve) => {
    void exited.then((code) => {
      if (!stopping) resolve(code);
    });
  });
  const stop = () => {
    stopping ??= (async () => {
      // Closing stdin asks the launcher to shut down cleanly (it flushes the store).
      child.stdin.end();
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
      if (readState(opts.dataDir)?.pid === pid) fs.rmSync(stateFile, { force: true });
      log.end();
      opts.logger.info({ pid }, 'embedded Neo4j stopped');
    })();
    return stopping;
  };
  return { connection: connectionFor(opts.boltPort, password), owned: true, pid, crashed, stop };
}
