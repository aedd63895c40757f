import { parse } from 'csv-parse/sync';
import { stringify, type Options } from 'csv-stringify/sync';
import fc from 'fast-check';
import type { Plain } from '../../src/db/mapper';
import { csvRow, UTF8_BOM } from '../../src/export/csv';
import { plainText } from '../../src/export/escape';
import { dealsCsv } from '../../src/export/formats/deals-csv';

const cell = (value: Parameters<typeof csvRow>[0][number]) => csvRow([value]).slice(0, -2);

describe('CSV records (RFC 4180 as csv-stringify writes it, formula guard)', () => {
  it('quotes fields with commas, quotes and line breaks; doubles quotes', () => {
    expect(cell('a,b')).toBe('"a,b"');
    expect(cell('say "hi"')).toBe('"say ""hi"""');
    expect(cell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(cell('plain')).toBe('plain');
    expect(cell(null)).toBe('');
    expect(csvRow(['a', 1, true, false, ['x', 'y'], 2.5])).toBe('a,1,true,false,x|y,2.5\r\n');
  });

  it('defuses text that a spreadsheet would run as a formula, and leaves numbers alone', () => {
    for (const formula of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '\uFF1D1+1', ['=x', 'y']]) {
      expect([formula, cell(formula).replace(/^"/, '').startsWith(`'`)]).toEqual([formula, true]);
    }
    expect(cell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(cell(-5)).toBe('-5');
    expect(cell(-0.5)).toBe('-0.5');
    expect(cell('a=b')).toBe('a=b');
  });

  it('reads back with csv-parse as the same cells', () => {
    const row = ['Türkiye', 'S-400 "Triumf", SA-21', 'line\nbreak', 2017, 'Россия', '🚀'];
    expect(parse(csvRow(row))).toEqual([row.map(String)]);
  });

  it('starts deals.csv with a UTF-8 byte-order mark unless asked not to', () => {
    const header = (bom: boolean) => {
      let text = '';
      const writer = dealsCsv.writer((t) => (text += t), { selection: 'all', generated: '', bom });
      if (writer.reads !== 'deals') throw new Error('deals.csv reads deals');
      writer.start(['deal_id', 'deal']);
      return text;
    };
    const withBom = Buffer.from(header(true), 'utf8');
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(header(true)).toBe(`${UTF8_BOM}deal_id,deal\r\n`);
    expect(header(false)).toBe('deal_id,deal\r\n');
  });

  // The options the exports used with csv-stringify before writing cells themselves: the same bytes.
  const CSV_STRINGIFY: Options = {
    record_delimiter: '\r\n',
    quote_record_delimiter: true,
    escape_formulas: true,
    cast: { boolean: (value) => String(value), object: (value) => plainText(value as Plain) },
  };
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc
      .array(
        fc.constantFrom(
          'a',
          ' ',
          'Ω',
          '🚀',
          ',',
          '"',
          '\n',
          '\r',
          '\t',
          '=',
          '+',
          '-',
          '@',
          '\uFF1D',
          "'",
          '|',
        ),
        {
          maxLength: 12,
        },
      )
      .map((cs) => cs.join('')),
  );
  const value: fc.Arbitrary<Plain> = fc.oneof(
    text,
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true }),
    fc.array(text, { maxLength: 3 }),
    fc.array(fc.integer(), { maxLength: 3 }),
  );

  it('writes every record byte for byte as csv-stringify did', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (row) => {
        expect(csvRow(row)).toBe(stringify([row], CSV_STRINGIFY));
      }),
      { numRuns: 3000 },
    );
  });
});
