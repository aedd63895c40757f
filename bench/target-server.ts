/**
 * One benchmark target in its own process, so that its memory is its own and the load generator
 * (autocannon, in bench/run.ts) does not share its event loop. Started by bench/run.ts with fork():
 * BENCH_TARGET names the target, BENCH_NEO4J_URI / BENCH_NEO4J_PASSWORD the Neo4j it reads. It
 * answers the parent with { port } once it listens on 127.0.0.1, and exits when the parent
 * disconnects.
 *
 *   armsgraph  the service itself (createApp), as `npm start` runs it, rate limit off
 *   floor      FLOOR_CYPHER through neo4j-driver behind a bare node:http endpoint: POST /<query>
 *   peer       @neo4j/graphql's generated API for bench/peer/type-defs.graphql on @apollo/server
 */
// As the command-line entry does (src/cli.ts), before graphql-js and express load.
import '../src/node-env';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { Neo4jGraphQL } from '@neo4j/graphql';
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import neo4j, { type Driver } from 'neo4j-driver';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/logger';
import { projectRoot } from '../src/project-root';
import { openStore } from '../src/store';
import { FLOOR_CYPHER, type FloorQuery } from './floor-cypher';

type Target = 'armsgraph' | 'floor' | 'peer';

const uri = process.env.BENCH_NEO4J_URI ?? '';
const password = process.env.BENCH_NEO4J_PASSWORD ?? '';

function openDriver(): Driver {
  return neo4j.driver(uri, neo4j.auth.basic('neo4j', password), {
    maxConnectionPoolSize: 100,
    disableLosslessIntegers: true,
    logging: { level: 'error', logger: () => undefined },
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

async function startArmsgraph(): Promise<{ port: number; close(): Promise<void> }> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    NEO4J_URI: uri,
    NEO4J_PASSWORD: password,
    // One client sends everything: the per-client limit would (rightly) stop it.
    ARMSGRAPH_RATE_LIMIT: '0',
    LOG_LEVEL: 'silent',
  });
  const logger = silentLogger();
  const store = await openStore(config, logger);
  const app = await createApp({ config, db: store.db, logger });
  const port = await app.listen(0, '127.0.0.1');
  return {
    port,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** Integers from JSON become Neo4j integers, so LIMIT and integer comparisons take them as they are. */
function toParams(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [
      k,
      typeof v === 'number' && Number.isInteger(v) ? neo4j.int(v) : v,
    ]),
  );
}

async function startFloor(): Promise<{ port: number; close(): Promise<void> }> {
  const driver = openDriver();
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1) as FloorQuery;
    const cypher = FLOOR_CYPHER[name];
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!cypher) {
        res.writeHead(404).end();
        return;
      }
      const params = toParams(
        JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
      );
      // One auto-commit query, one round trip: the cheapest way the driver has to ask (armsgraph's
      // single reads run the same way, src/db/database.ts), so the floor stays a floor.
      const session = driver.session({ defaultAccessMode: neo4j.session.READ });
      session
        .run(cypher, params)
        .then((result) => {
          const body = JSON.stringify({ rows: result.records.map((r) => r.toObject()) });
          res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        })
        .catch((err: Error) => {
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ errors: [err.message] }));
        })
        .finally(() => void session.close());
    });
  });
  const port = await listen(server);
  return {
    port,
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await driver.close();
    },
  };
}

async function startPeer(): Promise<{ port: number; close(): Promise<void> }> {
  const driver = openDriver();
  const typeDefs = fs.readFileSync(path.join(projectRoot(), 'bench', 'peer', 'type-defs.graphql'), 'utf8');
  const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
  const apollo = new ApolloServer({ schema, introspection: false });
  await apollo.start();
  const app = express();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, { context: async () => ({}) }),
  );
  const server = http.createServer(app);
  const port = await listen(server);
  return {
    port,
    async close() {
      await apollo.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await driver.close();
    },
  };
}

async function main(): Promise<void> {
  const target = process.env.BENCH_TARGET as Target;
  const start = { armsgraph: startArmsgraph, floor: startFloor, peer: startPeer }[target];
  if (!start) throw new Error(`BENCH_TARGET must be armsgraph, floor or peer, not "${target}"`);
  const running = await start();
  process.send?.({ port: running.port });
  process.on('disconnect', () => {
    void running.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench target failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
