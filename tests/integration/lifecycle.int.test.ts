import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config';
import { silentLogger } from '../../src/logger';
import { ensureEmbeddedNeo4j, startEmbeddedNeo4j } from '../../src/neo4j/embedded';
import { freePort, SHORT_LIVED_JVM } from '../helpers/test-neo4j';

// These tests run the service exactly as `npm start` does (the compiled CLI), on its own data folder.
const cli = path.resolve(__dirname, '../../dist/src/cli.js');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

/** Options for the extra embedded-Neo4j attempts these tests make. */
const smallNeo4j = {
  heap: '512m',
  pageCache: '128m',
  java: 'java',
  startTimeoutMs: 30_000,
  logger: silentLogger(),
};

interface Service {
  child: ChildProcess;
  url: string;
  dataDir: string;
  boltPort: number;
  javaPid(): number;
}

/** Starts `armsgraph serve` on a new data folder, or on `dataDir` as a later `npm start` would. */
async function startService(
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-lifecycle-')),
): Promise<Service> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does) first`);
  const [port, boltPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      ...SHORT_LIVED_JVM,
      NEO4J_URI: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      NEO4J_LOCAL_DATA_DIR: dataDir,
      NEO4J_LOCAL_BOLT_PORT: String(boltPort),
      NEO4J_LOCAL_HEAP: '512m',
      NEO4J_LOCAL_PAGECACHE: '128m',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
      return (await status(`${url}/readyz`)) === 200;
    },
    180_000,
    'the service to be ready',
  );
  const javaPid = () =>
    JSON.parse(fs.readFileSync(path.join(dataDir, 'armsgraph-neo4j.json'), 'utf8')).pid as number;
  return { child, url, dataDir, boltPort, javaPid };
}

describe('the embedded Neo4j, as `npm start` runs it', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => {
    if (!service) return;
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
    fs.rmSync(service.dataDir, { recursive: true, force: true });
  });

  it('seeds the empty database on first start', async () => {
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ country(id: "Türkiye") { id name } }' }),
    });
    expect(await res.json()).toEqual({ data: { country: { id: 'TUR', name: 'Turkey' } } });
  });

  it('imports the reference data on first start, after the seed', async () => {
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: '{ alliance(id: "nato") { members { since } } country(id: "POL") { region } }',
      }),
    });
    const body = (await res.json()) as {
      data: { alliance: { members: unknown[] }; country: { region: string } };
    };
    expect(body.data.alliance.members).toHaveLength(32);
    expect(body.data.country.region).toBe('Europe');
  });

  it('keeps the generated Neo4j password in a file only its owner can read', () => {
    const mode = fs.statSync(path.join(service.dataDir, 'auth-password')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('lets a second armsgraph process join the running Neo4j instead of opening the data folder again', async () => {
    const joined = await ensureEmbeddedNeo4j({
      dataDir: service.dataDir,
      boltPort: service.boltPort,
      ...smallNeo4j,
    });
    expect(joined.owned).toBe(false);
    expect(joined.pid).toBe(service.javaPid());
    await joined.stop(); // a joiner's stop must not stop the owner's Neo4j
    expect(await status(`${service.url}/readyz`)).toBe(200);
  });

  it('refuses a Bolt port already in use with a message naming the fix', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-port-'));
    const attempt = startEmbeddedNeo4j({
      dataDir: otherDir,
      boltPort: service.boltPort,
      ...smallNeo4j,
    });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/already in use.*NEO4J_LOCAL_BOLT_PORT/);
    fs.rmSync(otherDir, { recursive: true, force: true });
  });

  it('reports a missing java with the fix', async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-java-'));
    const attempt = startEmbeddedNeo4j({
      dataDir: otherDir,
      boltPort: await freePort(),
      ...smallNeo4j,
      java: '/nonexistent/java',
    });
    await expect(attempt).rejects.toThrow(/java was not found.*NEO4J_LOCAL_JAVA/);
    fs.rmSync(otherDir, { recursive: true, force: true });
  });

  it('turns /readyz to 503 when Neo4j dies and back to 200 when the service has restarted it', async () => {
    const firstPid = service.javaPid();
    process.kill(firstPid, 'SIGKILL');
    // Both at once, right after the kill: on an idle machine the service has Neo4j back within seconds.
    const [, res] = await Promise.all([
      until(async () => (await status(`${service.url}/readyz`)) === 503, 30_000, '/readyz to report 503'),
      fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ country(id: "TUR") { id } }' }),
      }),
    ]);
    const body = (await res.json()) as {
      data?: { country: { id: string } | null };
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    // Meanwhile a request fails with DATABASE_UNAVAILABLE, or, when the restarted Neo4j is back within
    // the driver's retry time (an idle machine restarts it in seconds), is answered: never another error.
    if (body.errors) expect(body.errors.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    else expect(body.data?.country?.id).toBe('TUR');
    await until(
      async () => (await status(`${service.url}/readyz`)) === 200,
      180_000,
      '/readyz to return to 200',
    );
    // The new JVM answers Bolt a moment before the service records its pid.
    await until(() => service.javaPid() !== firstPid, 30_000, 'the restarted JVM to be recorded');
    expect(isAlive(firstPid)).toBe(false);
    expect(service.child.exitCode).toBeNull(); // the same service process throughout
  });

  it('leaves no java process behind when the service is killed outright', async () => {
    const javaPid = service.javaPid();
    expect(isAlive(javaPid)).toBe(true);
    service.child.kill('SIGKILL');
    await until(() => !isAlive(javaPid), 60_000, 'the JVM to exit after its parent died');
  });

  // On the folder the killed service left (its pid file still there): a later start opens the data
  // it finds, and a SIGTERM stops the JVM and exits 0. Reusing the folder spares a second first start.
  it('starts again on the same folder with its data, then stops the JVM on SIGTERM and exits 0', async () => {
    service = await startService(service.dataDir);
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ alliance(id: "nato") { members { since } } }' }),
    });
    const body = (await res.json()) as { data: { alliance: { members: unknown[] } } };
    expect(body.data.alliance.members).toHaveLength(32);
    const javaPid = service.javaPid();
    const exited = new Promise<number | null>((r) => service.child.once('exit', (code) => r(code)));
    service.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isAlive(javaPid)).toBe(false);
    expect(fs.existsSync(path.join(service.dataDir, 'armsgraph-neo4j.json'))).toBe(false);
  });
});
