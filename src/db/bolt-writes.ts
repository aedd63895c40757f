import path from 'node:path';

/**
 * One socket write per Bolt flush. neo4j-driver packs a statement (RUN and PULL) into 1,400-byte
 * chunks and hands each full chunk to the socket as it fills: a statement of 3.5 kB (a deal page:
 * resolution, count, page and entities in one) went out as three write(2) calls, a lookup's as two,
 * and on this loopback each write costs about as much CPU as all of the request's own JavaScript of a
 * field (bench/results/2026-12-01-request-cost.md: strace counted them, the CPU profile priced them).
 * Corking the socket for the rest of the tick turns the chunks of one flush into one writev(2), as
 * node:http does for a response's head and body.
 *
 * The driver has no option for it, so this wraps the write of its Node channel
 * (neo4j-driver-bolt-connection's NodeChannel, which neo4j-driver 6 depends on): installed once, for
 * the whole process, by the service's store (src/store.ts). If a driver upgrade moves the channel,
 * install() reports false and tests/unit/bolt-writes.test.ts fails, rather than the saving going
 * quietly.
 */

interface Socket {
  writableCorked: number;
  cork(): void;
  uncork(): void;
}

interface ChannelPrototype {
  write(this: { _conn?: Socket; _pending?: unknown }, buffer: unknown): void;
  [CORKED]?: true;
}

const CORKED = Symbol.for('armsgraph.boltWritesCorked');

/** The driver's NodeChannel prototype, found from neo4j-driver's own resolution; null if it moved. */
export function nodeChannelPrototype(): ChannelPrototype | null {
  try {
    const driverDir = path.dirname(require.resolve('neo4j-driver/package.json'));
    const file = require.resolve('neo4j-driver-bolt-connection/lib/channel/node/node-channel.js', {
      paths: [driverDir],
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default?: { prototype?: ChannelPrototype } };
    const proto = mod.default?.prototype;
    return proto && typeof proto.write === 'function' ? proto : null;
  } catch {
    return null;
  }
}

/** Wraps a channel's write so that every write of one tick reaches the socket as one writev. */
export function corkWrites(proto: ChannelPrototype): void {
  if (proto[CORKED]) return;
  const write = proto.write;
  proto.write = function (buffer) {
    const socket = this._conn;
    // While connecting, the channel queues writes itself (_pending) and sends them once connected.
    if (socket && !this._pending && !socket.writableCorked) {
      socket.cork();
      process.nextTick(() => socket.uncork());
    }
    write.call(this, buffer);
  };
  proto[CORKED] = true;
}

/** Installs corkWrites on the driver's channel; false when the driver no longer has it where expected. */
export function installBoltWriteCoalescing(): boolean {
  const proto = nodeChannelPrototype();
  if (!proto) return false;
  corkWrites(proto);
  return true;
}
