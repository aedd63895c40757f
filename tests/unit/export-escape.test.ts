import fc from 'fast-check';
import type { Plain } from '../../src/db/mapper';
import { lastEscaped, plainText, stripXmlForbidden, xmlAttr, xmlText } from '../../src/export/escape';
import { dealInterval, isoDate } from '../../src/export/intervals';
import { selectionFromParams } from '../../src/export/selection';
import { ArmsgraphError } from '../../src/errors';

describe('XML escaping', () => {
  it('escapes markup and quotes, keeps every script and astral characters', () => {
    expect(xmlAttr(`Smith & "Sons" <Ltd> 'x'`)).toBe(
      'Smith &amp; &quot;Sons&quot; &lt;Ltd&gt; &apos;x&apos;',
    );
    expect(xmlText('a & b < c > d "e"')).toBe('a &amp; b &lt; c &gt; d "e"');
    expect(xmlAttr('Россия 中国 العربية 🚀')).toBe('Россия 中国 العربية 🚀');
  });

  it('keeps line breaks in attributes as references, so readers do not turn them into spaces', () => {
    expect(xmlAttr('a\nb\tc\rd')).toBe('a&#10;b&#9;c&#13;d');
    expect(xmlText('a\nb\r')).toBe('a\nb&#13;');
  });

  it('drops what XML 1.0 cannot hold: control characters, U+FFFE/FFFF, lone surrogates', () => {
    const nul = String.fromCharCode(0);
    const bell = String.fromCharCode(7);
    expect(stripXmlForbidden(`a${nul}b${bell}c\uFFFEd\uFFFF`)).toBe('abcd');
    expect(stripXmlForbidden('x\uD83Dy\uDE80z')).toBe('xyz');
    expect(stripXmlForbidden('🚀\uD83D')).toBe('🚀');
    expect(stripXmlForbidden('plain text')).toBe('plain text');
  });
});

describe('escaping a run of repeated strings once', () => {
  it('answers each string as the escape does, escaping a repeat only once', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a&b', 'C001', '"q"', ''), { maxLength: 20 }), (texts) => {
        let calls = 0;
        const escaped = lastEscaped((t: string) => {
          calls++;
          return xmlAttr(t);
        });
        expect(texts.map(escaped)).toEqual(texts.map(xmlAttr));
        const runs = texts.filter((t, i) => i === 0 || t !== texts[i - 1]).length;
        expect(calls).toBe(runs);
      }),
    );
  });
});

describe('values as one text cell', () => {
  it('joins a list with |, each item as its own cell would be, and spells scalars as JSON does', () => {
    const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { maxLength: 6 }),
        (list) => {
          const items = list as Plain[];
          expect(plainText(items)).toBe(items.map((v) => plainText(v)).join('|'));
        },
      ),
      { numRuns: 1000 },
    );
    expect(plainText(['a', 1, true, null, ['b', 2.5]])).toBe('a|1|true||b|2.5');
  });
});

describe('dates and intervals', () => {
  it('turns years and dates into ISO dates', () => {
    expect(isoDate(2017)).toBe('2017-01-01');
    expect(isoDate(2017, true)).toBe('2017-12-31');
    expect(isoDate('1952-02-18')).toBe('1952-02-18');
    expect(isoDate('2020-12-14T10:00:00Z')).toBe('2020-12-14');
    expect(isoDate('1952')).toBe('1952-01-01');
    expect(isoDate('soon')).toBeUndefined();
  });

  it('dates a deal from its order to its last delivery year', () => {
    expect(dealInterval({ orderYear: 2017, deliveryEndYear: 2020 })).toEqual({
      start: '2017-01-01',
      end: '2020-12-31',
    });
    expect(dealInterval({ orderDate: '2017-09-12', orderYear: 2017 })).toEqual({ start: '2017-09-12' });
    expect(dealInterval({ orderYear: 2021, deliveryEndYear: 2019 })).toEqual({ start: '2021-01-01' });
    expect(dealInterval({})).toBeUndefined();
  });
});

describe('selections from parameters', () => {
  const code = (params: Record<string, string>) => {
    try {
      selectionFromParams(params);
      return null;
    } catch (err) {
      return err instanceof ArmsgraphError ? err.code : 'uncoded';
    }
  };

  it('reads the whole graph, a deal filter or a neighbourhood', () => {
    expect(selectionFromParams({})).toEqual({ kind: 'all' });
    expect(
      selectionFromParams({ buyer: 'TUR', status: 'PENDING,DELIVERING', orderedFrom: '2010' }),
    ).toMatchObject({
      kind: 'deals',
      filter: { buyer: 'TUR', status: ['PENDING', 'DELIVERING'], orderedFrom: 2010, orderedTo: null },
    });
    expect(selectionFromParams({ around: 'TUR', depth: '2', types: 'BUYER, COVERS' })).toEqual({
      kind: 'around',
      id: 'TUR',
      depth: 2,
      first: 1000,
      types: ['BUYER', 'COVERS'],
      labels: null,
    });
  });

  it('refuses unknown, mixed and malformed parameters', () => {
    expect(code({ buyers: 'TUR' })).toBe('BAD_USER_INPUT');
    expect(code({ around: 'TUR', seller: 'RUS' })).toBe('BAD_USER_INPUT');
    expect(code({ depth: '2' })).toBe('BAD_USER_INPUT');
    expect(code({ status: 'SOLD' })).toBe('BAD_USER_INPUT');
    expect(code({ orderedTo: '20x' })).toBe('BAD_USER_INPUT');
  });
});
