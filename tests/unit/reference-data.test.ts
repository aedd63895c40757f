import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { inForceIn } from '../../src/db/in-force';
import { readReference, ReferenceDataError } from '../../src/import/reference/read-reference';
import { dateRange } from '../../src/import/reference/reference-schema';
import { EMBARGO_SCOPES, MEMBERSHIP_STATUSES, SANCTION_KINDS } from '../../src/model';

// The curated files in reference/ as the importer reads them, without a database.
const REFERENCE = path.resolve(__dirname, '../../reference');

describe('the curated reference files', () => {
  const data = readReference(REFERENCE);

  it('hold every alliance the API names, NATO with 32 members and the EU with 27 today', () => {
    expect(data.alliances.map((a) => a.id).sort()).toEqual(
      ['anzus', 'aukus', 'csto', 'eu', 'gcc', 'nato', 'rio-treaty', 'sco', 'warsaw-pact'].sort(),
    );
    const now = (alliance: string) =>
      data.memberships.filter(
        (m) => m.alliance === alliance && m.status === 'MEMBER' && m.until === undefined,
      );
    expect(now('nato')).toHaveLength(32);
    expect(now('eu')).toHaveLength(27);
    expect(data.alliances.find((a) => a.id === 'eu')?.defenceClause).toMatch(/42\(7\) TEU/);
    const warsaw = data.memberships.filter((m) => m.alliance === 'warsaw-pact');
    for (const m of warsaw) expect(Number(m.until?.slice(0, 4))).toBeLessThanOrEqual(1991);
  });

  it('give every row a source with a citation, and every arms embargo a scope', () => {
    const cited = new Map(data.sources.map((s) => [s.id, s.citation]));
    for (const rows of [data.countries, data.alliances, data.organizations, data.memberships, data.sanctions])
      for (const row of rows) {
        expect(row.source.length).toBeGreaterThan(0);
        for (const s of row.source) expect(cited.get(s)).toMatch(/\S/);
      }
    for (const s of data.sanctions.filter((x) => x.kind === 'ARMS_EMBARGO')) expect(s.scope).toBeDefined();
  });

  it('date every sanction, and chain an embargo changed over time as dated rows (Iran: UNSCR 1747, 1929, 2231)', () => {
    const iran = data.sanctions.filter((s) => s.imposedBy === 'unsc' && s.target === 'IRN');
    expect(iran.map((s) => [s.instrument, s.since, s.until])).toEqual([
      ['UNSCR 1747', '2007-03-24', '2010-06-09'],
      ['UNSCR 1929', '2010-06-09', '2016-01-16'],
      ['UNSCR 2231', '2016-01-16', '2020-10-18'],
      ['UNSCR 1929', '2025-09-28', undefined],
    ]);
    expect(iran.at(-1)?.estimate).toBe(true);
  });
});

describe('reading reference files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-reference-'));
    for (const f of fs.readdirSync(REFERENCE)) fs.copyFileSync(path.join(REFERENCE, f), path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, fn: (text: string) => string) =>
    fs.writeFileSync(path.join(dir, file), fn(fs.readFileSync(path.join(dir, file), 'utf8')));
  const problems = () => {
    try {
      readReference(dir);
    } catch (err) {
      if (err instanceof ReferenceDataError) return err.problems;
      throw err;
    }
    return [];
  };

  it('refuses a row without a source, naming its file and line', () => {
    edit('sanctions.csv', (t) => t.replace(',unscr-1970,', ',,'));
    const line = fs
      .readFileSync(path.join(dir, 'sanctions.csv'), 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('unsc-lby-2011,'));
    expect(problems()).toEqual([
      {
        file: 'sanctions.csv',
        line: line + 1,
        reason: 'no source: every row cites the instrument that states it',
      },
    ]);
  });

  it('refuses a source that is not in sources.csv, an unknown imposer, a missing column', () => {
    edit('sanctions.csv', (t) =>
      t
        .replace(',unscr-1970,', ',unscr-9999,')
        .replace('\nunsc-lby-2011,ARMS_EMBARGO,unsc,', '\nunsc-lby-2011,ARMS_EMBARGO,un,'),
    );
    edit('alliances.csv', (t) => t.replace('defenceClause,', 'clause,'));
    expect(problems().map((p) => `${p.file} ${p.reason}`)).toEqual(
      expect.arrayContaining([
        'alliances.csv missing columns: defenceClause; unknown columns: clause',
        'sanctions.csv source "unscr-9999" is not in sources.csv',
        'sanctions.csv imposedBy: unknown country, alliance or organisation "un"',
      ]),
    );
  });

  it('reads dates as years, months or days, and refuses impossible ones', () => {
    expect(dateRange('1961')).toEqual({ first: '1961-01-01', last: '1961-12-31' });
    expect(dateRange('2024-02')).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(dateRange('2023-02-29')).toBeNull();
    expect(dateRange('2023-13')).toBeNull();
    expect(dateRange('23-01-01')).toBeNull();
  });
});

describe('in force in a year', () => {
  it('counts a fact in the years it began and ended, not before or after', () => {
    expect(inForceIn('1999-03-12', null, 1998)).toBe(false);
    expect(inForceIn('1999-03-12', null, 1999)).toBe(true);
    expect(inForceIn('1973-01-01', '2020-01-31', 2020)).toBe(true);
    expect(inForceIn('1973-01-01', '2020-01-31', 2021)).toBe(false);
    expect(inForceIn(null, null, 1900)).toBe(true);
  });
});

describe('the reference enumerations', () => {
  it("are schema.graphql's", () => {
    const schema = parse(fs.readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
    const values = (name: string) =>
      schema.definitions
        .find(
          (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name,
        )
        ?.values?.map((v) => v.name.value);
    expect(values('SanctionKind')).toEqual([...SANCTION_KINDS]);
    expect(values('EmbargoScope')).toEqual([...EMBARGO_SCOPES]);
    expect(values('MembershipStatus')).toEqual([...MEMBERSHIP_STATUSES]);
  });
});
