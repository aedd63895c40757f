/**
 * Progress of long CLI work, on stderr (stdout holds results: a report, `--json`, or the export
 * itself). On a terminal one line is redrawn in place: phase, done of total, rate and time left. Not
 * on a terminal (a log, CI), a plain line every `everyMs` and at each phase change after the first
 * line, and a last one at the end: work shorter than `everyMs` prints nothing there.
 */
export interface ProgressOptions {
  /** What the work is called at the start of each line (`import`, `export graph.gexf`). */
  label: string;
  /** What is counted (`rows`, `items`). */
  unit: string;
  stream?: NodeJS.WriteStream;
  /** Terminal or not; defaults to the stream's isTTY. */
  tty?: boolean;
  everyMs?: number;
  now?: () => number;
}

export interface Progress {
  /** A new phase (`counting`, `writing`, `reconciling`): its count starts at 0, in `unit` if given. */
  phase(name: string, total?: number, unit?: string): void;
  update(done: number, total?: number): void;
  /** Prints the final count (and ends the line on a terminal). */
  done(): void;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** One progress line: `label: phase 1,200 / 20,480 rows (6%), 780 rows/s, about 25 s left`. */
export function progressText(
  label: string,
  unit: string,
  phase: string,
  done: number,
  total: number | undefined,
  seconds: number,
): string {
  const rate = seconds > 0 ? done / seconds : 0;
  let text = `${label}: ${phase} ${fmt(done)}`;
  if (total !== undefined && total > 0) {
    text += ` / ${fmt(total)} ${unit} (${Math.min(100, Math.floor((done * 100) / total))}%)`;
  } else text += ` ${unit}`;
  if (seconds >= 1 && done > 0) {
    text += `, ${fmt(rate)} ${unit}/s`;
    if (total !== undefined && total > done) text += `, about ${formatDuration((total - done) / rate)} left`;
  }
  return text;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? stream.isTTY === true;
  const everyMs = opts.everyMs ?? 10_000;
  const now = opts.now ?? Date.now;
  let phase = '';
  let unit = opts.unit;
  let total: number | undefined;
  let done = 0;
  let started = now();
  let lastPrinted = started;
  let printedAny = false;
  let drawn = false;

  const print = () => {
    const t = now();
    lastPrinted = t;
    printedAny = true;
    const text = progressText(opts.label, unit, phase, done, total, (t - started) / 1000);
    if (tty) {
      stream.write(`\r${text}\x1b[K`);
      drawn = true;
    } else stream.write(`${text}\n`);
  };

  return {
    phase(name, newTotal, newUnit) {
      phase = name;
      unit = newUnit ?? opts.unit;
      total = newTotal;
      done = 0;
      started = now();
      // Not on a terminal, work that ends within `everyMs` prints nothing: a script's log stays clean.
      if (tty || printedAny) print();
    },
    update(n, newTotal) {
      done = n;
      if (newTotal !== undefined) total = newTotal;
      // A terminal is redrawn at most ten times a second: writing costs more than counting.
      if (now() - lastPrinted >= (tty ? 100 : everyMs)) print();
    },
    done() {
      if (!printedAny) return;
      print();
      if (tty && drawn) stream.write('\n');
    },
  };
}

/** A progress that prints nothing (`--no-progress`, `--json`). */
export const silentProgress: Progress = { phase() {}, update() {}, done() {} };
