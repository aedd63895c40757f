import { badInput } from '../../errors';
import { parseGeneratedDate, type Variant } from './read-register';

/**
 * A SIPRI release: the state of the Arms Transfers Database on the day an export was generated, and
 * the window the export shows of it. SIPRI revises its data every year (sellers, systems, years,
 * numbers), so two exports of different days are two versions of one source, and only the window an
 * export covers can say that a fact it does not list is no longer in the database.
 */
export interface ReleaseScope {
  /** First and last year of the range the export was made for (its preamble's "year range"). */
  from: number;
  to: number;
  /** "Deals with deliveries or orders": deals ordered in the range without deliveries are listed too. */
  ordersIncluded: boolean;
  /**
   * Whether the export lists every supplier and recipient ("from All countries to All countries").
   * An export of some countries only cannot tell that a deal of others was dropped: it retires nothing.
   */
  allParties: boolean;
}

export interface Release {
  /** "Data generated" date, ISO yyyy-mm-dd. */
  generated: string;
  scope: ReleaseScope;
}

/** What a user may state for a file whose preamble is missing (or to correct it). */
export interface ReleaseOverrides {
  generated?: string;
  /** "1995-2025" */
  scope?: string;
  ordersIncluded?: boolean;
}

const SCOPE =
  /Deals with deliveries( or orders)? made for (?:the )?year range\s*'?(\d{4})'?\s*to\s*'?(\d{4})'?/i;
const PARTIES = /Transfers of major conventional arms from (.+?)\s+to (.+?)\s*\.\s*Deals/i;

/** The scope a preamble states ("... from All countries to All countries . Deals with deliveries ..."). */
export function parseScope(preamble: readonly string[]): ReleaseScope | undefined {
  for (const line of preamble) {
    const m = SCOPE.exec(line);
    if (!m) continue;
    const parties = PARTIES.exec(line);
    const all = (s: string | undefined) => /^all countries$/i.test((s ?? '').replace(/\s+/g, ' ').trim());
    return {
      from: Number(m[2]),
      to: Number(m[3]),
      ordersIncluded: m[1] !== undefined,
      allParties: parties ? all(parties[1]) && all(parties[2]) : false,
    };
  }
  return undefined;
}

function parseScopeOption(text: string): { from: number; to: number } {
  const m = /^\s*(\d{4})\s*[-–:]\s*(\d{4})\s*$/.exec(text);
  if (!m || Number(m[1]) > Number(m[2]))
    throw badInput(`--scope must be a year range such as 1995-2025, not "${text}"`, { field: 'scope' });
  return { from: Number(m[1]), to: Number(m[2]) };
}

function checkDate(text: string): string {
  const iso = parseGeneratedDate(text);
  if (!iso || Number.isNaN(Date.parse(iso)))
    throw badInput(`--generated must be a date such as 2026-02-12, not "${text}"`, { field: 'generated' });
  return iso;
}

/**
 * The release an export is: its preamble's date and scope, or what the command line states (which
 * wins, so a wrong preamble can be corrected). An export with neither is refused: without its date
 * its facts cannot be ordered against other releases, and without its scope nothing it omits can be
 * retired safely.
 */
export function releaseOf(variant: Variant, overrides: ReleaseOverrides = {}): Release {
  const generated =
    overrides.generated !== undefined ? checkDate(overrides.generated) : variant.dataGenerated;
  const stated = parseScope(variant.preamble);
  const range = overrides.scope !== undefined ? parseScopeOption(overrides.scope) : stated;
  const missing = [
    ...(generated ? [] : ['its "Data generated" date (give --generated YYYY-MM-DD)']),
    ...(range
      ? []
      : [
          "its year range, \"Deals with deliveries made for the year range 'Y1' to 'Y2'\" (give --scope Y1-Y2)",
        ]),
  ];
  if (!generated || !range)
    throw badInput(
      `This SIPRI export does not say which release it is: its preamble lacks ${missing.join(' and ')}`,
      { field: 'release' },
    );
  return {
    generated,
    scope: {
      from: range.from,
      to: range.to,
      ordersIncluded: overrides.ordersIncluded ?? stated?.ordersIncluded ?? false,
      // A range given by hand stands for the whole database's, as SIPRI's own exports do.
      allParties: overrides.scope !== undefined ? true : (stated?.allParties ?? false),
    },
  };
}

/** "deliveries 2000–2030, orders included, all countries" */
export function describeScope(s: ReleaseScope): string {
  return `${s.ordersIncluded ? 'deliveries or orders' : 'deliveries'} ${s.from}–${s.to}${s.allParties ? '' : ', some countries only'}`;
}
