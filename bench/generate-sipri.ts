/**
 * A deterministic generator of synthetic SIPRI Arms Transfers Database registers, for benchmarks only:
 * `npm run bench:generate -- --deals 100000 --out /tmp/x.csv` (or `--rows N` to stop at N rows).
 *
 * It writes the current export layout exactly as SIPRI does (the 11-line preamble, the header, one
 * unquoted row per deal and delivery year, LF endings), so the real importer reads it. The shape
 * follows the real 2000–2023 register: a few large suppliers (the United States writes ~28% of the
 * rows), long tails of recipients and designations (Zipf-like), 1–20 delivery years per deal (most
 * deals 1–2), SIPRI's categories, statuses and Yes/No flags. Parties are real SIPRI names from
 * data/country-names.json (plus the starred groups and organisations SIPRI lists), so every row
 * resolves and none is rejected. A seeded PRNG makes a size and seed always give the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { loadCountryTable } from '../src/import/resolve-party';

export interface GenerateOptions {
  /** Deals to write (each one to several rows). */
  deals: number;
  /** Stop once this many rows are written (the last deal may lose delivery years). */
  rows?: number;
  seed?: number;
  out: string;
}

/** mulberry32: small, fast, and the same sequence on every platform for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks by weight with a precomputed cumulative table (binary search). */
class Weighted<T> {
  private readonly cum: number[] = [];
  private readonly total: number;
  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    for (const w of weights) this.cum.push((sum += w));
    this.total = sum;
  }
  pick(rand: () => number): T {
    const x = rand() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

const zipf = (n: number, s: number) => Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));

/** Rows per supplier in the real 2000–2023 register (top 30): the head of the skew. */
const BIG_SUPPLIERS: [string, number][] = [
  ['United States', 5835],
  ['Russia', 2163],
  ['France', 1660],
  ['Germany', 1431],
  ['China', 1213],
  ['Israel', 1054],
  ['Italy', 861],
  ['United Kingdom', 677],
  ['Ukraine', 594],
  ['Netherlands', 521],
  ['Sweden', 492],
  ['Canada', 458],
  ['South Africa', 346],
  ['Turkiye', 295],
  ['Switzerland', 271],
  ['Spain', 264],
  ['Norway', 189],
  ['Czechia', 171],
  ['South Korea', 155],
  ['unknown supplier(s)', 141],
  ['Belarus', 126],
  ['Finland', 123],
  ['Austria', 123],
  ['UAE', 113],
  ['Belgium', 105],
  ['Australia', 105],
  ['Poland', 94],
  ['Bulgaria', 86],
  ['India', 74],
  ['Brazil', 72],
];

/** The largest recipients of the real register, in order: the head of the recipients' tail. */
const BIG_RECIPIENTS =
  'India|Pakistan|Saudi Arabia|China|Japan|UAE|South Korea|Indonesia|United States|Australia|Egypt|Turkiye|Ukraine|Brazil|United Kingdom|Thailand|Singapore|Greece|Iraq|Poland|Algeria|Spain|Italy|Malaysia|Netherlands|Colombia|Jordan|Israel|Iran|Azerbaijan'.split(
    '|',
  );

/** Recipients SIPRI lists that are not states: starred groups and organisations, and "unknown". */
const OTHER_RECIPIENTS = [
  'unknown recipient(s)',
  'Libya HoR*',
  'NATO**',
  'Hezbollah (Lebanon)*',
  'United Nations**',
  'African Union**',
  'Houthi rebels (Yemen)*',
  'Syria rebels*',
];

/** [designation, description, category, TIV per unit when new]: common real systems. */
const SYSTEMS: [string, string, string, number][] = [
  ['vehicle engine 301-400', 'vehicle engine', 'Engines', 0.05],
  ['Mi-17', 'transport helicopter', 'Aircraft', 7.25],
  ['aircraft engine 1001-2000', 'aircraft engine', 'Engines', 0.5],
  ['AIM-120C AMRAAM', 'BVRAAM', 'Missiles', 0.6],
  ['S-70L Black Hawk', 'transport helicopter', 'Aircraft', 7.25],
  ['JDAM', 'guided bomb', 'Missiles', 0.02],
  ['Paveway', 'guided bomb', 'Missiles', 0.02],
  ['ship engine 4001-6000', 'ship engine', 'Engines', 1.5],
  ['Super Rapid 76mm', 'naval gun', 'Naval weapons', 2.75],
  ['Spike-MR', 'anti-tank missile', 'Missiles', 0.03],
  ['AGM-114 Hellfire-2', 'anti-tank missile/ASM', 'Missiles', 0.05],
  ['ESSM', 'SAM', 'Missiles', 0.4],
  ['LM-2500 (30001-35000)', 'gas turbine', 'Engines', 7],
  ['M-113', 'APC', 'Armoured vehicles', 0.25],
  ['Sniper', 'aircraft EO system', 'Sensors', 1],
  ['C-295 -', 'transport aircraft', 'Aircraft', 12.5],
  ['Protector RWS', 'APC turret', 'Other', 0.05],
  ['MILAN', 'anti-tank missile', 'Missiles', 0.01],
  ['HMMWV-UA', 'APV', 'Armoured vehicles', 0.13],
  ['NH-90 TTH', 'transport helicopter', 'Aircraft', 7],
  ['Su-30MK', 'FGA aircraft', 'Aircraft', 55],
  ['Stinger', 'portable SAM', 'Missiles', 0.08],
  ['Piranha-3 -', 'APC', 'Armoured vehicles', 0.3],
  ['Cessna-208 Caravan', 'light transport aircraft', 'Aircraft', 1],
  ['Harpoon Block-2', 'anti-ship missile/SSM', 'Missiles', 1],
  ['Leopard-2A4', 'tank', 'Armoured vehicles', 4],
  ['F-35A', 'FGA aircraft', 'Aircraft', 55],
  ['M-2032', 'combat aircraft radar', 'Sensors', 2],
  ['MK-41 SAMS', 'naval SAM system', 'Naval weapons', 20],
  ['Patriot-3 SAMS', 'SAM system', 'Air defence systems', 55],
  ['S-400 Triumf', 'SAM system', 'Air defence systems', 100],
  ['M-109A5 155mm', 'self-propelled gun', 'Artillery', 1.2],
  ['Gowind-2500', 'frigate', 'Ships', 260],
  ['Air refuel system', 'air refuel system', 'Other', 10],
  ['Falcon Eye', 'reconnaissance satellite', 'Satellites', 60],
];

/** Synthetic long-tail systems per category: [category, description, name prefixes, TIV range]. */
const TAIL: [string, string, string[], number, number][] = [
  ['Aircraft', 'light helicopter', ['AS', 'EC', 'Bell', 'Mi', 'Ka'], 0.5, 9],
  ['Aircraft', 'trainer aircraft', ['PC', 'K', 'L', 'T'], 1, 12],
  ['Missiles', 'anti-tank missile', ['ATM', 'Kornet', 'HJ'], 0.01, 0.1],
  ['Missiles', 'SAM', ['SA', 'HQ', 'SM'], 0.1, 1],
  ['Armoured vehicles', 'APC', ['BTR', 'VAB', 'Patria', 'Type'], 0.1, 0.6],
  ['Armoured vehicles', 'tank', ['T', 'M', 'Type'], 1, 6],
  ['Engines', 'turbofan', ['F', 'AL', 'RD', 'WS'], 1, 4],
  ['Sensors', 'air search radar', ['AN/SPS', 'Giraffe', 'TRS', 'JY'], 0.5, 10],
  ['Ships', 'patrol craft', ['OPV', 'FPB', 'PC'], 2, 60],
  ['Artillery', 'towed gun', ['M', 'D', 'G', 'PLZ'], 0.2, 2],
  ['Naval weapons', 'naval gun', ['AK', 'OTO', 'Mk'], 0.5, 4],
  ['Air defence systems', 'SAM system', ['Pantsyr', 'NASAMS', 'HQ'], 10, 80],
  ['Other', 'APC turret', ['RWS', 'Turret'], 0.02, 0.5],
];

const PREAMBLE = [
  "Transfers of major conventional arms from All countries  to All countries . Deals with deliveries or orders made for year range '2000' to '2030' ",
  "A '?' in a column indicates uncertain data. The 'Number delivered' and the 'Year(s) of deliveries' refer only to deliveries in the selected year(s).",
  "An empty field for 'Number ordered' indicates that data is not yet available.",
  'SIPRI trend-indicator values (TIVs) are in millions.',
  "An empty field for 'SIPRI TIV for total order' indicates that data (on the number ordered and/or the TIV per unit) is not available.",
  "A '0' for 'SIPRI TIV of delivered weapons' indicates that the volume of deliveries is between 0 and 0.5 million SIPRI TIV; and an empty field indicates that no deliveries have been identified.",
  'Figures may not add up to stated totals due to the conventions of rounding.',
  'For the method used for the SIPRI TIV and explanations of the conventions; abbreviations and acronyms see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.',
  '',
  'Source: SIPRI Arms Transfers Database (c) SIPRI. (Synthetic register generated by armsgraph for benchmarks.)',
  'Data generated: 3 Jan 2025 9:16:02 PM',
  'SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production',
];

/** How many delivery years a deal has, as in the real register (1: 56%, 2: 24%, 3: 9% ...). */
const YEARS = new Weighted(
  [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20],
  [5788, 2527, 981, 442, 275, 120, 47, 54, 72, 30, 19, 7],
);
const STATUS = new Weighted(['New', 'Second hand', 'Second hand but modernized'], [17354, 2736, 390]);

const round2 = (n: number) => Math.round(n * 100) / 100;
const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

interface System {
  designation: string;
  description: string;
  category: string;
  tiv: number;
}

/** The designation pool: the common real systems, then a synthetic tail that grows with the size. */
function systemPool(deals: number, rand: () => number): System[] {
  const pool: System[] = SYSTEMS.map(([designation, description, category, tiv]) => ({
    designation,
    description,
    category,
    tiv,
  }));
  const tail = Math.max(200, Math.round(deals / 5));
  for (let i = 0; i < tail; i++) {
    const [category, description, prefixes, lo, hi] = TAIL[i % TAIL.length] as (typeof TAIL)[number];
    const prefix = prefixes[Math.floor(rand() * prefixes.length)] ?? 'X';
    pool.push({
      designation: `${prefix}-${100 + i}`,
      description,
      category,
      tiv: round2(lo + rand() * (hi - lo)) || 0.01,
    });
  }
  return pool;
}

export async function generateSipriRegister(opts: GenerateOptions): Promise<{ rows: number; deals: number }> {
  const rand = prng(opts.seed ?? 1);
  const maxRows = opts.rows ?? Infinity;
  const countries = loadCountryTable().filter((c) => !c.historical);
  const big = new Set(BIG_SUPPLIERS.map(([n]) => n));
  // Everyone else supplies a little (the long tail of small suppliers); historical states never do.
  const smallSuppliers = countries.map((c) => c.name).filter((n) => !big.has(n));
  const suppliers = new Weighted(
    [...BIG_SUPPLIERS.map(([n]) => n), ...smallSuppliers],
    [...BIG_SUPPLIERS.map(([, w]) => w), ...smallSuppliers.map(() => 8)],
  );
  // Recipients: the real register's largest first, then every other state in a seeded order, with
  // Zipf weights; SIPRI's non-state recipients now and then.
  const head = new Set(BIG_RECIPIENTS);
  const recipientNames = countries.map((c) => c.name).filter((n) => !head.has(n));
  for (let i = recipientNames.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [recipientNames[i], recipientNames[j]] = [recipientNames[j] as string, recipientNames[i] as string];
  }
  recipientNames.unshift(...BIG_RECIPIENTS);
  const recipientWeights = zipf(recipientNames.length, 0.9);
  const recipients = new Weighted(
    [...recipientNames, ...OTHER_RECIPIENTS],
    [...recipientWeights, ...OTHER_RECIPIENTS.map((_, i) => (i === 0 ? 0.05 : 0.01))],
  );
  // The tail of designations grows with the deals actually written (about 1.9 rows a deal).
  const expectedDeals = Math.min(opts.deals, maxRows / 1.9);
  const pool = systemPool(Number.isFinite(expectedDeals) ? expectedDeals : 10000, rand);
  const systems = new Weighted(pool, zipf(pool.length, 1));

  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  const out = fs.createWriteStream(opts.out);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(PREAMBLE.join('\n') + '\n');

  let rows = 0;
  let deals = 0;
  let chunk: string[] = [];
  for (let d = 0; d < opts.deals && rows < maxRows; d++) {
    deals++;
    // Above the ids of real SIPRI records (five digits), so no synthetic deal takes the id a curated
    // deal lists as its SIPRI alias (the seed names sipri-59633 and others).
    const id = 1_000_000 + d;
    let supplier = suppliers.pick(rand);
    let recipient = recipients.pick(rand);
    // A state does not import from itself: the next recipient along the tail takes its place.
    if (recipient === supplier)
      recipient = recipientNames[(recipientNames.indexOf(recipient) + 1) % recipientNames.length] as string;
    if (supplier === recipient) supplier = 'United States';
    const system = systems.pick(rand);
    const status = STATUS.pick(rand);
    const tivUnitNew = system.tiv;
    const tivUnit = status === 'New' ? tivUnitNew : round2(tivUnitNew * (0.2 + rand() * 0.5));
    const nYears = YEARS.pick(rand);
    const orderYear = 1950 + Math.floor(Math.pow(rand(), 0.35) * (2023 - 1950 + 1 - Math.min(nYears, 20)));
    const firstDelivery = Math.min(orderYear + Math.floor(rand() * 4), 2024 - nYears);
    const local = rand() < 0.19;
    const orderEstimate = rand() < 0.15;
    const major = tivUnitNew >= 20;
    for (let y = 0; y < nYears && rows < maxRows; y++) {
      const delivered = major ? 1 + Math.floor(rand() * 3) : 1 + Math.floor(Math.pow(rand(), 3) * 400);
      chunk.push(
        [
          id,
          supplier,
          recipient,
          system.designation,
          system.description,
          system.category,
          orderYear,
          yesNo(orderEstimate),
          delivered,
          yesNo(rand() < 0.3),
          firstDelivery + y,
          yesNo(rand() < 0.1),
          status,
          tivUnitNew,
          tivUnit,
          round2(delivered * tivUnit),
          yesNo(local),
        ].join(','),
      );
      rows++;
    }
    if (chunk.length >= 4096) {
      await write(chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length > 0) await write(chunk.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return { rows, deals };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const out = arg('out');
  const deals = Number(arg('deals') ?? (arg('rows') ? Infinity : 10000));
  if (!out || !(deals > 0)) {
    console.error('usage: npm run bench:generate -- --deals N [--rows N] [--seed S] --out FILE');
    process.exit(2);
  }
  const rowsArg = arg('rows');
  const seedArg = arg('seed');
  const started = Date.now();
  generateSipriRegister({
    deals,
    out,
    ...(rowsArg ? { rows: Number(rowsArg) } : {}),
    ...(seedArg ? { seed: Number(seedArg) } : {}),
  }).then(
    (r) => console.log(`${out}: ${r.rows} rows, ${r.deals} deals in ${Date.now() - started} ms`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
