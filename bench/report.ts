import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_HEAP_MIB } from './export';
import { edgeFormat, type ExportResult } from './export-hook';
import type { Measurement } from './load-loop';
import type { BenchReport, DatasetResult, Measured, QueryResult, TargetName } from './bench-results';

/** The issue's targets (issue 7), checked on every run. */
export const GOALS = {
  p50VsFloor: 1.5,
  throughputVsPeer: 2,
  importRowsPerSecond: 20_000,
  exportEdgesPerSecond: 100_000,
  largeVsSmall: 2,
};
const SCALE_QUERIES = ['lookup by id', 'deals by buyer', 'deals by system', 'deals by period'];

const ok = (m: Measured | undefined): m is Measurement => !!m && !('notMeasured' in m);
const r2 = (n: number) => Math.round(n * 100) / 100;
const cell = (m: Measured | undefined) =>
  !m
    ? '—'
    : ok(m)
      ? `${m.p50Ms} / ${m.p99Ms} / ${Math.round(m.requestsPerSecond)}`
      : `not measured: ${m.notMeasured}`;

export interface Verdict {
  goal: string;
  reached: boolean | null;
  detail: string;
}

function ratio(
  a: Measured | undefined,
  b: Measured | undefined,
  f: (m: Measurement) => number,
): number | null {
  return ok(a) && ok(b) && f(b) > 0 ? r2(f(a) / f(b)) : null;
}

export function verdicts(report: BenchReport): Verdict[] {
  const out: Verdict[] = [];
  for (const d of report.datasets) {
    const vsFloor = d.queries.map(
      (q) => [q.name, ratio(q.results.armsgraph, q.results.floor, (m) => m.p50Ms)] as const,
    );
    const misses = vsFloor.filter(([, r]) => r === null || r > GOALS.p50VsFloor);
    out.push({
      goal: `${d.name}: p50 within ${GOALS.p50VsFloor}x of the floor`,
      reached: misses.length === 0,
      detail: vsFloor.map(([n, r]) => `${n} ${r ?? 'n/a'}x`).join('; '),
    });
    const vsPeer = d.queries.map(
      (q) => [q.name, ratio(q.results.armsgraph, q.results.peer, (m) => m.requestsPerSecond)] as const,
    );
    out.push({
      goal: `${d.name}: throughput at least ${GOALS.throughputVsPeer}x @neo4j/graphql's`,
      reached: vsPeer.every(([, r]) => r !== null && r >= GOALS.throughputVsPeer),
      detail: vsPeer.map(([n, r]) => `${n} ${r ?? 'n/a'}x`).join('; '),
    });
  }
  const synthetic = report.datasets.filter((d) => d.name.startsWith('synthetic'));
  const largest = synthetic.at(-1);
  if (largest) {
    out.push({
      goal: `import at least ${GOALS.importRowsPerSecond.toLocaleString('en')} rows/s at the largest size`,
      reached: largest.import.rowsPerSecond >= GOALS.importRowsPerSecond,
      detail: `${largest.import.rowsPerSecond.toLocaleString('en')} rows/s over ${largest.import.rows.toLocaleString('en')} rows (${largest.name})${largest.rows < 1_000_000 ? '; the goal names 1M rows: run with BENCH_SIZES=…,500000 or more' : ''}`,
    });
  }
  const e = report.exports;
  if ('notMeasured' in e) {
    out.push({
      goal: `export at least ${GOALS.exportEdgesPerSecond.toLocaleString('en')} edges/s`,
      reached: null,
      detail: e.notMeasured,
    });
  } else if (e.sizes.length > 0) {
    const big = e.sizes[e.sizes.length - 1]!;
    const rates = big.rows.filter((row) => edgeFormat(row.format));
    const slowest = rates.reduce((a, b) => (b.edgesPerSecond < a.edgesPerSecond ? b : a), rates[0]!);
    out.push({
      goal: `export at least ${GOALS.exportEdgesPerSecond.toLocaleString('en')} edges/s`,
      reached: rates.every((row) => row.edgesPerSecond >= GOALS.exportEdgesPerSecond),
      detail: `${big.edges.toLocaleString('en')} edges (${big.deals.toLocaleString('en')} deals): ${rates
        .map((row) => `${row.format} ${Math.round(row.edgesPerSecond).toLocaleString('en')}`)
        .join(', ')} edges/s; slowest ${slowest.format}`,
    });
    const small = e.sizes[0]!;
    if (small !== big) {
      out.push({
        goal: 'export peak memory does not grow with the graph',
        reached: big.servicePeakRssMiB <= small.servicePeakRssMiB * 1.25,
        detail: `every format exported at both sizes by a service whose heap is capped at ${SERVICE_HEAP_MIB} MiB; service peak RSS ${Math.round(small.servicePeakRssMiB)} MiB at ${small.edges.toLocaleString('en')} edges, ${Math.round(big.servicePeakRssMiB)} MiB at ${big.edges.toLocaleString('en')} edges`,
      });
    }
  }
  const largest2 = largest;
  const smallest = synthetic[0];
  if (smallest && largest2 && smallest !== largest2) {
    const rows = SCALE_QUERIES.map((name) => {
      const a = largest.queries.find((q) => q.name === name)?.results.armsgraph;
      const b = smallest.queries.find((q) => q.name === name)?.results.armsgraph;
      return [name, ratio(a, b, (m) => m.p50Ms)] as const;
    });
    out.push({
      goal: `lookups and filtered pages at most ${GOALS.largeVsSmall}x slower at ${largest.deals.toLocaleString('en')} deals than at ${smallest.deals.toLocaleString('en')} (p50)`,
      reached: rows.every(([, r]) => r !== null && r <= GOALS.largeVsSmall),
      detail: rows.map(([n, r]) => `${n} ${r ?? 'n/a'}x`).join('; '),
    });
  }
  return out;
}

function queryRow(q: QueryResult, targets: TargetName[]): string {
  const vsFloor = ratio(q.results.armsgraph, q.results.floor, (m) => m.p50Ms);
  const vsPeer = ratio(q.results.armsgraph, q.results.peer, (m) => m.requestsPerSecond);
  const same = Object.entries(q.sameAnswer)
    .filter(([t]) => t !== 'armsgraph')
    .map(([t, s]) => `${t} ${s ? 'yes' : 'NO'}`)
    .join(', ');
  const cells = targets.map((t) => cell(q.results[t]));
  const baseline = targets.includes('baseline')
    ? [`${ratio(q.results.armsgraph, q.results.baseline, (m) => m.p50Ms) ?? 'n/a'}x`]
    : [];
  return `| ${q.name} | ${cells.join(' | ')} | ${vsFloor ?? 'n/a'}x | ${vsPeer ?? 'n/a'}x | ${baseline.map((b) => `${b} | `).join('')}${same} |`;
}

/** The importer's split, each part's seconds and share of the import (the TIV rollups' cost is one). */
function importSplit(t: NonNullable<DatasetResult['import']['timingsMs']>, seconds: number): string {
  const part = (label: string, ms: number) =>
    `${label} ${(ms / 1000).toFixed(1)} s (${seconds > 0 ? Math.round(ms / 10 / seconds) : 0}%)`;
  return `import split: ${[
    part('batches', t.batchesMs),
    part('reconciling releases', t.reconcileMs),
    part('statuses', t.statusMs),
    part('TIV rollups', t.rollupsMs),
  ].join(', ')}`;
}

/** A bulk first load's split: the importer's files (node), the offline import and Neo4j's start, the Cypher after. */
function bulkSplit(t: NonNullable<DatasetResult['import']['bulkMs']>, seconds: number): string {
  const part = (label: string, ms: number) =>
    `${label} ${(ms / 1000).toFixed(1)} s (${seconds > 0 ? Math.round(ms / 10 / seconds) : 0}%)`;
  return `bulk first load into an empty folder (as \`armsgraph import sipri\`): ${[
    part('files', t.filesMs),
    part('offline import and start', t.loadMs),
    part('after the start', t.settleMs),
  ].join(', ')}`;
}

const cpu = (m: Measured | undefined) => (ok(m) ? (m.cpuUsPerRequest ?? null) : null);

/** Each target's CPU per request: the fixed cost, steadier than latency on a shared machine. */
function cpuTable(d: DatasetResult, targets: TargetName[]): string[] {
  const base = targets.includes('baseline');
  const ratioOf = (a: number | null, b: number | null) => (a !== null && b ? `${r2(a / b)}x` : 'n/a');
  return [
    `CPU time of each target's process per answered request (µs: user + system from /proc over the throughput phase):`,
    '',
    `| query | ${targets.join(' | ')} | armsgraph ÷ floor${base ? ' | armsgraph ÷ baseline' : ''} |`,
    `|---|${targets.map(() => '---|').join('')}---|${base ? '---|' : ''}`,
    ...d.queries.map((q) => {
      const ours = cpu(q.results.armsgraph);
      const cells = targets.map((t) => cpu(q.results[t]) ?? 'n/a');
      // A ratio only against a target that gave the same answer: an error costs what it costs.
      const vs = (t: TargetName) => (q.sameAnswer[t] ? ratioOf(ours, cpu(q.results[t])) : 'n/a');
      const vsBase = base ? ` | ${vs('baseline')}` : '';
      return `| ${q.name} | ${cells.join(' | ')} | ${vs('floor')}${vsBase} |`;
    }),
  ];
}

function datasetSection(d: DatasetResult, targets: TargetName[]): string {
  const lines = [
    `### ${d.name}: ${d.deals.toLocaleString('en')} deals, ${d.rows.toLocaleString('en')} rows`,
    '',
    `- import: ${d.import.rows.toLocaleString('en')} rows in ${d.import.seconds} s = **${d.import.rowsPerSecond.toLocaleString('en')} rows/s**` +
      ` (peak RSS: importer ${d.import.peakRssMiB.importer ?? 'n/a'} MiB, Neo4j ${d.import.peakRssMiB.neo4j ?? 'n/a'} MiB)` +
      (d.generateSeconds !== null ? `; generating the register took ${d.generateSeconds} s` : ''),
    ...(d.import.bulkMs
      ? [`- ${bulkSplit(d.import.bulkMs, d.import.seconds)}`]
      : d.import.timingsMs
        ? [`- ${importSplit(d.import.timingsMs, d.import.seconds)}`]
        : []),
    `- peak RSS while serving the queries: ${Object.entries(d.peakRssMiB)
      .map(([k, v]) => `${k} ${v ?? 'n/a'} MiB`)
      .join(', ')}`,
    `- load average before / after: ${d.loadBefore.join(' ')} / ${d.loadAfter.join(' ')}; ${d.seconds} s in all`,
    `- parameters: ${Object.entries(d.params)
      .map(([k, v]) => `${k} \`${v}\``)
      .join(', ')}`,
    '',
    `p50 ms / p99 ms / requests per second, ${targets.length} targets:`,
    '',
    `| query | ${targets.join(' | ')} | armsgraph ÷ floor (p50) | armsgraph ÷ peer (req/s) | ${targets.includes('baseline') ? 'armsgraph ÷ baseline (p50) | ' : ''}same answer as armsgraph |`,
    `|---|${targets.map(() => '---|').join('')}---|---|${targets.includes('baseline') ? '---|' : ''}---|`,
    ...d.queries.map((q) => queryRow(q, targets)),
  ];
  lines.push('', ...cpuTable(d, targets));
  const failures = d.queries.flatMap((q) =>
    targets.flatMap((t) => {
      const m = q.results[t];
      return ok(m) && (m.errors > 0 || m.timeouts > 0)
        ? [`- ${q.name} / ${t}: ${m.errors} errors, ${m.timeouts} timeouts (${m.errorSample ?? ''})`]
        : [];
    }),
  );
  if (failures.length > 0) lines.push('', 'Requests that failed (not in the latencies):', '', ...failures);
  const mismatches = d.queries.filter((q) => q.answerMismatch);
  if (mismatches.length > 0) {
    lines.push('', 'Answers that differ:', '', ...mismatches.map((q) => `- ${q.name}: ${q.answerMismatch}`));
  }
  return lines.join('\n');
}

function exportSection(e: ExportResult): string {
  if ('notMeasured' in e) return `### Exports\n\nNot measured: ${e.notMeasured}.\n`;
  const formats = e.sizes[0]?.rows.map((row) => row.format) ?? [];
  return [
    '### Exports (bench/export.ts: the whole graph, every format, streamed over HTTP by the service)',
    '',
    `| deals | nodes | edges | ${formats.map((f) => `${f} ${edgeFormat(f) ? 'edges/s' : 's'}`).join(' | ')} | service peak RSS |`,
    `|---|---|---|${formats.map(() => '---|').join('')}---|`,
    ...e.sizes.map(
      (s) =>
        `| ${s.deals.toLocaleString('en')} | ${s.nodes.toLocaleString('en')} | ${s.edges.toLocaleString('en')} | ${s.rows
          .map((row) => {
            // The median of the rounds, then the first round alone (the first export after the write).
            const rate = (secs: number) =>
              edgeFormat(row.format) ? Math.round(row.edges / secs).toLocaleString('en') : r2(secs);
            return `${rate(row.seconds)} (first ${rate(row.firstSeconds)})`;
          })
          .join(' | ')} | ${Math.round(s.servicePeakRssMiB)} MiB |`,
    ),
    '',
    'Each figure is the median of the rounds (EXPORT_BENCH_ROUNDS, 3 by default); "first" is the first round alone, the first export of the format after the graph was written, which also pays what the later ones find cached (the key passes of GraphML, GEXF and the CSVs, and Neo4j\'s plans).',
    '',
    'Selections (GraphML; median seconds, and the first export of each; baseline: EXPORT_BENCH_BASELINE, when given):',
    '',
    '| deals | selection | MiB | s | first s | baseline s | speed-up |',
    '|---|---|---|---|---|---|---|',
    ...e.sizes.flatMap((s) =>
      (s.selections ?? []).map(
        (x) =>
          `| ${s.deals.toLocaleString('en')} | \`${x.query}\` | ${r2(x.bytes / 1048576)} | ${x.seconds.toFixed(3)} | ${x.firstSeconds.toFixed(3)} | ${x.baselineSeconds?.toFixed(3) ?? 'n/a'} | ${x.baselineSeconds ? `${(x.baselineSeconds / x.seconds).toFixed(2)}x` : 'n/a'} |`,
      ),
    ),
    '',
  ].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const targets = (['armsgraph', 'floor', 'peer', 'baseline'] as TargetName[]).filter((t) =>
    report.datasets.some((d) => d.queries.some((q) => q.results[t])),
  );
  const s = report.settings;
  return [
    '# armsgraph benchmarks (`npm run bench`)',
    '',
    `Run ${report.startedAt} to ${report.finishedAt}.`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}, Java ${m.java}.`,
    `Shared with other work: \`uptime\` at start: \`${report.uptimeAtStart}\`; at end: \`${report.uptimeAtEnd}\`.`,
    '',
    `Each query and target: ${s.warmupS} s warm-up, then ${s.latencyS} s with one keep-alive client on 127.0.0.1 (p50, p99: the cost of a request), ` +
      `then ${s.throughputS} s with ${s.connections} clients at once (requests per second), each split over ${s.rounds} rounds in which the targets take turns ` +
      '(so load from elsewhere on the shared machine falls on all of them); latencies by hrtime, in ms. ' +
      `Neo4j 5.26 embedded, heap ${s.heap}, page cache ${s.pageCache}, a fresh data folder per dataset. ` +
      'armsgraph: the service (`createApp`); floor: one hand-written Cypher statement per query through neo4j-driver behind a bare node:http endpoint (HTTP to HTTP); ' +
      'peer: @neo4j/graphql 7 over the same database (bench/peer/type-defs.graphql), on @apollo/server. Each target runs in its own process.',
    ...(report.skipped.length ? ['', ...report.skipped.map((x) => `Skipped: ${x}.`)] : []),
    '',
    '## Targets (issue 7)',
    '',
    '| goal | reached | detail |',
    '|---|---|---|',
    ...verdicts(report).map(
      (v) =>
        `| ${v.goal} | ${v.reached === null ? 'not measured' : v.reached ? 'yes' : 'no'} | ${v.detail} |`,
    ),
    '',
    '## Results',
    '',
    ...report.datasets.map((d) => datasetSection(d, targets) + '\n'),
    exportSection(report.exports),
  ].join('\n');
}

export function writeReport(report: BenchReport, dir: string): { markdown: string; json: string } {
  fs.mkdirSync(dir, { recursive: true });
  const markdown = path.join(dir, 'latest.md');
  const json = path.join(dir, 'latest.json');
  fs.writeFileSync(markdown, renderMarkdown(report));
  fs.writeFileSync(json, JSON.stringify({ ...report, verdicts: verdicts(report) }, null, 2) + '\n');
  return { markdown, json };
}
