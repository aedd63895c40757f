import { parse } from 'csv-parse/sync';
import { csvRow, UTF8_BOM } from '../../src/export/csv';
import { dealsCsvHeader } from '../../src/export/formats';

const cell = (value: Parameters<typeof csvRow>[0][number]) => csvRow([value]).slice(0, -2);

describe('CSV records (RFC 4180 through csv-stringify, formula guard)', () => {
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
    const withBom = Buffer.from(dealsCsvHeader(), 'utf8');
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(dealsCsvHeader().startsWith(`${UTF8_BOM}deal_id,`)).toBe(true);
    expect(dealsCsvHeader(false).startsWith('deal_id,')).toBe(true);
  });
});
