import { z } from 'zod';
import {
  EMBARGO_SCOPES,
  MEMBERSHIP_STATUSES,
  ORGANIZATION_KINDS,
  SANCTION_KINDS,
  SANCTION_STATUSES,
  SOURCE_KINDS,
} from '../../model';

/**
 * The columns of the reference files (reference/*.csv), one schema per file. Cells arrive as
 * strings; an empty cell is an absent value. Cross-file checks (does this country exist, does this
 * source) happen in read-reference.ts, where every file is known.
 */

const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug such as nato or unscr-1970');
const iso3 = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as TUR');
/** A party: a state (ISO alpha-3) or a slug (alliance, organisation). */
const party = z
  .string()
  .regex(/^([A-Z]{3}|[a-z0-9]+(-[a-z0-9]+)*)$/, 'must be an ISO alpha-3 code or a slug');
const text = z.string().min(1);
const estimate = z
  .enum(['', 'true', 'false'], { message: 'estimate must be true, false or empty' })
  .transform((v) => v === 'true');
/** `a|b|c`: a list in one cell. */
const list = z.string().transform((v) =>
  v
    .split('|')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);
const year = z
  .string()
  .regex(/^\d{4}$/, 'must be a year such as 1949')
  .transform((v) => Number(v));

/** A date as the files write it: a year, a month or a day (1961, 1961-09, 1961-09-13). */
export const referenceDate = z.string().superRefine((v, ctx) => {
  if (dateRange(v) === null)
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a date: write 2019-07-17, 2019-07 or 2019`,
    });
});

/** The first and last day a date may mean (1961 → 1961-01-01 .. 1961-12-31), or null when it does not parse. */
export function dateRange(v: string): { first: string; last: string } | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (!m) return null;
  const [, y, mo, d] = m;
  const yearN = Number(y);
  if (mo === undefined) return { first: `${y}-01-01`, last: `${y}-12-31` };
  const month = Number(mo);
  if (month < 1 || month > 12) return null;
  const days = new Date(Date.UTC(yearN, month, 0)).getUTCDate();
  if (d === undefined) return { first: `${y}-${mo}-01`, last: `${y}-${mo}-${String(days)}` };
  const day = Number(d);
  if (day < 1 || day > days) return null;
  return { first: v, last: v };
}

export const SourceRow = z.object({
  id: slug,
  kind: z.enum(SOURCE_KINDS),
  title: text,
  publisher: optional(z.string()),
  published: optional(referenceDate),
  url: optional(z.string().url()),
  citation: z.string().min(1, 'every source needs a citation'),
  notes: optional(z.string()),
});

export const CountryRow = z.object({
  country: iso3,
  name: text,
  m49: optional(z.string().regex(/^\d{3}$/, 'must be a three-digit M49 code')),
  region: text,
  subregion: text,
  intermediateRegion: optional(z.string()),
  estimate,
  source: list,
  note: optional(z.string()),
});

export const AllianceRow = z.object({
  id: slug,
  name: text,
  aliases: list,
  founded: year,
  dissolved: optional(year),
  defenceClause: optional(z.string()),
  estimate,
  source: list,
  note: optional(z.string()),
});

export const OrganizationRow = z.object({
  id: slug,
  name: text,
  aliases: list,
  kind: z.enum(ORGANIZATION_KINDS),
  country: optional(iso3),
  /** Whom its embargoes bind: every state (UN Security Council) or its members. */
  binds: optional(z.enum(['all-states', 'members'])),
  estimate,
  source: list,
  note: optional(z.string()),
});

export const MembershipRow = z.object({
  alliance: slug,
  country: iso3,
  since: referenceDate,
  until: optional(referenceDate),
  status: z.enum(MEMBERSHIP_STATUSES),
  estimate,
  source: list,
  note: optional(z.string()),
});

export const SanctionRow = z.object({
  id: slug,
  kind: z.enum(SANCTION_KINDS),
  imposedBy: party,
  target: party,
  status: z.enum(SANCTION_STATUSES),
  since: referenceDate,
  until: optional(referenceDate),
  instrument: text,
  scope: optional(z.enum(EMBARGO_SCOPES)),
  items: optional(z.string()),
  cause: optional(slug),
  estimate,
  source: list,
  note: optional(z.string()),
});

/** The files, in the order they are read and written (later files name what earlier ones define). */
export const REFERENCE_FILES = {
  'sources.csv': SourceRow,
  'countries.csv': CountryRow,
  'alliances.csv': AllianceRow,
  'organizations.csv': OrganizationRow,
  'memberships.csv': MembershipRow,
  'sanctions.csv': SanctionRow,
} as const;
export type ReferenceFileName = keyof typeof REFERENCE_FILES;

export type SourceRow = z.infer<typeof SourceRow>;
export type CountryRow = z.infer<typeof CountryRow>;
export type AllianceRow = z.infer<typeof AllianceRow>;
export type OrganizationRow = z.infer<typeof OrganizationRow>;
export type MembershipRow = z.infer<typeof MembershipRow>;
export type SanctionRow = z.infer<typeof SanctionRow>;
