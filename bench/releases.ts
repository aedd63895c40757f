/**
 * Release benchmark: `npm run bench:releases -- <older export> [<newer export>]`. Derives a newer
 * release from the older one (scripts/derive-sipri-release.js, under the OS temp folder) unless one is
 * given, starts a fresh embedded Neo4j, and imports: the older release, the newer one, the newer one
 * again, the older one again, then the newer alone into an empty graph. Prints each step's time and
 * writes, what changed between the releases (added, changed, dropped, values to history), and whether
 * the two-release graph's TIV tables equal the newer release's alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transferTotals } from '../src/db/transfer-totals';
import type { Database } from '../src/db/database';
import { emptyGraph } from '../src/db/graph-writer';
import { releaseChanges } from '../src/db/release-queries';
import { importSipri } from '../src/import/sipri/import-register';
import { readRegister } from '../src/import/sipri/read-register';
import { silentLogger } from '../src/logger';
import { projectRoot } from '../src/project-root';
import { openStore } from '../src/store';
import { embeddedBenchConfig } from './bench-config';

async function step(db: Database, name: string, file: string) {
  const writes = db.writes;
  const started = Date.now();
  const r = await importSipri(db, await readRegister(file), { reread: () => readRegister(file) });
  return {
    step: name,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    writes: db.writes - writes,
    alreadyImported: r.alreadyImported,
    rowsRead: r.rowsRead,
    rejected: r.rejectedRows,
    deals: r.deals,
    ...r.reconciled,
  };
}

const tables = async (db: Database) =>
  JSON.stringify(
    await Promise.all(
      (['SUPPLIER', 'RECIPIENT', 'YEAR'] as const).map(async (by) =>
        (await transferTotals(db, { by }, { first: 5000 })).map((t) => [
          t.key,
          t.tivDelivered.toFixed(4),
          t.deals,
        ]),
      ),
    ),
  );

async function main(): Promise<void> {
  const [older, given] = process.argv.slice(2);
  if (!older) throw new Error('usage: bench:releases -- <older export> [<newer export>]');
  const newer = given ?? path.join(os.tmpdir(), 'armsgraph-release-newer.csv');
  if (!given)
    execFileSync(
      process.execPath,
      [path.join(projectRoot(), 'scripts', 'derive-sipri-release.js'), older, newer],
      {
        stdio: 'inherit',
      },
    );
  const { config, dataDir } = await embeddedBenchConfig('releases', {
    ARMSGRAPH_QUERY_TIMEOUT_MS: '600000',
    NEO4J_LOCAL_START_TIMEOUT_MS: '600000',
  });
  const store = await openStore(config, silentLogger());
  const db = store.db;
  try {
    const steps = [
      await step(db, 'older release', older),
      await step(db, 'newer release', newer),
      await step(db, 'newer release again', newer),
      await step(db, 'older release again', older),
    ];
    const [first, second] = (
      await db.read('MATCH (s:Source) WHERE s.release IS NOT NULL RETURN s.release AS r ORDER BY r')
    ).map((r) => String(r.r));
    const changes = await releaseChanges(db, first ?? '', second ?? '', 0);
    const history = await db.read('MATCH (r:SipriRecord) RETURN count(r) AS records');
    const both = await tables(db);
    await emptyGraph(db);
    steps.push(await step(db, 'newer release alone (empty graph)', newer));
    const alone = await tables(db);
    process.stdout.write(
      `${JSON.stringify(
        {
          older,
          newer,
          machine: `${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}`,
          steps,
          changes: { ...changes, deals: undefined },
          records: Number(history[0]?.records),
          tablesEqualNewerAlone: both === alone,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
