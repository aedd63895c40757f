import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSipriRegister } from '../../bench/generate-sipri';
import { loadCountryTable, PartyResolver } from '../../src/import/resolve-party';
import { mapRow } from '../../src/import/sipri/map-row';
import { readRegister } from '../../src/import/sipri/read-register';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-generate-'));
const sha1 = (file: string) => createHash('sha1').update(fs.readFileSync(file)).digest('hex');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('synthetic SIPRI register generator', () => {
  it('writes the same bytes for the same size and seed, and other bytes for another seed', async () => {
    const a = path.join(dir, 'a.csv');
    const b = path.join(dir, 'b.csv');
    const c = path.join(dir, 'c.csv');
    const ra = await generateSipriRegister({ deals: 3000, seed: 7, out: a });
    const rb = await generateSipriRegister({ deals: 3000, seed: 7, out: b });
    await generateSipriRegister({ deals: 3000, seed: 8, out: c });
    expect(rb).toEqual(ra);
    expect(sha1(b)).toBe(sha1(a));
    expect(sha1(c)).not.toBe(sha1(a));
    expect(ra.deals).toBe(3000);
    // Multi-year deliveries: more rows than deals.
    expect(ra.rows).toBeGreaterThan(ra.deals * 1.3);
  });

  it('stops at a row count when asked', async () => {
    const r = await generateSipriRegister({ deals: Infinity, rows: 1234, out: path.join(dir, 'r.csv') });
    expect(r.rows).toBe(1234);
  });

  it('is read by the project reader as the current layout with no rejected row', async () => {
    const file = path.join(dir, 'read.csv');
    const generated = await generateSipriRegister({ deals: 10000, out: file });
    const register = await readRegister(file);
    expect(register.variant).toMatchObject({
      layout: 'current',
      encoding: 'utf-8',
      lineEnding: 'LF',
      delimiter: ',',
      trailingSemicolon: false,
      headerLine: 12,
      dataGenerated: '2025-01-03',
    });
    const parties = new PartyResolver(loadCountryTable());
    const rejected: string[] = [];
    const years = new Set<string>();
    const suppliers = new Map<string, number>();
    const recipients = new Set<string>();
    const deals = new Set<string>();
    let rows = 0;
    for await (const line of register.lines) {
      rows++;
      const m = mapRow(register.variant.layout, line);
      if (!m.ok) {
        rejected.push(`${m.line}: ${m.reason}`);
        continue;
      }
      const { row } = m;
      const seller = parties.resolve(row.supplier);
      const buyer = parties.resolve(row.recipient);
      if (!seller) rejected.push(`${row.line}: supplier ${row.supplier}`);
      if (!buyer) rejected.push(`${row.line}: recipient ${row.recipient}`);
      if (seller && buyer && seller.id === buyer.id) rejected.push(`${row.line}: self-transfer`);
      // The importer rejects a second row for the same deal and delivery year.
      for (const d of row.deliveries) {
        const key = `${row.sipriId}:${d.year}`;
        if (years.has(key)) rejected.push(`${row.line}: duplicate ${key}`);
        years.add(key);
        if (d.year < row.orderYear) rejected.push(`${row.line}: delivered before ordered`);
      }
      deals.add(row.sipriId);
      suppliers.set(row.supplier, (suppliers.get(row.supplier) ?? 0) + 1);
      recipients.add(row.recipient);
    }
    expect(rejected).toEqual([]);
    expect(rows).toBe(generated.rows);
    expect(deals.size).toBe(generated.deals);
    // Skew: the largest supplier writes a large share, and recipients have a long tail.
    const top = Math.max(...suppliers.values());
    expect(top / rows).toBeGreaterThan(0.15);
    expect(suppliers.size).toBeGreaterThan(50);
    expect(recipients.size).toBeGreaterThan(100);
  });
});
