import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCountryTable } from '../../src/import/resolve-party';
import { writeBulkFiles } from '../../src/import/sipri/bulk-files';
import { readRegister } from '../../src/import/sipri/read-register';
import { SipriMapper } from '../../src/import/sipri/sipri-mapper';

const REGISTER = path.resolve(__dirname, '../fixtures/sipri/releases/release-2025-01-03.csv');

/** The bulk load's files (src/import/sipri/bulk-files.ts) for the fixture register, at most `maxPartBytes` held at once. */
async function written(limits?: Parameters<typeof writeBulkFiles>[5]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bulk-files-'));
  try {
    const register = await readRegister(REGISTER);
    const mapper = new SipriMapper(
      register.variant.layout,
      { systems: [], curated: [], takenIds: [] },
      loadCountryTable(),
    );
    const report = await writeBulkFiles(
      register.lines,
      mapper,
      dir,
      { release: '2025-01-03', run: 'test' },
      [],
      limits,
    );
    // Each file's lines, sorted: the importer takes them in any order.
    const files = Object.fromEntries(
      fs
        .readdirSync(dir)
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8').split('\n').sort()]),
    );
    return { report, files };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the bulk load's files", () => {
  // Two writes of the fixture's files (hundreds of small part files): well under a second alone, far
  // more beside CI's other lanes, so not jest's default 5 s.
  jest.setTimeout(60_000);

  it('never holds more than the bound of spilled rows at once, and writes the same rows whatever the bound', async () => {
    const whole = await written();
    expect(whole.report.deals).toBeGreaterThan(100);
    // What the importer cannot store, filled in after the start.
    expect(whole.report.emptyLists).toEqual({
      Country: ['aliases'],
      Deal: ['aliases'],
      TivRollup: ['gaps'],
      WeaponSystem: ['aliases'],
    });
    // Four parts of some 20 kB, split by their deals until each is at most 6 kB (one deal's rows are
    // never split: the fixture's largest deal is 5.3 kB).
    const max = 6000;
    const unbounded = await written({ parts: 4, maxPartBytes: Infinity });
    expect(unbounded.report.largestPartBytes).toBeGreaterThan(3 * max);
    const bounded = await written({ parts: 4, maxPartBytes: max });
    expect(bounded.report.largestPartBytes).toBeLessThanOrEqual(max);
    expect(bounded.report.largestPartBytes).toBeGreaterThan(0);
    // No spill file is left among the importer's files.
    expect(Object.keys(bounded.files).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    expect(unbounded.files).toEqual(whole.files);
    expect(bounded.files).toEqual(whole.files);
    expect({ ...bounded.report, largestPartBytes: 0, args: [] }).toEqual({
      ...whole.report,
      largestPartBytes: 0,
      args: [],
    });
  });

  it('writes no TIV contributions or rollups when they are deferred, and every other file alike', async () => {
    const whole = await written();
    const deferred = await written({ rollups: false });
    const rows = (files: Record<string, string[]>, name: string) =>
      (files[name] ?? []).filter((l) => l !== '').length;
    expect(rows(whole.files, 'contributions.csv')).toBeGreaterThan(100);
    expect(rows(whole.files, 'rollups.csv')).toBeGreaterThan(100);
    expect(rows(deferred.files, 'contributions.csv')).toBe(0);
    expect(rows(deferred.files, 'rollups.csv')).toBe(0);
    const others = (files: Record<string, string[]>) =>
      Object.fromEntries(Object.entries(files).filter(([f]) => !/^(contributions|rollups)\.csv$/.test(f)));
    expect(others(deferred.files)).toEqual(others(whole.files));
    // No rollup to leave an empty list on.
    expect(deferred.report.emptyLists).toEqual({ ...whole.report.emptyLists, TivRollup: undefined });
  });
});
