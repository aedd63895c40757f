import { Writable } from 'node:stream';
import fc from 'fast-check';
import neo4j from 'neo4j-driver';
import { toPlainList } from '../../src/db/mapper';
import { stripXmlForbidden, xmlAttr, xmlText } from '../../src/export/escape';
import { ExportSink } from '../../src/export/sink';

/** Every UTF-16 code unit, lone surrogates included: what a string property may hold. */
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
/** Mostly plain text with the characters XML treats specially mixed in. */
const xmlish = fc
  .array(
    fc.constantFrom(
      'a',
      ' ',
      'Ω',
      '中',
      '🚀',
      '&',
      '<',
      '>',
      '"',
      "'",
      '\t',
      '\n',
      '\r',
      '\u0001',
      '\uFFFE',
      '\uD83D',
    ),
    {
      maxLength: 30,
    },
  )
  .map((cs) => cs.join(''));

const REFS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

describe('XML escaping fast path', () => {
  // The rule, spelled out the long way: drop what XML cannot hold, then escape. The escapers answer
  // most strings with one test; whatever they skip must come out the same.
  it('escapes attribute values exactly as the full rule does', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, xmlish), (s) => {
        expect(xmlAttr(s)).toBe(stripXmlForbidden(s).replace(/[&<>"'\t\n\r]/g, (c) => REFS[c] ?? c));
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes element text exactly as the full rule does', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, xmlish), (s) => {
        expect(xmlText(s)).toBe(stripXmlForbidden(s).replace(/[&<>\r]/g, (c) => REFS[c] ?? c));
      }),
      { numRuns: 2000 },
    );
  });
});

/** A destination that keeps every byte and applies backpressure (a small buffer). */
function collector(): { out: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 8,
    write(chunk: Buffer, _enc, cb) {
      parts.push(Buffer.from(chunk));
      setImmediate(cb);
    },
  });
  return { out, bytes: () => Buffer.concat(parts) };
}

describe('ExportSink', () => {
  it('writes exactly the UTF-8 of the text it was given, whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(anyText, xmlish, fc.string({ maxLength: 300 })), { maxLength: 60 }),
        fc.integer({ min: 4, max: 200 }),
        async (texts, chunkBytes) => {
          const { out, bytes } = collector();
          const sink = new ExportSink(out, undefined, true, chunkBytes);
          for (const t of texts) {
            sink.write(t);
            if (sink.full) await sink.flush();
          }
          await sink.end();
          expect(bytes().equals(Buffer.from(texts.join(''), 'utf8'))).toBe(true);
          expect(sink.written).toBe(bytes().length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('says it is full once a chunk is ready, and runs beforeFirstWrite once, before the first byte', async () => {
    const { out, bytes } = collector();
    const seen: number[] = [];
    const sink = new ExportSink(out, () => seen.push(bytes().length), true, 16);
    sink.write('0123456789');
    expect(sink.full).toBe(false);
    sink.write('abcdefgh');
    expect(sink.full).toBe(true);
    await sink.flush();
    expect(sink.full).toBe(false);
    sink.write('tail');
    await sink.end();
    expect(seen).toEqual([0]);
    expect(bytes().toString('utf8')).toBe('0123456789abcdefghtail');
  });
});

describe('toPlainList', () => {
  it('converts Neo4j integers in place, nested lists included, and leaves plain values alone', () => {
    const inner = [neo4j.int(2019), 'x'];
    const list: unknown[] = ['a', 1.5, true, null, neo4j.int(7), inner, neo4j.int('9007199254740993')];
    const out = toPlainList(list);
    expect(out).toBe(list);
    expect(out).toEqual(['a', 1.5, true, null, 7, [2019, 'x'], '9007199254740993']);
    expect(out[5]).toBe(inner);
  });
});
