#!/usr/bin/env node
/**
 * Derives a "newer release" from a SIPRI Arms Transfers Database export (current layout), with
 * deliberate, documented changes of the kinds SIPRI's yearly revisions make, so that tests and
 * measurements can import two releases of one database:
 *
 *   node scripts/derive-sipri-release.js <older.csv> <newer.csv> [--count N | --share F]
 *     [--generated "12 Feb 2026 10:00:00 AM"] [--from 1995] [--to 2030] [--excerpt-recipients "A;B"]
 *
 * Deals are ranked by sha1 of their SIPRI id (stable, no randomness); the first N eligible deals of
 * the ranking get each change in turn (a deal gets at most one change):
 *   seller    the supplier becomes another state (Germany, or France when it was Germany)
 *   system    the designation gets a "-M" variant suffix (SIPRI re-identifies the system)
 *   dropDel   a deal with two or more delivery rows loses its earliest one
 *   dropDeal  the deal is no longer listed
 *   moveYear  a deal with one delivery row: the delivery moves one year later
 *   tiv       the TIV per unit (and each delivery's TIV) is revised up by 10 %
 *   newDeal   a copy of the deal under a new id (id + 900000) and a new delivery year: a new deal
 *   addYear   a deal that delivered in the old release's last year gets one more delivery a year later
 * The preamble states a later "Data generated" date and a wider year range. A JSON manifest of every
 * change is written next to the output (<newer>.changes.json). With --excerpt-recipients, the input is
 * first cut to the rows of those recipients and written as the older release (<newer>-older.csv).
 * SIPRI asks that the database be cited: the preamble's "Source: SIPRI Arms Transfers Database" stays.
 */
const fs = require('node:fs');
const crypto = require('node:crypto');

const CHANGES = ['seller', 'system', 'dropDel', 'dropDeal', 'moveYear', 'tiv', 'newDeal', 'addYear'];

function parseArgs(argv) {
  const [input, output, ...rest] = argv;
  if (!input || !output) {
    console.error('usage: derive-sipri-release.js <older.csv> <newer.csv> [--count N | --share F] ...');
    process.exit(2);
  }
  const opts = { input, output, count: undefined, share: 0.01, generated: '12 Feb 2026 10:00:00 AM' };
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i];
    const v = rest[i + 1] ?? '';
    if (k === '--count') opts.count = Number(v);
    else if (k === '--share') opts.share = Number(v);
    else if (k === '--generated') opts.generated = v;
    else if (k === '--from') opts.from = Number(v);
    else if (k === '--to') opts.to = Number(v);
    else if (k === '--excerpt-recipients') opts.recipients = v.split(';');
    else {
      console.error(`unknown option ${k}`);
      process.exit(2);
    }
  }
  return opts;
}

const COL = {
  id: 0,
  supplier: 1,
  recipient: 2,
  designation: 3,
  deliveryYear: 10,
  tivUnit: 14,
  tivDelivery: 15,
};
const round = (n) => String(Math.round(n * 100) / 100);

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const text = fs.readFileSync(opts.input, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.startsWith('SIPRI AT Database ID,'));
  if (headerAt < 0) throw new Error('not a SIPRI export in the current layout');
  let preamble = lines.slice(0, headerAt);
  const header = lines[headerAt];
  let rows = lines
    .slice(headerAt + 1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
  if (rows.some((r) => r.length !== 17)) throw new Error('a row has quotes or commas inside fields');
  if (opts.recipients) {
    const keep = new Set(opts.recipients);
    rows = rows.filter((r) => keep.has(r[COL.recipient]));
    const older = opts.output.replace(/\.csv$/, '') + '-older.csv';
    fs.writeFileSync(older, [...preamble, header, ...rows.map((r) => r.join(','))].join(eol) + eol);
  }

  const byDeal = new Map();
  for (const r of rows) byDeal.set(r[COL.id], [...(byDeal.get(r[COL.id]) ?? []), r]);
  const lastYear = Math.max(...rows.map((r) => Number(r[COL.deliveryYear])));
  const ranked = [...byDeal.keys()].sort((a, b) => {
    const h = (id) => crypto.createHash('sha1').update(id).digest('hex');
    return h(a) < h(b) ? -1 : h(a) > h(b) ? 1 : 0;
  });
  const perChange = opts.count ?? Math.max(1, Math.round(byDeal.size * opts.share));
  const eligible = {
    dropDel: (rs) => rs.length >= 2,
    moveYear: (rs) => rs.length === 1 && Number(rs[0][COL.deliveryYear]) < lastYear,
    addYear: (rs) => rs.some((r) => Number(r[COL.deliveryYear]) === lastYear),
  };
  const taken = new Set();
  const manifest = { source: require('node:path').basename(opts.input), perChange, lastYear, changes: {} };
  const added = [];
  for (const change of CHANGES) {
    const picked = ranked
      .filter((id) => !taken.has(id) && (eligible[change]?.(byDeal.get(id)) ?? true))
      .slice(0, perChange);
    manifest.changes[change] = [];
    for (const id of picked) {
      taken.add(id);
      const rs = byDeal.get(id);
      const entry = { id };
      if (change === 'seller') {
        entry.old = rs[0][COL.supplier];
        entry.new = entry.old === 'Germany' ? 'France' : 'Germany';
        for (const r of rs) r[COL.supplier] = entry.new;
      } else if (change === 'system') {
        entry.old = rs[0][COL.designation];
        entry.new = `${entry.old.replace(/\s+-$/, '')}-M`;
        for (const r of rs) r[COL.designation] = entry.new;
      } else if (change === 'dropDel') {
        const earliest = rs.reduce((a, b) =>
          Number(b[COL.deliveryYear]) < Number(a[COL.deliveryYear]) ? b : a,
        );
        entry.year = Number(earliest[COL.deliveryYear]);
        byDeal.set(
          id,
          rs.filter((r) => r !== earliest),
        );
      } else if (change === 'dropDeal') {
        byDeal.set(id, []);
      } else if (change === 'moveYear') {
        entry.old = Number(rs[0][COL.deliveryYear]);
        entry.new = entry.old + 1;
        rs[0][COL.deliveryYear] = String(entry.new);
      } else if (change === 'tiv') {
        entry.old = Number(rs[0][COL.tivUnit]);
        entry.new = Number(round(entry.old * 1.1));
        for (const r of rs) {
          r[COL.tivUnit] = round(Number(r[COL.tivUnit]) * 1.1);
          r[COL.tivDelivery] = round(Number(r[COL.tivDelivery]) * 1.1);
        }
      } else if (change === 'newDeal') {
        entry.newId = String(Number(id) + 900000);
        entry.year = lastYear + 1;
        const copy = [...rs[0]];
        copy[COL.id] = entry.newId;
        copy[COL.deliveryYear] = String(entry.year);
        added.push(copy);
      } else if (change === 'addYear') {
        entry.year = lastYear + 1;
        const copy = [...rs.find((r) => Number(r[COL.deliveryYear]) === lastYear)];
        copy[COL.deliveryYear] = String(entry.year);
        rs.push(copy);
      }
      manifest.changes[change].push(entry);
    }
  }

  const from = opts.from ?? 1995;
  const to = opts.to ?? 2030;
  preamble = preamble.map((l) =>
    l
      .replace(/year range '(\d{4})' to '(\d{4})'/, `year range '${from}' to '${to}'`)
      .replace(/^Data generated:.*$/, `Data generated: ${opts.generated}`)
      .replace(
        /^(Source: SIPRI Arms Transfers Database.*?)\s*$/,
        '$1 (Changed by armsgraph scripts/derive-sipri-release.js: not a SIPRI release.)',
      ),
  );
  manifest.preamble = { generated: opts.generated, from, to };
  const out = [...[...byDeal.values()].flat(), ...added].map((r) => r.join(','));
  fs.writeFileSync(opts.output, [...preamble, header, ...out].join(eol) + eol);
  fs.writeFileSync(
    opts.output.replace(/\.csv$/, '') + '.changes.json',
    JSON.stringify(manifest, null, 2) + '\n',
  );
  console.log(
    `${opts.output}: ${out.length} rows, ${byDeal.size + added.length - manifest.changes.dropDeal.length} deals; ` +
      CHANGES.map((c) => `${c} ${manifest.changes[c].length}`).join(', '),
  );
}

main();
