import path from 'node:path';
import { mapRow, type SipriRow } from '../../src/import/sipri/map-row';
import { Readable } from 'node:stream';
import {
  parseGeneratedDate,
  quotesBalanced,
  readRegister,
  readRegisterStream,
  splitLine,
  type Variant,
} from '../../src/import/sipri/read-register';
import { loadCountryTable, PartyResolver } from '../../src/import/resolve-party';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'sipri', name);
const parties = new PartyResolver(loadCountryTable());

async function parse(name: string): Promise<{ variant: Variant; rows: SipriRow[]; rejected: string[] }> {
  const register = await readRegister(fixture(name));
  const rows: SipriRow[] = [];
  const rejected: string[] = [];
  for await (const line of register.lines) {
    const m = mapRow(register.variant.layout, line);
    if (m.ok) rows.push(m.row);
    else rejected.push(`${m.line}: ${m.reason}`);
  }
  return { variant: register.variant, rows, rejected };
}

/** What a variant must agree on: the deal as resolved, independent of spelling and layout. */
function comparable(rows: SipriRow[], withIds: boolean) {
  return rows.map((r) => ({
    ...(withIds ? { sipriId: r.sipriId } : {}),
    supplier: parties.resolve(r.supplier)?.id,
    recipient: parties.resolve(r.recipient)?.id,
    designation: r.designation,
    category: r.category,
    orderYear: r.orderYear,
    orderYearEstimated: r.orderYearEstimated,
    sipriStatus: r.sipriStatus,
    tivUnit: r.tivUnit,
    deliveries: r.deliveries.map((d) => ({ year: d.year, quantity: d.quantity, tiv: d.tiv })),
  }));
}

describe('SIPRI export reader', () => {
  it('detects the variant of every fixture', async () => {
    const expectations: Record<string, Partial<Variant>> = {
      'trade-register-excerpt.csv': {
        layout: 'current',
        encoding: 'utf-8',
        lineEnding: 'LF',
        trailingSemicolon: false,
      },
      'variant-crlf.csv': { lineEnding: 'CRLF', trailingSemicolon: false },
      'variant-trailing-semicolon.csv': { lineEnding: 'CRLF', trailingSemicolon: true, delimiter: ',' },
      'variant-latin1.csv': { encoding: 'latin1' },
      'variant-old-layout.csv': { layout: 'trade-register' },
    };
    for (const [file, expected] of Object.entries(expectations)) {
      const { variant } = await parse(file);
      expect({ file, ...variant }).toMatchObject({
        file,
        ...expected,
        headerLine: 12,
        dataGenerated: '2025-01-03',
      });
    }
  });

  it('reads the excerpt row by row with line numbers and every field', async () => {
    const { rows, rejected } = await parse('trade-register-excerpt.csv');
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(30);
    expect(rows[0]?.line).toBe(13);
    const turkey = rows.find((r) => r.sipriId === '59633');
    expect(turkey).toMatchObject({
      line: 38,
      supplier: 'Russia',
      recipient: 'Turkiye',
      designation: 'S-400 Triumf',
      category: 'Air defence systems',
      orderYear: 2017,
      orderYearEstimated: false,
      sipriStatus: 'New',
      tivUnit: 65,
      tivUnitNew: 65,
      localProduction: true,
      deliveries: [{ year: 2019, quantity: 2, quantityEstimated: true, yearEstimated: false, tiv: 130 }],
    });
    // SIPRI's dangling " -" is not part of a designation.
    expect(rows[0]?.designation).toBe('EMB-314');
  });

  it.each([
    'variant-crlf.csv',
    'variant-trailing-semicolon.csv',
    'variant-latin1.csv',
    'variant-category-spellings.csv',
  ])('%s parses to the same deals as the excerpt', async (file) => {
    const base = await parse('trade-register-excerpt.csv');
    const variant = await parse(file);
    expect(variant.rejected).toEqual([]);
    expect(comparable(variant.rows, true)).toEqual(comparable(base.rows, true));
  });

  it('reads the old trade-register layout to the same deals, with ids derived from each deal', async () => {
    const base = await parse('trade-register-excerpt.csv');
    const old = await parse('variant-old-layout.csv');
    expect(old.rejected).toEqual([]);
    expect(comparable(old.rows, false)).toEqual(comparable(base.rows, false));
    // Rows of one deal get one id; different deals different ids.
    const idsByBaseId = new Map<string, Set<string>>();
    base.rows.forEach((r, i) =>
      idsByBaseId.set(r.sipriId, (idsByBaseId.get(r.sipriId) ?? new Set()).add(old.rows[i]?.sipriId ?? '')),
    );
    expect([...idsByBaseId.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(old.rows.map((r) => r.sipriId)).size).toBe(idsByBaseId.size);
  });

  it('rejects broken rows with their line number and reason', async () => {
    const { rows, rejected } = await parse('rejected-rows.csv');
    expect(rows.map((r) => r.line)).toEqual([13, 15, 19, 20]);
    expect(rejected).toEqual([
      '14: "SIPRI AT Database ID" is empty',
      '16: "Order date" is not a year: "20X7"',
      '17: "Order date is estimate" is neither Yes nor No: "Maybe"',
      '18: more fields than the header has',
    ]);
  });

  it('refuses a file that is not a SIPRI export', async () => {
    await expect(readRegister(path.join(__dirname, '..', '..', 'package.json'))).rejects.toThrow(
      /Not a SIPRI/,
    );
  });

  it('reads the "Data generated" date', () => {
    expect(parseGeneratedDate('3 Jan 2025 9:16:02 PM')).toBe('2025-01-03');
    expect(parseGeneratedDate('12 March 2024')).toBe('2024-03-12');
    expect(parseGeneratedDate('2023-11-30')).toBe('2023-11-30');
    expect(parseGeneratedDate('sometime')).toBeUndefined();
  });

  it('splits quoted fields as CSV, and reads a stray quote inside a field as a character', () => {
    expect(splitLine('1,Korea,"Mk-45, 127mm",x', ',')).toEqual(['1', 'Korea', 'Mk-45, 127mm', 'x']);
    expect(splitLine('1,Korea,5" gun,x', ',')).toEqual(['1', 'Korea', '5" gun', 'x']);
    expect(splitLine('a;b;;c', ';')).toEqual(['a', 'b', '', 'c']);
  });

  it('reads quoted fields and chunks cut anywhere with file line numbers; a line with an unclosed quote is rejected alone', async () => {
    const text = [
      'Source: SIPRI Arms Transfers Database (c) SIPRI.',
      'SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production',
      '1,Russia,India,"Su-30MK, batch 2",FGA aircraft,Aircraft,2017,No,2,No,2018,No,New,55,55,110,No',
      '2,France,India,Rafale,"FGA aircraft',
      'with a note",Aircraft,2016,No,3,No,2020,No,New,60,60,180,Yes',
      '3,France,Egypt,Rafale,FGA aircraft,Aircraft,2015,No,6,No,2016,No,New,60,60,360,No',
      '',
    ].join('\r\n');
    // Chunks of 7 bytes: lines and the CRLF pairs are cut at every place.
    const bytes = Buffer.from(text, 'utf8');
    const chunks = (from: number) => {
      const out: Buffer[] = [];
      for (let i = from; i < bytes.length; i += 7) out.push(bytes.subarray(i, i + 7));
      return out;
    };
    const register = await readRegisterStream(() => Readable.from(chunks(0)), bytes.length);
    const got: {
      line: number;
      id: string | undefined;
      designation: string | undefined;
      description: string | undefined;
    }[] = [];
    for await (const l of register.lines) {
      got.push({
        line: l.line,
        id: l.fields['SIPRI AT Database ID'],
        designation: l.fields.Designation,
        description: l.fields.Description,
      });
    }
    expect(register.variant).toMatchObject({ lineEnding: 'CRLF', headerLine: 2 });
    expect(got).toEqual([
      { line: 3, id: '1', designation: 'Su-30MK, batch 2', description: 'FGA aircraft' },
      { line: 4, id: undefined, designation: undefined, description: undefined },
      // The next line is a row of its own: it is read as one and fails on its id later (mapRow).
      { line: 5, id: 'with a note"', designation: 'No', description: '3' },
      { line: 6, id: '3', designation: 'Rafale', description: 'FGA aircraft' },
    ]);
    expect(register.bytesRead()).toBe(bytes.length);
  });
});

describe('quotesBalanced', () => {
  it.each([
    ['1,Russia,"Su-30MKK, Flanker",x', true],
    ['1,Russia,"He said ""no""",x', true],
    ['1,Russia,17" gun,x', true],
    ['1,"Russia"', true],
    ['1,Russia,"unclosed,x', false],
    ['1,"Russia"x,y', false],
    ['"', false],
  ])('%s → %s', (line, ok) => {
    expect(quotesBalanced(line, ',')).toBe(ok);
  });
});

describe('input bounds and encodings', () => {
  const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
  const os = jest.requireActual<typeof import('node:os')>('node:os');
  const excerpt = () => fs.readFileSync(fixture('trade-register-excerpt.csv'), 'utf8');

  it('rejects a row with a 50 MB field by its line number, reads the rows around it, never holds the line', async () => {
    const lines = excerpt().split('\n');
    const header = lines.findIndex((l) => l.startsWith('SIPRI AT Database ID'));
    const victim = lines[header + 1] ?? '';
    const cells = victim.split(',');
    cells[4] = 'x'.repeat(50 * 1024 * 1024);
    const huge = cells.join(',');
    const before = lines.slice(0, header + 2).join('\n') + '\n';
    const after = '\n' + lines.slice(header + 2).join('\n');
    // Streamed in 64 KiB chunks, as a file is: the huge line arrives in pieces.
    const pieces = function* () {
      yield Buffer.from(before);
      for (let i = 0; i < huge.length; i += 65536) yield Buffer.from(huge.slice(i, i + 65536));
      yield Buffer.from(after);
    };
    const register = await readRegisterStream(() => Readable.from(pieces()));
    const got: Array<{ line: number; broken: string | undefined }> = [];
    for await (const l of register.lines) got.push({ line: l.line, broken: l.fields['#broken'] });
    const hugeLine = header + 3;
    expect(got.find((g) => g.line === hugeLine)?.broken).toMatch(/longer than 65536 characters/);
    // The row before and every row after are read as usual, with the right line numbers.
    const goodRows = lines.slice(header + 2).filter((l) => l.trim() !== '').length + 1;
    expect(got.filter((g) => g.broken === undefined)).toHaveLength(goodRows);
    expect(got.every((g) => g.line !== hugeLine || g.broken !== undefined)).toBe(true);
    const m = mapRow('current', {
      line: hugeLine,
      fields: { '#broken': got.find((g) => g.line === hugeLine)?.broken ?? '' },
    });
    expect(m).toMatchObject({ ok: false, line: hugeLine });
  });

  it('rejects a field over the field bound with its name', async () => {
    const lines = excerpt().split('\n');
    const header = lines.findIndex((l) => l.startsWith('SIPRI AT Database ID'));
    const cells = (lines[header + 1] ?? '').split(',');
    cells[4] = 'y'.repeat(10_000);
    lines[header + 1] = cells.join(',');
    const register = await readRegisterStream(() => Readable.from([Buffer.from(lines.join('\n'))]));
    const first = (await register.lines.next()).value as { line: number; fields: Record<string, string> };
    expect(first.line).toBe(header + 2);
    expect(first.fields['#broken']).toMatch(
      /field "Description" holds 10000 characters; the most a field may hold is 8192/,
    );
  });

  it.each([
    ['utf16le', Buffer.from([0xff, 0xfe]), /UTF-16 \(little-endian, with a byte-order mark\)/],
    ['utf16le', Buffer.alloc(0), /UTF-16 \(little-endian, no byte-order mark\)/],
  ] as const)('refuses a %s file by the name of its encoding', async (encoding, bom, message) => {
    const bytes = Buffer.concat([bom, Buffer.from(excerpt(), encoding)]);
    const attempt = readRegisterStream(() => Readable.from([bytes]));
    await expect(attempt).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a UTF-16 big-endian file with a byte-order mark by name', async () => {
    const le = Buffer.from(excerpt(), 'utf16le');
    const be = Buffer.alloc(le.length);
    for (let i = 0; i + 1 < le.length; i += 2) {
      be[i] = le[i + 1] ?? 0;
      be[i + 1] = le[i] ?? 0;
    }
    const attempt = readRegisterStream(() => Readable.from([Buffer.concat([Buffer.from([0xfe, 0xff]), be])]));
    await expect(attempt).rejects.toMatchObject({ message: expect.stringMatching(/UTF-16 \(big-endian/) });
  });

  it('names a directory and an unreadable file in one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-read-'));
    try {
      expect(() => readRegister(dir)).toThrow(/is a directory, not an export file$/);
      const file = path.join(dir, 'locked.csv');
      fs.writeFileSync(file, excerpt(), { mode: 0o000 });
      // Root reads anything: the check only means something for an ordinary user.
      if (process.getuid?.() !== 0)
        expect(() => readRegister(file)).toThrow(/cannot be read \(permission denied\)$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
