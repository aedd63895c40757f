import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { projectRoot } from '../../project-root';
import {
  dateRange,
  REFERENCE_FILES,
  type AllianceRow,
  type CountryRow,
  type MembershipRow,
  type OrganizationRow,
  type ReferenceFileName,
  type SanctionRow,
  type SourceRow,
} from './reference-schema';

export const DEFAULT_REFERENCE_DIR = () => path.join(projectRoot(), 'reference');

/** A row and the line of its file it was read from (1 is the header). */
export type Lined<T> = T & { line: number };

export interface ReferenceData {
  dir: string;
  sources: Lined<SourceRow>[];
  countries: Lined<CountryRow>[];
  alliances: Lined<AllianceRow>[];
  organizations: Lined<OrganizationRow>[];
  memberships: Lined<MembershipRow>[];
  sanctions: Lined<SanctionRow>[];
}

export interface ReferenceProblem {
  file: string;
  line: number;
  reason: string;
}

/**
 * A reference import refused: every problem found, each with its file and line. Nothing was written.
 * Like a broken seed, it is the maintainer's files that are wrong, never a client's request.
 */
export class ReferenceDataError extends Error {
  override name = 'ReferenceDataError';
  constructor(readonly problems: ReferenceProblem[]) {
    super(
      `reference data refused, nothing written:\n${problems.map((p) => `${p.file}:${p.line}: ${p.reason}`).join('\n')}`,
    );
  }
}

/** Reads one file: its header must name exactly the schema's columns; each row is checked alone. */
function readFile<S extends z.ZodObject>(
  dir: string,
  file: ReferenceFileName,
  schema: S,
  problems: ReferenceProblem[],
): Lined<z.infer<S>>[] {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) {
    problems.push({ file, line: 0, reason: 'file missing' });
    return [];
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(fs.readFileSync(full, 'utf8'), {
      info: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as { lines?: number; message: string };
    problems.push({ file, line: e.lines ?? 0, reason: `not readable CSV: ${e.message}` });
    return [];
  }
  const [header, ...rows] = records;
  const columns = Object.keys(schema.shape);
  const got = header?.record.map((c) => c.trim()) ?? [];
  const missing = columns.filter((c) => !got.includes(c));
  const unknown = got.filter((c) => !columns.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    problems.push({
      file,
      line: 1,
      reason: [
        missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
        unknown.length > 0 ? `unknown columns: ${unknown.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    });
    return [];
  }
  const out: Lined<z.infer<S>>[] = [];
  for (const { record, info } of rows) {
    const cells = Object.fromEntries(got.map((c, i) => [c, (record[i] ?? '').trim()]));
    const parsed = schema.safeParse(cells);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({
          file,
          line: info.lines,
          reason: `${issue.path.join('.') || 'row'}: ${issue.message}`,
        });
      continue;
    }
    out.push({ ...(parsed.data as z.infer<S>), line: info.lines });
  }
  return out;
}

/**
 * Reads and checks every reference file of a folder. Returns the rows only when all of them hold:
 * each row names known countries, alliances, organisations and sources, its dates parse, its end is
 * not before its start, and every row cites at least one source that has a citation. Otherwise it
 * throws a ReferenceDataError with every problem found.
 */
export function readReference(dir: string = DEFAULT_REFERENCE_DIR()): ReferenceData {
  const problems: ReferenceProblem[] = [];
  const data: ReferenceData = {
    dir,
    sources: readFile(dir, 'sources.csv', REFERENCE_FILES['sources.csv'], problems),
    countries: readFile(dir, 'countries.csv', REFERENCE_FILES['countries.csv'], problems),
    alliances: readFile(dir, 'alliances.csv', REFERENCE_FILES['alliances.csv'], problems),
    organizations: readFile(dir, 'organizations.csv', REFERENCE_FILES['organizations.csv'], problems),
    memberships: readFile(dir, 'memberships.csv', REFERENCE_FILES['memberships.csv'], problems),
    sanctions: readFile(dir, 'sanctions.csv', REFERENCE_FILES['sanctions.csv'], problems),
  };
  checkReferences(data, problems);
  if (problems.length > 0) throw new ReferenceDataError(problems);
  return data;
}

function checkReferences(data: ReferenceData, problems: ReferenceProblem[]): void {
  const problem = (file: ReferenceFileName, line: number, reason: string) =>
    problems.push({ file, line, reason });
  const unique = <T>(file: ReferenceFileName, rows: Lined<T>[], key: (r: T) => string) => {
    const seen = new Map<string, number>();
    for (const r of rows) {
      const k = key(r);
      const first = seen.get(k);
      if (first !== undefined) problem(file, r.line, `"${k}" is already defined on line ${first}`);
      else seen.set(k, r.line);
    }
    return seen;
  };
  const sources = unique('sources.csv', data.sources, (s) => s.id);
  const countries = unique('countries.csv', data.countries, (c) => c.country);
  const alliances = unique('alliances.csv', data.alliances, (a) => a.id);
  const organizations = unique('organizations.csv', data.organizations, (o) => o.id);
  unique('sanctions.csv', data.sanctions, (s) => s.id);
  unique('memberships.csv', data.memberships, (m) => `${m.alliance} ${m.country} ${m.since}`);

  const cites = (file: ReferenceFileName, row: Lined<{ source: string[] }>) => {
    if (row.source.length === 0)
      problem(file, row.line, 'no source: every row cites the instrument that states it');
    for (const s of row.source)
      if (!sources.has(s)) problem(file, row.line, `source "${s}" is not in sources.csv`);
  };
  const country = (file: ReferenceFileName, line: number, field: string, id: string) => {
    if (!countries.has(id)) problem(file, line, `${field}: unknown country "${id}" (not in countries.csv)`);
  };
  const period = (file: ReferenceFileName, line: number, since: string, until: string | undefined) => {
    const from = dateRange(since);
    const to = until === undefined ? null : dateRange(until);
    if (from && to && to.last < from.first)
      problem(file, line, `ends (${until}) before it starts (${since})`);
  };

  for (const c of data.countries) cites('countries.csv', c);
  for (const a of data.alliances) {
    cites('alliances.csv', a);
    if (a.dissolved !== undefined && a.dissolved < a.founded)
      problem('alliances.csv', a.line, `dissolved (${a.dissolved}) before it was founded (${a.founded})`);
  }
  for (const o of data.organizations) {
    cites('organizations.csv', o);
    if (o.country !== undefined) country('organizations.csv', o.line, 'country', o.country);
    if (countries.has(o.id.toUpperCase()) || alliances.has(o.id))
      problem('organizations.csv', o.line, `id "${o.id}" is already an alliance or country`);
  }
  for (const m of data.memberships) {
    cites('memberships.csv', m);
    if (!alliances.has(m.alliance))
      problem('memberships.csv', m.line, `alliance: unknown alliance "${m.alliance}" (not in alliances.csv)`);
    country('memberships.csv', m.line, 'country', m.country);
    period('memberships.csv', m.line, m.since, m.until);
  }
  const isParty = (id: string) => countries.has(id) || alliances.has(id) || organizations.has(id);
  for (const s of data.sanctions) {
    cites('sanctions.csv', s);
    if (!isParty(s.imposedBy))
      problem(
        'sanctions.csv',
        s.line,
        `imposedBy: unknown country, alliance or organisation "${s.imposedBy}"`,
      );
    if (!countries.has(s.target) && !organizations.has(s.target))
      problem('sanctions.csv', s.line, `target: unknown country or organisation "${s.target}"`);
    if (s.kind === 'ARMS_EMBARGO' && s.scope === undefined)
      problem(
        'sanctions.csv',
        s.line,
        'scope: an arms embargo says whom it covers (WHOLE_STATE or NON_GOVERNMENTAL_FORCES)',
      );
    period('sanctions.csv', s.line, s.since, s.until);
  }
}
