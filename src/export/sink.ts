import type { Writable } from 'node:stream';
import { ArmsgraphError, ErrorCode } from '../errors';

/** The reader went away (HTTP client disconnected, pipe closed): the export stops reading Neo4j. */
export class ExportAborted extends Error {
  constructor() {
    super('the export destination closed before the export ended');
    this.name = 'ExportAborted';
  }
}

/**
 * Where an export writes: text is gathered into chunks of about `chunkChars` and each chunk written to
 * the stream; when the stream's buffer is full the export waits for 'drain' (backpressure), so a slow
 * reader slows the Neo4j reads instead of filling memory. `beforeFirstWrite` runs once, right before
 * the first byte leaves: an HTTP export sets its status and headers there, so an error raised before
 * that point can still be answered with an error status.
 */
export class ExportSink {
  private parts: string[] = [];
  private size = 0;
  private started = false;
  /** Characters handed to the stream so far. */
  written = 0;
  /** Set once the destination closed (a client that went away): 'close' may come while no one waits. */
  private closed = false;

  constructor(
    private readonly out: Writable,
    private readonly beforeFirstWrite: () => void = () => undefined,
    /** False for a stream that is not the export's to close (stdout). */
    private readonly endStream = true,
    private readonly chunkChars = 64 * 1024,
  ) {
    out.once('close', () => {
      this.closed = true;
    });
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  get full(): boolean {
    return this.size >= this.chunkChars;
  }

  async flush(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.beforeFirstWrite();
    }
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.written += chunk.length;
    if (this.closed || this.out.destroyed || this.out.writableEnded) throw new ExportAborted();
    if (!this.out.write(chunk)) await drained(this.out, () => this.closed);
  }

  /** Flushes what is left and ends the stream (waiting until it is written). */
  async end(): Promise<void> {
    await this.flush();
    if (!this.endStream) return;
    await new Promise<void>((resolve, reject) => {
      this.out.end(() => resolve());
      this.out.once('error', reject);
    });
  }
}

function drained(out: Writable, isClosed: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    // A destination that closed will never drain.
    if (isClosed() || out.destroyed) return reject(new ExportAborted());
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new ExportAborted());
    const onError = (err: Error) =>
      done(new ArmsgraphError(ErrorCode.INTERNAL_SERVER_ERROR, `writing the export failed: ${err.message}`));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onError);
  });
}
