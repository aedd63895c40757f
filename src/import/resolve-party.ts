import fs from 'node:fs';
import path from 'node:path';
import { nameKey } from '../db/names';
import { projectRoot } from '../project-root';

/**
 * Turns a supplier or recipient name as SIPRI writes it into the party it names: a state becomes a
 * Country (ISO 3166-1 alpha-3, or ISO 3166-3 for states that no longer exist), a name marked `*` a
 * non-state armed group, `**` an international organisation, and "unknown supplier(s)/recipient(s)"
 * one Organization each, so that rows whose party SIPRI does not know still count in the totals.
 */

export interface CountryEntry {
  id: string;
  iso2: string;
  name: string;
  aliases: string[];
  historical?: boolean;
}

export type Party =
  | { label: 'Country'; id: string; name: string; aliases: string[]; iso2: string; historical: boolean }
  | {
      label: 'Organization';
      id: string;
      name: string;
      aliases: string[];
      kind: 'non_state_group' | 'international_organization' | 'other';
      countryId: string | undefined;
    };

export function loadCountryTable(
  file = path.join(projectRoot(), 'data', 'country-names.json'),
): CountryEntry[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { countries: CountryEntry[] }).countries;
}

export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

const UNKNOWN: Record<string, { id: string; name: string }> = {
  [nameKey('unknown supplier(s)')]: { id: 'unknown-supplier', name: 'Unknown supplier(s)' },
  [nameKey('unknown recipient(s)')]: { id: 'unknown-recipient', name: 'Unknown recipient(s)' },
};

/**
 * One armed group, spelled differently by different SIPRI releases: each spelling (its name key,
 * without the `*`) and the name the group's node takes, so that both releases reach one node.
 */
const GROUP_SPELLINGS: Record<string, string> = Object.fromEntries(
  [
    ['HoR (Libya)', 'Libya HoR'],
    ['Libya HoR', 'Libya HoR'],
    ['House of Representatives (Libya)', 'Libya HoR'],
    ['Palestinian Islamic Jihad (Israel/Palestine)', 'PIJ (Israel/Palestine)'],
    ['Palestinian Islamic Jihad (Palestine)', 'PIJ (Israel/Palestine)'],
    ['PIJ (Palestine)', 'PIJ (Israel/Palestine)'],
  ].map(([spelling, name]) => [nameKey(spelling as string), name as string]),
);

export class PartyResolver {
  private readonly byKey = new Map<string, CountryEntry>();
  private readonly cache = new Map<string, Party>();

  /** `takenIds`: ids other kinds already use, which an organisation's slug must not repeat. */
  constructor(
    countries: readonly CountryEntry[],
    private readonly takenIds: ReadonlySet<string> = new Set(),
  ) {
    for (const c of countries) {
      for (const n of [c.id, c.name, ...c.aliases]) {
        const k = nameKey(n);
        if (k !== '' && !this.byKey.has(k)) this.byKey.set(k, c);
      }
    }
  }

  country(name: string): CountryEntry | undefined {
    return this.byKey.get(nameKey(name));
  }

  /** The country a name starts with ("Libya HoR", "Syria rebels"), the longest that matches. */
  private leadingCountry(name: string): string | undefined {
    const words = name.split(/\s+/);
    for (let n = words.length - 1; n >= 1; n--) {
      const c = this.country(words.slice(0, n).join(' '));
      if (c) return c.id;
    }
    return undefined;
  }

  resolve(raw: string): Party | undefined {
    const cached = this.cache.get(raw);
    if (cached) return cached;
    const party = this.resolveUncached(raw.trim());
    // Only parties are kept: a name that resolves to none rejects its row, and a file of a million
    // distinct wrong names must not leave a million entries behind.
    if (party) this.cache.set(raw, party);
    return party;
  }

  /** Names resolved so far (kept to resolve each spelling once): the export's vocabulary of parties. */
  get cached(): number {
    return this.cache.size;
  }

  private resolveUncached(name: string): Party | undefined {
    const stars = /(\*+)$/.exec(name)?.[1]?.length ?? 0;
    const spelled = name.replace(/\*+$/, '').trim();
    if (stars > 0) {
      const bare = GROUP_SPELLINGS[nameKey(spelled)] ?? spelled;
      // "Houthi rebels (Yemen)*": the bracket names the country it operates in; "Libya HoR*" and
      // "Syria rebels*" name it first.
      const where = /\(([^)]+)\)\s*$/.exec(bare)?.[1];
      const inCountry = where
        ? where.split('/').map((w) => this.country(w)?.id)[0]
        : stars === 1
          ? this.leadingCountry(bare)
          : undefined;
      let id = slug(bare);
      if (this.takenIds.has(id)) id = `${id}-organization`;
      return {
        label: 'Organization',
        id,
        name: bare,
        aliases: [...new Set([name, spelled])].filter((a) => a !== bare),
        kind: stars >= 2 ? 'international_organization' : 'non_state_group',
        countryId: inCountry,
      };
    }
    const unknown = UNKNOWN[nameKey(name)];
    if (unknown) {
      return { label: 'Organization', ...unknown, aliases: [name], kind: 'other', countryId: undefined };
    }
    const c = this.country(name);
    if (!c) return undefined;
    return {
      label: 'Country',
      id: c.id,
      name: c.name,
      aliases: c.aliases,
      iso2: c.iso2,
      historical: c.historical === true,
    };
  }
}
