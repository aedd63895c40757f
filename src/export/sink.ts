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
 * Where an export writes: text is encoded straight into a chunk buffer of `chunkBytes` (UTF-8) and
 * each full chunk written to the stream; when the stream's buffer is full the export waits for
 * 'drain' (backpressure), so a slow reader slows the Neo4j reads instead of filling memory. Encoding as
 * it goes leaves no string of a whole chunk to build, copy and collect. `beforeFirstWrite` runs once,
 * right before the first byte leaves: an HTTP export sets its status and headers there, so an error
 * raised before that point can still be answered with an error status.
 */
export class ExportSink {
  /** Chunks filled and waiting for the next flush, with the bytes used in each. */
  private sealed: [Buffer, number][] = [];
  /** Chunks the stream has written out, to fill again: the sink's memory is a few chunks, reused. */
  private spare: Buffer[] = [];
  private sealedBytes = 0;
  private chunk: Buffer;
  private used = 0;
  private started = false;
  /** Bytes handed to the stream so far. */
  written = 0;
  /** Set once the destination closed (a client that went away): 'close' may come while no one waits. */
  private closed = false;

  constructor(
    private readonly out: Writable,
    private readonly beforeFirstWrite: () => void = () => undefined,
    /** False for a stream that is not the export's to close (stdout). */
    private readonly endStream = true,
    private readonly chunkBytes = 256 * 1024,
  ) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
    out.once('close', () => {
      this.closed = true;
    });
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4).
    if (this.used + text.length * 3 > this.chunk.length) {
      this.seal();
      if (text.length * 3 > this.chunk.length) this.chunk = Buffer.allocUnsafe(text.length * 3);
    }
    this.used += this.chunk.write(text, this.used);
  }

  /** Moves the bytes of the current chunk to the sealed list and starts a new chunk. */
  private seal(): void {
    if (this.used === 0) return;
    this.sealed.push([this.chunk, this.used]);
    this.sealedBytes += this.used;
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
  }

  get full(): boolean {
    return this.sealedBytes + this.used >= this.chunkBytes;
  }

  async flush(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.beforeFirstWrite();
    }
    this.seal();
    if (this.sealed.length === 0) return;
    const chunks = this.sealed;
    this.sealed = [];
    this.written += this.sealedBytes;
    this.sealedBytes = 0;
    if (this.closed || this.out.destroyed || this.out.writableEnded) throw new ExportAborted();
    let ok = true;
    for (const [chunk, used] of chunks) {
      // The callback runs once the stream is done with the bytes; then the chunk can be filled again.
      const reuse = chunk.length === this.chunkBytes && this.spare.length < 4;
      ok = this.out.write(chunk.subarray(0, used), reuse ? () => this.spare.push(chunk) : undefined);
    }
    if (!ok) await drained(this.out, () => this.closed);
  }

  /** Flushes what is left and ends the stream (waiting until it is written). */
  async end(): Promise<void> {
    await this.flush();
    if (!this.endStream) return;
    // 'finish' rather than end(callback): a compressing response (src/http/compression.ts) takes
    // end(chunk, encoding) and would read a callback as the last chunk.
    await new Promise<void>((resolve, reject) => {
      this.out.once('finish', () => resolve());
      this.out.once('error', reject);
      this.out.end();
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
