import { corkWrites, installBoltWriteCoalescing, nodeChannelPrototype } from '../../src/db/bolt-writes';

/** A socket that records what reaches it: writes while corked go out together at uncork. */
function fakeSocket() {
  const sent: string[][] = [];
  let held: string[] | null = null;
  const socket = {
    get writableCorked() {
      return held ? 1 : 0;
    },
    cork() {
      held ??= [];
    },
    uncork() {
      if (held?.length) sent.push(held);
      held = null;
    },
    write(b: string) {
      if (held) held.push(b);
      else sent.push([b]);
    },
  };
  return { socket, sent };
}

describe('Bolt writes', () => {
  it("finds neo4j-driver's Node channel and wraps its write once", () => {
    const proto = nodeChannelPrototype();
    expect(proto).not.toBeNull();
    expect(installBoltWriteCoalescing()).toBe(true);
    const wrapped = proto!.write;
    expect(installBoltWriteCoalescing()).toBe(true);
    expect(proto!.write).toBe(wrapped);
  });

  it('sends the chunks written in one tick as one write, and the next tick as another', async () => {
    const { socket, sent } = fakeSocket();
    class Channel {
      _conn = socket;
      _pending: unknown[] | null = null;
      write(b: string) {
        if (this._pending) this._pending.push(b);
        else this._conn.write(b);
      }
    }
    corkWrites(Channel.prototype as never);
    const ch = new Channel();
    ch.write('chunk 1');
    ch.write('chunk 2');
    ch.write('chunk 3');
    expect(sent).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    ch.write('next');
    await new Promise((r) => process.nextTick(r));
    expect(sent).toEqual([['chunk 1', 'chunk 2', 'chunk 3'], ['next']]);
    // A channel still connecting queues its writes itself: its socket is not corked.
    const connecting = new Channel();
    connecting._pending = [];
    connecting.write('early');
    expect(socket.writableCorked).toBe(0);
    expect(connecting._pending).toEqual(['early']);
  });
});
