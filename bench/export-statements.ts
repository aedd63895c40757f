/**
 * Where an export's time goes: `npm run bench:export-statements`. On the export benchmark's synthetic
 * graph (EXPORT_BENCH_DEALS deals, default 50 000, written as bench/export.ts writes it) in its own
 * embedded Neo4j, it prints
 * - per statement of a whole-graph export (the key passes, nodes, edges as each format asks for them):
 *   Neo4j's db hits (PROFILE, exact), and the seconds, this process's CPU (the driver's decoding) and
 *   Neo4j's CPU to stream its records into nothing;
 * - per format: the wall time, the service's own CPU (`process.cpuUsage`) and Neo4j's CPU of
 *   `writeExport` into a stream that discards what it gets, in this process: what the service costs
 *   without HTTP and reader. The service's CPU less its statements' decoding is the writers' share.
 *
 * EXPORT_BENCH_ROUNDS (default 3) runs of each, the minimum kept (on a shared machine the minimum is
 * the run least disturbed). EXPORT_STATEMENTS_DATA_DIR keeps the database in that folder between runs
 * (the graph is written once); without it a temporary folder is used and removed.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { ProfiledPlan } from 'neo4j-driver';
import type { Statement } from '../src/db/database';
import {
  byName,
  declaredKeys,
  KEY_ROW,
  kindKeys,
  NOT_DECLARED_EDGE_KEYS,
  NOT_DECLARED_NODE_KEYS,
  wholeGraphStatements,
} from '../src/db/export-queries';
import type { Plain } from '../src/db/mapper';
import { EXPORT_FORMATS } from '../src/export/registry';
import { writeExport } from '../src/export/run-export';
import { prepareSelection } from '../src/export/selection';
import { ExportSink } from '../src/export/sink';
import { silentLogger } from '../src/logger';
import { openStore, type Store } from '../src/store';
import { embeddedBenchConfig } from './bench-config';
import { writeDeals, writeFixedNodes } from './export';
import { cpuMicros } from './proc-cpu';

const dbHits = (plan: ProfiledPlan): number =>
  plan.dbHits + plan.children.reduce((sum, child) => sum + dbHits(child), 0);

/** The statements of a whole-graph export, each under the name of what asks for it. */
async function exportStatements(store: Store): Promise<[string, Statement][]> {
  const s = wholeGraphStatements();
  const keyRows = async (st: Statement) => {
    const rows: Plain[][] = [];
    await store.db.streamRowsTx([st], 600_000, (_, row) => void rows.push(row));
    return rows;
  };
  const nodeRows = await keyRows(s.nodeKeys);
  const edgeRows = await keyRows(s.edgeKeys);
  const declared = (rows: Plain[][], skip: string[]) =>
    [...new Set(rows.map((r) => String(r[KEY_ROW.key])))].filter((k) => !skip.includes(k)).sort(byName);
  const nodeKeys = declaredKeys('node', declared(nodeRows, NOT_DECLARED_NODE_KEYS));
  const edgeKeys = declaredKeys('edge', declared(edgeRows, NOT_DECLARED_EDGE_KEYS));
  return [
    ['node keys (every format)', s.nodeKeys],
    ['edge keys (every format)', s.edgeKeys],
    ['nodes, by kind (JSON)', s.nodes(kindKeys('node', nodeRows))],
    ['nodes, declared keys (graphml, gexf, nodes.csv)', s.nodes(nodeKeys)],
    ['edges, by kind + times (JSON)', s.edges(kindKeys('edge', edgeRows), true)],
    ['edges, declared keys (graphml, edges.csv)', s.edges(edgeKeys, false)],
    ['edges, declared keys + times (gexf)', s.edges(edgeKeys, true)],
  ];
}

/** Wall seconds, this process's CPU seconds and Neo4j's CPU seconds of `run`. */
async function costOf(store: Store, run: () => Promise<unknown>) {
  const neo4j = () => cpuMicros(store.embedded?.pid) ?? NaN;
  const [c0, n0, t0] = [process.cpuUsage(), neo4j(), process.hrtime.bigint()];
  await run();
  const used = process.cpuUsage(c0);
  return {
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    cpu: (used.user + used.system) / 1e6,
    neo4jCpu: (neo4j() - n0) / 1e6,
  };
}

async function streamCost(store: Store, st: Statement) {
  let rows = 0;
  const cost = await costOf(store, () => store.db.streamRowsTx([st], 600_000, () => void rows++));
  return { ...cost, rows };
}

const min = (xs: number[]) => Math.min(...xs).toFixed(2);

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function main(): Promise<void> {
  const deals = Number(process.env.EXPORT_BENCH_DEALS ?? 50_000);
  const rounds = Math.max(1, Number(process.env.EXPORT_BENCH_ROUNDS ?? 3));
  const keep = process.env.EXPORT_STATEMENTS_DATA_DIR;
  const { config, dataDir } = await embeddedBenchConfig('export-statements', {
    NEO4J_LOCAL_HEAP: process.env.NEO4J_LOCAL_HEAP ?? '1g',
    NEO4J_LOCAL_PAGECACHE: process.env.NEO4J_LOCAL_PAGECACHE ?? '512m',
    ...(keep ? { NEO4J_LOCAL_DATA_DIR: keep } : {}),
  });
  if (keep) fs.rmSync(dataDir, { recursive: true, force: true });
  const store = await openStore(config, silentLogger());
  const log = (line: string) => process.stdout.write(line + '\n');
  try {
    const [have] = await store.db.read('MATCH (d:Deal) RETURN count(d) AS deals');
    const written = Number(have?.deals ?? 0);
    if (written === 0) await writeFixedNodes(store.db);
    if (written < deals) await writeDeals(store.db, written, deals);
    const [counts] = await store.db.read(
      `MATCH (n:Entity) WITH count(n) AS nodes MATCH (:Entity)-[r]->(:Entity) RETURN nodes, count(r) AS edges`,
    );
    const edges = Number(counts?.edges ?? 0);
    log(
      `graph: ${deals} deals, ${Number(counts?.nodes ?? 0)} nodes, ${edges} edges; ${rounds} rounds, minimum kept`,
    );

    const statements = await exportStatements(store);
    const session = store.db.driver.session({ defaultAccessMode: 'READ' });
    try {
      for (const [name, st] of statements) {
        const profiled = await session.run(`PROFILE ${st.cypher}`, st.params);
        const hits = profiled.summary.profile ? dbHits(profiled.summary.profile) : NaN;
        const runs: Awaited<ReturnType<typeof streamCost>>[] = [];
        for (let r = 0; r < rounds; r++) runs.push(await streamCost(store, st));
        const rows = runs[0]?.rows ?? 0;
        log(
          `  ${name.padEnd(48)} ${String(hits).padStart(10)} db hits ${(hits / Math.max(1, rows)).toFixed(2).padStart(6)}/record` +
            `  streamed ${min(runs.map((r) => r.seconds))} s (${rows} records), driver CPU ${min(runs.map((r) => r.cpu))} s,` +
            ` Neo4j CPU ${min(runs.map((r) => r.neo4jCpu))} s`,
        );
      }
    } finally {
      await session.close();
    }

    for (const format of EXPORT_FORMATS) {
      const runs: Awaited<ReturnType<typeof costOf>>[] = [];
      let bytes = 0;
      for (let r = 0; r < rounds; r++) {
        const selection = await prepareSelection(store.db, { kind: 'all' });
        const sink = new ExportSink(discard());
        runs.push(await costOf(store, () => writeExport(selection, format, sink)));
        bytes = sink.written;
      }
      const wall = Math.min(...runs.map((r) => r.seconds));
      const perSecond =
        format.items === 'graph' || format.items === 'edges' ? `${Math.round(edges / wall)} edges/s` : '';
      log(
        `  ${format.name.padEnd(10)} ${(bytes / 1048576).toFixed(1).padStart(6)} MiB  wall ${wall.toFixed(2)} s` +
          `  service CPU ${min(runs.map((r) => r.cpu))} s  Neo4j CPU ${min(runs.map((r) => r.neo4jCpu))} s  ${perSecond}`,
      );
    }
  } finally {
    await store.close();
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:export-statements failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
