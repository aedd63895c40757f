import fs from 'node:fs';

/**
 * Memory of a process from /proc (Linux): resident set now, and its peak (VmHWM). Writing 5 to
 * /proc/<pid>/clear_refs resets the peak, so each phase of the bench reports its own peak rather than
 * the process's whole life. Off Linux everything answers null and the report says "n/a".
 */
export function rssBytes(pid: number): { rss: number; peak: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rss = kb('VmRSS');
    const peak = kb('VmHWM');
    return Number.isFinite(rss)
      ? { rss: rss * 1024, peak: Number.isFinite(peak) ? peak * 1024 : rss * 1024 }
      : null;
  } catch {
    return null;
  }
}

export function resetPeak(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted or not Linux: the peak then covers the process's life, which the report states.
  }
}

/** Tracks the highest RSS of some processes over a phase, by polling and by their own peak counters. */
export class PeakTracker {
  private readonly peaks = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: number[]) {
    for (const pid of pids) resetPeak(pid);
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }

  private sample(): void {
    for (const pid of this.pids) {
      const m = rssBytes(pid);
      if (m) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, m.rss, m.peak));
    }
  }

  /** Stops polling; the peak RSS in bytes of each process (null when /proc had nothing). */
  stop(): Map<number, number | null> {
    this.sample();
    clearInterval(this.timer);
    return new Map(this.pids.map((pid) => [pid, this.peaks.get(pid) ?? null]));
  }
}
