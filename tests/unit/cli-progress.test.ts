import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countLines } from '../../src/cli/count-lines';
import { EXIT, exitCodeOf, failureMessage, UsageError } from '../../src/cli/exit-codes';
import { createProgress, progressText } from '../../src/cli/progress';
import { ConfigError } from '../../src/config';
import { ArmsgraphError, ErrorCode } from '../../src/errors';

/** A stream that keeps what is written, and a clock the test moves. */
function fakeTerminal(tty: boolean) {
  const written: string[] = [];
  const stream = { write: (s: string) => written.push(s) > 0, isTTY: tty } as unknown as NodeJS.WriteStream;
  let t = 0;
  return { written, stream, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress lines', () => {
  it('say the phase, done of total, rate and time left', () => {
    expect(progressText('import', 'rows', 'writing', 5000, 20000, 10)).toBe(
      'import: writing 5,000 / 20,000 rows (25%), 500 rows/s, about 30 s left',
    );
    expect(progressText('export x', 'items', 'writing', 300, undefined, 2)).toBe(
      'export x: writing 300 items, 150 items/s',
    );
  });

  it('redraw one line on a terminal and end it at the end', () => {
    const term = fakeTerminal(true);
    const p = createProgress({ label: 'import', unit: 'rows', stream: term.stream, now: term.now });
    p.phase('writing', 100);
    term.advance(1000);
    p.update(50);
    p.done();
    expect(term.written.every((w) => w.startsWith('\r') || w === '\n')).toBe(true);
    expect(term.written.at(-1)).toBe('\n');
    expect(term.written.at(-2)).toMatch(/writing 50 \/ 100 rows \(50%\)/);
  });

  it('print plain lines off a terminal, nothing for work shorter than the period', () => {
    const quiet = fakeTerminal(false);
    const q = createProgress({ label: 'import', unit: 'rows', stream: quiet.stream, now: quiet.now });
    q.phase('writing', 10);
    quiet.advance(500);
    q.update(10);
    q.done();
    expect(quiet.written).toEqual([]);

    const log = fakeTerminal(false);
    const p = createProgress({
      label: 'import',
      unit: 'rows',
      stream: log.stream,
      now: log.now,
      everyMs: 1000,
    });
    p.phase('writing', 100);
    log.advance(1500);
    p.update(40);
    p.phase('reconciling deal statuses', 7, 'deals');
    p.update(7);
    p.done();
    expect(log.written.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(log.written[0]).toMatch(/^import: writing 40 \/ 100 rows/);
    expect(log.written.at(-1)).toMatch(/^import: reconciling deal statuses 7 \/ 7 deals \(100%\)/);
  });
});

describe('counting the rows of a file', () => {
  it('counts non-blank lines after the header, with or without a final line break', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-count-'));
    const file = path.join(dir, 'x.csv');
    try {
      fs.writeFileSync(file, 'preamble\r\n\r\nh1,h2;\r\na,b;\r\n;\r\nc,d;\r\ne,f');
      expect(await countLines(file, 4)).toBe(3);
      fs.writeFileSync(file, 'h\na\nb\n\n');
      expect(await countLines(file, 2)).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('exit codes', () => {
  it('map each kind of failure to the code the README promises', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(EXIT.USAGE);
    expect(exitCodeOf(new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'x'))).toBe(EXIT.USAGE);
    expect(exitCodeOf(new ConfigError('x'))).toBe(EXIT.ENVIRONMENT);
    expect(exitCodeOf(new ArmsgraphError(ErrorCode.DATABASE_UNAVAILABLE, 'x'))).toBe(EXIT.ENVIRONMENT);
    const inUse = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      syscall: 'listen',
      port: 4000,
    });
    expect(exitCodeOf(inUse)).toBe(EXIT.ENVIRONMENT);
    expect(failureMessage(inUse)).toMatch(/^port 4000 is already in use/);
    expect(exitCodeOf(new ArmsgraphError(ErrorCode.NOT_FOUND, 'x'))).toBe(EXIT.FAILED);
    expect(exitCodeOf(new Error('bug'))).toBe(EXIT.FAILED);
  });
});
