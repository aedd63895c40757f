/**
 * `npm run bench:http`: the fixed CPU cost of one GraphQL request over HTTP, without Neo4j. Each
 * server answers `{ __typename }` (no resolver, no database) and runs as its own process;
 * HTTP_COST_CONNECTIONS (4) keep-alive clients in this process send HTTP_COST_REQUESTS (10,000)
 * requests after 2,000 unmeasured ones, and the server's CPU time (user + system, /proc) is divided by
 * the requests. Servers: bare node:http (reads the body, parses it, answers fixed JSON: the floor of
 * any server), express with express.json, Apollo Server on node:http (its HTTP core called directly),
 * stock Apollo Server on express (@as-integrations/express5), and armsgraph's own service
 * (createApp: every step of its /graphql route); HTTP_COST_BASELINE=<a built armsgraph checkout> adds
 * that checkout's service, for before/after in one run. Servers take turns over HTTP_COST_ROUNDS (3)
 * rounds. HTTP_COST_SERVERS (comma-separated names) narrows the list. Prints a Markdown table.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import neo4j from 'neo4j-driver';
import { apolloStep } from '../src/http/graphql-route';
import { runSteps } from '../src/http/plain';
import { cpuMicros } from './proc-cpu';
import { uptimeLine } from './machine';

const env = process.env;
const REQUESTS = Number(env.HTTP_COST_REQUESTS ?? 10_000);
const WARMUP = 2_000;
const CONNECTIONS = Math.max(1, Number(env.HTTP_COST_CONNECTIONS ?? 4));
const ROUNDS = Math.max(1, Number(env.HTTP_COST_ROUNDS ?? 3));
const BODY = JSON.stringify({ query: '{ __typename }' });
const ANSWER = JSON.stringify({ data: { __typename: 'Query' } });
const TYPE_DEFS = 'type Query { version: String }';

type ServerName =
  'bare node:http' | 'express' | 'apollo on node:http' | 'stock apollo' | 'armsgraph' | 'baseline';

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** armsgraph's service from a built checkout (this one or the baseline), over a driver it never uses. */
async function armsgraphServer(root: string): Promise<http.Server> {
  // A built checkout's modules, by path at run time (the baseline is not this build).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = <T>(file: string) => require(path.join(root, 'dist', 'src', file)) as T;
  const { createApp } = load<typeof import('../src/app')>('app');
  const { loadConfig } = load<typeof import('../src/config')>('config');
  const { Database } = load<typeof import('../src/db/database')>('db/database');
  const { silentLogger } = load<typeof import('../src/logger')>('logger');
  const config = loadConfig({
    NODE_ENV: 'production',
    NEO4J_URI: 'bolt://127.0.0.1:9',
    ARMSGRAPH_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
  });
  const logger = silentLogger();
  const db = new Database(neo4j.driver('bolt://127.0.0.1:9'), {
    database: undefined,
    logger,
    debugCypher: false,
    timeoutMs: 1000,
  });
  return (await createApp({ config, db, logger })).server;
}

async function startServer(name: ServerName): Promise<http.Server> {
  switch (name) {
    case 'bare node:http':
      return http.createServer((req, res) => {
        void readBody(req).then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER));
      });
    case 'express': {
      const app = express();
      app.post('/graphql', express.json(), (_req, res) => {
        res.json({ data: { __typename: 'Query' } });
      });
      return http.createServer(app);
    }
    case 'apollo on node:http': {
      const apollo = new ApolloServer({ typeDefs: TYPE_DEFS });
      await apollo.start();
      // The service's own adapter of Apollo's HTTP core (src/http/graphql-route.ts) after a bare body
      // read, without the service's other steps.
      const route = runSteps(
        [
          (req, _res, next) =>
            void readBody(req).then((body) => {
              req.body = body;
              next();
            }, next),
          apolloStep(apollo, async () => ({})),
        ],
        (err, _req, res) => {
          res.statusCode = 500;
          res.end(String(err));
        },
      );
      return http.createServer(route);
    }
    case 'stock apollo': {
      const apollo = new ApolloServer({ typeDefs: TYPE_DEFS });
      await apollo.start();
      const app = express();
      app.use('/graphql', express.json(), expressMiddleware(apollo));
      return http.createServer(app);
    }
    case 'armsgraph':
      return armsgraphServer(path.join(__dirname, '..', '..'));
    case 'baseline':
      return armsgraphServer(path.resolve(env.HTTP_COST_BASELINE ?? ''));
  }
}

/** The child: starts one server on a free loopback port and reports the port. */
async function serve(name: ServerName): Promise<void> {
  const server = await startServer(name);
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send?.({ port: typeof a === 'object' && a ? a.port : 0 });
  });
  process.on('disconnect', () => process.exit(0));
}

function send(agent: http.Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200 && text.includes('"__typename":"Query"')) resolve();
          else reject(new Error(`answered ${res.statusCode}: ${text.slice(0, 200)}`));
        });
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function sendMany(agent: http.Agent, port: number, n: number): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent++ < n) await send(agent, port);
    }),
  );
}

/** One round of one server: µs of its CPU per request, and requests per second. */
async function measure(name: ServerName): Promise<{ cpuUs: number; perSecond: number }> {
  const child = fork(__filename, [], { env: { ...env, HTTP_COST_SERVER: name } });
  try {
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number }));
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it listened`)));
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    await sendMany(agent, port, WARMUP);
    const cpu0 = cpuMicros(child.pid);
    const t0 = process.hrtime.bigint();
    await sendMany(agent, port, REQUESTS);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = cpuMicros(child.pid);
    agent.destroy();
    return {
      cpuUs: cpu0 === null || cpu1 === null ? NaN : Math.round((cpu1 - cpu0) / REQUESTS),
      perSecond: Math.round(REQUESTS / seconds),
    };
  } finally {
    child.disconnect();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const all: ServerName[] = ['bare node:http', 'express', 'apollo on node:http', 'stock apollo', 'armsgraph'];
  if (env.HTTP_COST_BASELINE) all.push('baseline');
  const wanted = env.HTTP_COST_SERVERS?.split(',').map((s) => s.trim());
  const servers = wanted ? all.filter((s) => wanted.includes(s)) : all;
  const before = uptimeLine();
  const runs = new Map<ServerName, { cpuUs: number; perSecond: number }[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of servers) {
      const m = await measure(name);
      runs.set(name, [...(runs.get(name) ?? []), m]);
    }
  }
  console.log(`# The fixed cost of a GraphQL request over HTTP (\`{ __typename }\`, no database)\n`);
  console.log(
    `${REQUESTS} requests per round from ${CONNECTIONS} keep-alive clients, ${ROUNDS} rounds in turn.`,
  );
  console.log(`\`uptime\` before: \`${before}\`; after: \`${uptimeLine()}\`\n`);
  console.log('| server | CPU µs per request (median; rounds) | requests/s (median) |');
  console.log('|---|---|---|');
  for (const [name, ms] of runs) {
    const cpu = ms.map((m) => m.cpuUs);
    console.log(`| ${name} | ${median(cpu)} (${cpu.join(', ')}) | ${median(ms.map((m) => m.perSecond))} |`);
  }
}

const role = env.HTTP_COST_SERVER as ServerName | undefined;
(role ? serve(role) : main()).catch((err: unknown) => {
  process.stderr.write(`bench:http failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
