import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import type { Database } from '../../src/db/database';
import { ArmsgraphError } from '../../src/errors';
import { importSipri, type ImportReport } from '../../src/import/sipri/import-register';
import { readRegisterStream } from '../../src/import/sipri/read-register';
import { seedGraph } from '../../src/seed/seeder';
import { openTestDatabase, resetGraph } from '../helpers/test-app';
import { fingerprint } from '../helpers/write-helpers';

// Generated bad input thrown at the SIPRI importer: every bad row is rejected with its line and a reason,
// every good row around it still lands, and the graph ends exactly as if the bad rows had never been there.

const excerpt = fs.readFileSync(
  path.join(__dirname, '..', 'fixtures', 'sipri', 'trade-register-excerpt.csv'),
  'utf8',
);
/** SIPRI's own preamble and header line, as the real export has them. */
const head = excerpt.slice(0, excerpt.indexOf('\n', excerpt.indexOf('SIPRI AT Database ID')) + 1);
const headerLine = head.trimEnd().split('\n').length;

const csvField = (v: string) => `"${v.replace(/"/g, '""')}"`;

interface GoodRow {
  id: number;
  supplier: string;
  recipient: string;
  description: string;
  year: number;
}

const goodFields = (r: GoodRow): string[] => [
  String(r.id),
  r.supplier,
  r.recipient,
  `Fuzz system ${r.id % 7}`,
  r.description,
  'Air defence systems',
  String(r.year),
  'No',
  '2',
  'No',
  String(r.year + 2),
  'No',
  'New',
  '65',
  '65',
  '130',
  'No',
];

// Each breaks one column in a way the importer must refuse.
const breakers: fc.Arbitrary<(fields: string[]) => string[]>[] = [
  fc.stringMatching(/^[a-z]{1,8}$/).map((s) => (f: string[]) => f.with(0, `id-${s}`)),
  fc.constant((f: string[]) => f.with(0, '')),
  fc.stringMatching(/^[A-Z][a-z]{3,10}$/).map((s) => (f: string[]) => f.with(1, `Zz${s}land`)),
  fc.stringMatching(/^[a-z]{1,4}$/).map((s) => (f: string[]) => f.with(6, `20${s}`)),
  fc.integer({ min: 0, max: 999 }).map((n) => (f: string[]) => f.with(10, String(n))),
  fc.stringMatching(/^[a-z]{2,6}$/).map((s) => (f: string[]) => f.with(7, `Maybe${s}`)),
  fc.stringMatching(/^[a-z]{1,6}$/).map((s) => (f: string[]) => f.with(8, `many${s}`)),
  fc.integer({ min: 1, max: 1e6 }).map((n) => (f: string[]) => f.with(14, `-${n}`)),
  fc.stringMatching(/^[a-z]{1,6}$/).map((s) => (f: string[]) => f.with(12, `Stolen ${s}`)),
  fc.string({ minLength: 1, maxLength: 10 }).map((s) => (f: string[]) => [...f, `extra ${s}`]),
];

const text = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .map((s) => s.replace(/[\p{Cc}\p{Cs}\u2028\u2029]/gu, '').trim())
  .filter((s) => s.length > 0);

const goodRow = (id: number) =>
  fc.record({
    id: fc.constant(id),
    supplier: fc.constantFrom('Russia', 'United States', 'France', 'China'),
    recipient: fc.constantFrom('Turkiye', 'India', 'Egypt', 'Brazil'),
    description: fc.oneof(
      text,
      fc.constantFrom("'}) DETACH DELETE n //", '"; MATCH (n) DELETE n; "', '=cmd|/c calc', 'ракета & «ЗРК»'),
    ),
    year: fc.integer({ min: 1990, max: 2020 }),
  });

/** A register: good rows and broken rows shuffled together; which lines are broken is known. */
const register = fc
  .tuple(fc.integer({ min: 5, max: 20 }), fc.array(fc.oneof(...breakers), { minLength: 150, maxLength: 250 }))
  .chain(([goods, breaks]) =>
    fc.tuple(
      fc.tuple(...Array.from({ length: goods }, (_, i) => goodRow(90_000_000 + i))),
      fc.constant(breaks),
      fc.array(fc.nat(), { minLength: goods + breaks.length, maxLength: goods + breaks.length }),
    ),
  )
  .map(([goods, breaks, order]) => {
    const lines = [
      ...goods.map((g) => ({ good: g as GoodRow | undefined, fields: goodFields(g) })),
      ...breaks.map((b, i) => ({
        good: undefined,
        fields: b(
          goodFields({
            id: 80_000_000 + i,
            supplier: 'Russia',
            recipient: 'India',
            description: 'x',
            year: 2001,
          }),
        ),
      })),
    ]
      .map((l, i) => ({ ...l, rank: order[i] ?? 0 }))
      .sort((a, b) => a.rank - b.rank);
    return {
      lines,
      csv: head + lines.map((l) => l.fields.map(csvField).join(',')).join('\n') + '\n',
      goodOnly:
        head +
        lines
          .filter((l) => l.good)
          .map((l) => l.fields.map(csvField).join(','))
          .join('\n') +
        '\n',
    };
  });

const importText = async (db: Database, csv: string): Promise<ImportReport> =>
  importSipri(db, await readRegisterStream(() => Readable.from([Buffer.from(csv, 'utf8')])), {
    batchSize: 64,
  });

// A file is a release even when none of its rows is good: its Source (`sipri-atdb@<date>`) and that
// Source's VERSION_OF link are recorded. Everything else is counted.
const countGraph = (db: Database) =>
  db.read(
    `MATCH (n) WHERE NOT (n:Source AND n.id STARTS WITH 'sipri-atdb@')
     OPTIONAL MATCH (n)-[r]->() WHERE type(r) <> 'VERSION_OF'
     RETURN count(DISTINCT n) AS n, count(r) AS r`,
  );

async function freshGraph(db: Database): Promise<void> {
  await resetGraph(db);
  await seedGraph(db);
}

describe('generated bad input at the SIPRI importer', () => {
  let db: Database;
  let badRows = 0;

  beforeAll(async () => {
    db = await openTestDatabase();
  });

  afterAll(async () => {
    await db.close();
  });

  it('rejects every broken row with its line and reason, and writes exactly what the good rows say', async () => {
    await fc.assert(
      fc.asyncProperty(register, async ({ lines, csv, goodOnly }) => {
        await freshGraph(db);
        const expectedReport = await importText(db, goodOnly);
        const expected = await fingerprint(db);

        await freshGraph(db);
        const report = await importText(db, csv);
        const brokenLines = lines.flatMap((l, i) => (l.good ? [] : [headerLine + 1 + i]));
        badRows += brokenLines.length;

        expect(report.rowsRead).toBe(lines.length);
        expect(report.rowsRead).toBe(report.rowsImported + report.rejected.length);
        expect(report.rejected.map((r) => r.line).sort((a, b) => a - b)).toEqual(brokenLines);
        for (const r of report.rejected) expect(r.reason).toMatch(/\S/);
        expect(report.rowsImported).toBe(expectedReport.rowsImported);
        expect(await fingerprint(db)).toBe(expected);

        // Text travels as parameters: injection strings are stored as written, never run.
        const good = lines.flatMap((l) => (l.good ? [l.good] : []));
        const stored = await db.read(
          'UNWIND $ids AS id MATCH (d:Deal {sipriId: id}) RETURN d.sipriId AS id, d.description AS description',
          { ids: good.map((g) => String(g.id)) },
        );
        expect(new Map(stored.map((s) => [s.id, s.description]))).toEqual(
          new Map(good.map((g) => [String(g.id), g.description])),
        );
      }),
      { numRuns: 12 },
    );
    expect(badRows).toBeGreaterThan(1500);
    // Twelve runs of two seeded imports each: minutes on a busy two-core machine (the default 240 s was
    // passed at load 13, and the property kept running into the next test).
  }, 900_000);

  it('refuses a file that is not an export with BAD_USER_INPUT and writes nothing', async () => {
    await freshGraph(db);
    const before = await fingerprint(db);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 4096 }),
          fc.string({ maxLength: 2000 }).map((s) => new TextEncoder().encode(s)),
        ),
        async (bytes) => {
          const attempt = readRegisterStream(() => Readable.from([Buffer.from(bytes)]));
          await expect(attempt).rejects.toBeInstanceOf(ArmsgraphError);
          await expect(attempt).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
        },
      ),
      { numRuns: 1000 },
    );
    expect(await fingerprint(db)).toBe(before);
  });

  it('reads any garbage under a real header without crashing, accounting for every line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ minLength: 1, maxLength: 120 }).filter((s) => !/[\r\n]/.test(s) && s.trim() !== ''),
          { minLength: 1, maxLength: 60 },
        ),
        async (garbage) => {
          await freshGraph(db);
          const beforeCounts = await countGraph(db);
          const report = await importText(db, head + garbage.join('\n') + '\n');
          expect(report.rowsRead).toBe(garbage.length);
          expect(report.rowsRead).toBe(report.rowsImported + report.rejected.length);
          if (report.rowsImported === 0) {
            // Nothing but the release's own Source and the SIPRI Source's date may change.
            expect(await countGraph(db)).toEqual(beforeCounts);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
