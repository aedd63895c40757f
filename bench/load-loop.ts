import http from 'node:http';

/**
 * A closed-loop load generator: `connections` keep-alive clients each send the same request again as
 * soon as the previous answer arrived, for `durationMs`. Latencies are measured with hrtime to the
 * microsecond (autocannon's histogram resolves whole milliseconds, too coarse for a sub-millisecond
 * floor). Bounded in time; loopback targets only.
 */
interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Non-2xx answers, transport errors and GraphQL answers carrying "errors". */
  errors: number;
  errorSample: string | null;
}

interface LoadOptions {
  url: string;
  body: string;
  connections: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** One request; resolves with the status and the body text. */
export function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function loop(opts: LoadOptions, durationMs: number, record: boolean): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let errors = 0;
  let errorSample: string | null = null;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(durationMs) * 1_000_000n;
  const client = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        const { status, text } = await post(agent, url, opts.body);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (status < 200 || status >= 300 || text.startsWith('{"errors"') || text.includes('"errors":[')) {
          errors++;
          errorSample ??= `${status} ${text.slice(0, 300)}`;
        } else if (record) latencies.push(ms);
      } catch (err) {
        errors++;
        errorSample ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, client));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    requests: latencies.length,
    seconds: Math.round(seconds * 100) / 100,
    requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    p50Ms: Math.round(percentile(sorted, 50) * 1000) / 1000,
    p99Ms: Math.round(percentile(sorted, 99) * 1000) / 1000,
    meanMs: Math.round((sum / Math.max(1, latencies.length)) * 1000) / 1000,
    errors,
    errorSample,
  };
}

export interface MeasureOptions {
  url: string;
  body: string;
  warmupMs: number;
  /** Latency phase: one client, so p50/p99 are the cost of a request, not time spent queueing. */
  latencyMs: number;
  /** Throughput phase: `connections` clients at once, enough to keep two cores busy. */
  throughputMs: number;
  connections: number;
}

export interface Measurement {
  /** Latency with one client at a time. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Answers per second with `connections` clients. */
  requestsPerSecond: number;
  connections: number;
  /** p50 and p99 under the throughput phase's load. */
  loadedP50Ms: number;
  loadedP99Ms: number;
  requests: number;
  errors: number;
  errorSample: string | null;
}

/** Warms the target up (JIT, plan cache, page cache), then measures latency, then throughput. */
export async function measure(opts: MeasureOptions): Promise<Measurement> {
  const base = { url: opts.url, body: opts.body };
  if (opts.warmupMs > 0) await loop({ ...base, connections: opts.connections }, opts.warmupMs, false);
  const lat = await loop({ ...base, connections: 1 }, opts.latencyMs, true);
  const thr = await loop({ ...base, connections: opts.connections }, opts.throughputMs, true);
  return {
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    meanMs: lat.meanMs,
    requestsPerSecond: thr.requestsPerSecond,
    connections: opts.connections,
    loadedP50Ms: thr.p50Ms,
    loadedP99Ms: thr.p99Ms,
    requests: lat.requests + thr.requests,
    errors: lat.errors + thr.errors,
    errorSample: lat.errorSample ?? thr.errorSample,
  };
}
