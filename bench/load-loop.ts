import http from 'node:http';
import { cpuMicros } from './proc-cpu';

/**
 * A closed-loop load generator: `connections` keep-alive clients each send the same request again as
 * soon as the previous answer arrived, for a bounded time. Latencies are measured with hrtime to the
 * microsecond (autocannon's histogram resolves whole milliseconds, too coarse for a sub-millisecond
 * floor). Bounded in time; loopback targets only.
 */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** A request that got no whole answer within its time: counted apart from errors, per target. */
export class RequestTimeout extends Error {
  constructor(
    readonly ms: number,
    /** Whether the response's head had arrived: a slow body, not a server that never answered. */
    readonly headersReceived: boolean,
  ) {
    super(`no ${headersReceived ? 'complete body' : 'response'} within ${ms} ms`);
  }
}

/** The time one request may take before it is abandoned (BENCH_REQUEST_TIMEOUT_S, default 30 s). */
export const REQUEST_TIMEOUT_MS = Math.round(
  (Number(process.env.BENCH_REQUEST_TIMEOUT_S ?? 30) > 0
    ? Number(process.env.BENCH_REQUEST_TIMEOUT_S ?? 30)
    : 30) * 1000,
);

/**
 * One request; resolves with the status and the body text, or rejects within `timeoutMs`: the socket
 * is destroyed then, so a keep-alive agent never hands a half-answered socket to the next request,
 * and a target that stops answering costs the bench a counted timeout instead of hanging it.
 */
export function post(
  agent: http.Agent,
  url: URL,
  body: string,
  timeoutMs: number = REQUEST_TIMEOUT_MS,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let headersReceived = false;
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        headersReceived = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
        // A socket closed mid-body: not every Node version reports it as an error on `res`.
        res.on('close', () => {
          if (!res.complete) fail(new Error('connection closed before the whole answer arrived'));
        });
      },
    );
    function fail(err: Error) {
      clearTimeout(timer);
      reject(err);
    }
    const timer = setTimeout(() => {
      const err = new RequestTimeout(timeoutMs, headersReceived);
      reject(err);
      req.destroy(err);
    }, timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

/** What one phase of one target collected: raw latencies, so rounds can be pooled. */
export interface Phase {
  latencies: number[];
  seconds: number;
  errors: number;
  /** Requests abandoned after REQUEST_TIMEOUT_MS (not in `errors`). */
  timeouts: number;
  errorSample: string | null;
  /** CPU the target's process used during the phase (µs), when its pid is known; null otherwise. */
  cpuUs: number | null;
}

export function emptyPhase(): Phase {
  return { latencies: [], seconds: 0, errors: 0, timeouts: 0, errorSample: null, cpuUs: null };
}

/** A target of the load: where to send what, and the process that answers (for its CPU time). */
export interface LoadTarget {
  url: string;
  body: string;
  pid?: number;
}

/** Runs `connections` closed-loop clients for `durationMs`, adding to `into`. */
export async function runPhase(
  target: LoadTarget,
  connections: number,
  durationMs: number,
  into: Phase = emptyPhase(),
): Promise<Phase> {
  const url = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const cpuBefore = cpuMicros(target.pid);
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(durationMs)) * 1_000_000n;
  const client = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        const { status, text } = await post(agent, url, target.body);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (status < 200 || status >= 300 || text.startsWith('{"errors"') || text.includes('"errors":[')) {
          into.errors++;
          into.errorSample ??= `${status} ${text.slice(0, 300)}`;
        } else into.latencies.push(ms);
      } catch (err) {
        if (err instanceof RequestTimeout) into.timeouts++;
        else into.errors++;
        into.errorSample ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  into.seconds += Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuMicros(target.pid);
  if (cpuBefore !== null && cpuAfter !== null) into.cpuUs = (into.cpuUs ?? 0) + cpuAfter - cpuBefore;
  agent.destroy();
  return into;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

export interface Measurement {
  /** Latency with one client at a time: the cost of a request, not time spent queueing. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Answers per second with `connections` clients at once. */
  requestsPerSecond: number;
  connections: number;
  /** p50 and p99 under that load. */
  loadedP50Ms: number;
  loadedP99Ms: number;
  requests: number;
  errors: number;
  /** Requests abandoned after the per-request timeout. */
  timeouts: number;
  errorSample: string | null;
  /**
   * CPU time of the target's process per answered request (µs) with `connections` clients and with
   * one: the service's fixed cost per request, which load elsewhere on the machine hardly changes
   * (its latency does). Null when the process's CPU could not be read.
   */
  cpuUsPerRequest: number | null;
  oneClientCpuUsPerRequest: number | null;
}

/** CPU per answered request (errors are answers too; timeouts are not) of a phase, in µs. */
function cpuPerRequest(phase: Phase): number | null {
  const answered = phase.latencies.length + phase.errors;
  return phase.cpuUs === null || answered === 0 ? null : Math.round(phase.cpuUs / answered);
}

/** Pools a target's latency phase (one client) and throughput phase (`connections` clients). */
export function summarize(latency: Phase, throughput: Phase, connections: number): Measurement {
  const lat = Float64Array.from(latency.latencies).sort();
  const thr = Float64Array.from(throughput.latencies).sort();
  const sum = latency.latencies.reduce((a, b) => a + b, 0);
  return {
    p50Ms: r3(percentile(lat, 50)),
    p99Ms: r3(percentile(lat, 99)),
    meanMs: r3(sum / Math.max(1, lat.length)),
    requestsPerSecond: Math.round((thr.length / Math.max(throughput.seconds, 1e-9)) * 10) / 10,
    connections,
    loadedP50Ms: r3(percentile(thr, 50)),
    loadedP99Ms: r3(percentile(thr, 99)),
    requests: lat.length + thr.length,
    errors: latency.errors + throughput.errors,
    timeouts: latency.timeouts + throughput.timeouts,
    errorSample: latency.errorSample ?? throughput.errorSample,
    cpuUsPerRequest: cpuPerRequest(throughput),
    oneClientCpuUsPerRequest: cpuPerRequest(latency),
  };
}

export interface MeasureOptions {
  warmupMs: number;
  /** Latency phase per target, split over `rounds`. */
  latencyMs: number;
  /** Throughput phase per target, split over `rounds`. */
  throughputMs: number;
  connections: number;
  /**
   * The targets take turns, round after round, so that a burst of load from elsewhere on a shared
   * machine falls on all of them rather than on whichever ran at that moment.
   */
  rounds: number;
}

/** Measures the same question against several targets, interleaved; results in the targets' order. */
export async function measureInterleaved(
  targets: LoadTarget[],
  opts: MeasureOptions,
): Promise<Measurement[]> {
  const rounds = Math.max(1, opts.rounds);
  const latency = targets.map(() => emptyPhase());
  const throughput = targets.map(() => emptyPhase());
  if (opts.warmupMs > 0)
    for (const [i, t] of targets.entries()) {
      const warm = await runPhase(t, opts.connections, opts.warmupMs, emptyPhase());
      // Timeouts while warming up count: they are what the target does with this query.
      if (latency[i]) latency[i].timeouts += warm.timeouts;
      if (latency[i] && warm.timeouts) latency[i].errorSample ??= warm.errorSample;
    }
  // A target that let a request time out is not asked again for this query: each further request
  // would cost the whole timeout (its numbers so far stay, with the timeouts counted).
  const gaveUp = (i: number) => (latency[i]?.timeouts ?? 0) + (throughput[i]?.timeouts ?? 0) > 0;
  for (let r = 0; r < rounds; r++) {
    for (const [i, t] of targets.entries())
      if (!gaveUp(i)) await runPhase(t, 1, opts.latencyMs / rounds, latency[i]);
    for (const [i, t] of targets.entries())
      if (!gaveUp(i)) await runPhase(t, opts.connections, opts.throughputMs / rounds, throughput[i]);
  }
  return targets.map((_, i) =>
    summarize(latency[i] ?? emptyPhase(), throughput[i] ?? emptyPhase(), opts.connections),
  );
}
