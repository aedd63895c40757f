import type { BatchParams } from '../../db/sipri-writes';
import { nameFields, nameKey } from '../../db/names';
import type { Mapped } from '../importer';
import { PartyResolver, slug, type CountryEntry, type Party } from '../resolve-party';
import { mapRow, type SipriRow } from './map-row';
import type { Layout, RegisterLine } from './read-register';
import { RowHasher } from './release-fingerprint';
import { familyOf, shortNamesOf } from './system-families';

/** A curated deal as the import matches SIPRI records against it (read once, before the rows). */
export interface CuratedDeal {
  id: string;
  name: string;
  aliases: string[];
  nameKeys: string[];
  orderYear: number | null;
  buyerId: string | null;
  sellerId: string | null;
  systemId: string | null;
  sourceIds: string[];
}

/** A system as the mapper reaches it by its keys; `used` once a row of the export names it. */
interface SystemEntry {
  id: string;
  used: boolean;
}

/** What the graph holds before the import that decides where rows land (src/db/sipri-writes.ts LOOKUP). */
export interface SipriLookup {
  systems: { id: string; keys: string[] }[];
  curated: CuratedDeal[];
  takenIds: string[];
}

/** A row resolved to the deal it lands on, with the entities first seen on it (written with its batch). */
export interface PlannedRow {
  row: SipriRow;
  dealId: string;
  buyer: Party;
  seller: Party;
  systemId: string;
  /** Set for a curated deal that receives SIPRI's record. */
  curated: CuratedDeal | undefined;
  countries: BatchParams['countries'];
  organizations: BatchParams['organizations'];
  systems: BatchParams['systems'];
  families: BatchParams['families'];
}

/**
 * Maps an export's lines to the deals they land on. What it keeps grows with the export's vocabulary
 * (its parties, systems and the curated deals it matched), never with its rows: repeated rows are
 * found by the graph (yearsRecordedByRun), deals are counted by the database once they are written.
 * Curated deals that SIPRI also records (same buyer, seller, system, order year within one year, or
 * listing `sipri-<id>` as an alias) receive SIPRI's facts instead of a second deal.
 */
export class SipriMapper {
  readonly hasher = new RowHasher();
  /** The latest delivery year the export lists: the last year it covers. */
  lastYear = 0;
  readonly merged: { sipriId: string; dealId: string }[] = [];
  private readonly parties: PartyResolver;
  /**
   * Every system the import can reach, under each of its name keys (one entry object per system, so
   * a system is counted once whichever key reached it). The one structure that grows with the
   * export's designations: a key, an id and a flag per system, nothing per row.
   */
  private readonly systemByKey = new Map<string, SystemEntry>();
  /** Systems a row of this export names (for the report). */
  systemsUsed = 0;
  private readonly curated: CuratedDeal[];
  private readonly curatedByAlias = new Map<string, CuratedDeal>();
  /** SIPRI ids merged onto a curated deal, and the deal (few: only matches are kept). */
  private readonly mergedOnto = new Map<string, CuratedDeal>();
  private readonly claimed = new Set<string>();
  private readonly written = new Set<string>();
  /** Parties the export names as supplier or recipient. */
  readonly partiesSeen = new Map<string, Party>();
  /** Every supplier or recipient name that is not a state, and what it became. */
  readonly nonState = new Map<string, { name: string; id: string; kind: string }>();

  constructor(
    private readonly layout: Layout,
    lookup: SipriLookup,
    countries: CountryEntry[],
  ) {
    // Ids first: a key that is one system's id reaches that system, not another whose name shares it.
    const entries = lookup.systems.map((s) => ({ id: s.id, used: false }));
    for (const [i, s] of lookup.systems.entries())
      this.systemByKey.set(nameKey(s.id), entries[i] as SystemEntry);
    for (const [i, s] of lookup.systems.entries())
      for (const k of s.keys)
        if (!this.systemByKey.has(k)) this.systemByKey.set(k, entries[i] as SystemEntry);
    this.curated = lookup.curated;
    for (const c of this.curated) for (const k of c.nameKeys) this.curatedByAlias.set(k, c);
    this.parties = new PartyResolver(countries, new Set(lookup.takenIds));
  }

  /**
   * How many entries the mapper holds in all its maps, sets and lists: the export's vocabulary
   * (spellings of parties, designations, systems, curated deals matched). Rows of a vocabulary already
   * seen add none (a unit test holds it to that).
   */
  retainedEntries(): number {
    return (
      this.parties.cached +
      this.systemByKey.size +
      this.mergedOnto.size +
      this.claimed.size +
      this.written.size +
      this.merged.length +
      this.partiesSeen.size +
      this.nonState.size
    );
  }

  map(line: RegisterLine): Mapped<PlannedRow> {
    const mapped = mapRow(this.layout, line);
    if (!mapped.ok) return { ok: false, rejected: { line: mapped.line, reason: mapped.reason } };
    const row = mapped.row;
    const seller = this.parties.resolve(row.supplier);
    const buyer = this.parties.resolve(row.recipient);
    if (!seller || !buyer) {
      const which = seller ? `recipient "${row.recipient}"` : `supplier "${row.supplier}"`;
      return {
        ok: false,
        rejected: {
          line: row.line,
          reason: `${which} is neither a known state nor marked * (armed group) or ** (organisation)`,
        },
      };
    }
    this.hasher.update(row, seller.name, buyer.name);
    for (const d of row.deliveries) if (d.year > this.lastYear) this.lastYear = d.year;
    const system = this.systemFor(row.designation);
    const curated = this.target(row, buyer, seller, system.id);
    const planned: PlannedRow = {
      row,
      dealId: curated?.id ?? `sipri-${row.sipriId}`,
      buyer,
      seller,
      systemId: system.id,
      curated,
      countries: [],
      organizations: [],
      systems: [],
      families: [],
    };
    this.addParties(planned, row);
    if (!system.entry.used) {
      system.entry.used = true;
      this.systemsUsed++;
    }
    // A system is new once: the first designation of its key creates it, and every later one finds it.
    if (system.isNew) {
      planned.systems.push({
        id: system.id,
        props: {
          ...nameFields(system.id, row.designation, shortNamesOf(row.designation)),
          ...(row.category ? { category: row.category } : {}),
          ...(row.description ? { description: row.description } : {}),
        },
      });
      // A variant ("F-35A Lightning-2") belongs to its family ("F-35"): an existing system of that
      // name (the seed's F-35), or a new one.
      const familyName = familyOf(row.designation);
      const family = familyName ? this.systemFor(familyName) : undefined;
      if (family && family.id !== system.id) {
        if (family.isNew) {
          planned.systems.push({
            id: family.id,
            props: { ...nameFields(family.id, familyName ?? family.id), family: true },
          });
        }
        planned.families.push({ variantId: system.id, familyId: family.id });
      }
    }
    return { ok: true, row: planned };
  }

  /** The curated deal recording the same transfer as this SIPRI record, if any (its own deal otherwise). */
  private target(row: SipriRow, buyer: Party, seller: Party, systemId: string): CuratedDeal | undefined {
    const known = this.mergedOnto.get(row.sipriId);
    if (known) return known;
    // No curated deal to match (an empty graph, a bulk load): no key to compute for every row.
    if (this.curated.length === 0) return undefined;
    const match =
      this.curatedByAlias.get(nameKey(`sipri-${row.sipriId}`)) ??
      this.curated.find(
        (c) =>
          !this.claimed.has(c.id) &&
          c.buyerId === buyer.id &&
          c.sellerId === seller.id &&
          c.systemId === systemId &&
          c.orderYear !== null &&
          Math.abs(c.orderYear - row.orderYear) <= 1,
      );
    if (!match) return undefined;
    this.claimed.add(match.id);
    this.mergedOnto.set(row.sipriId, match);
    this.merged.push({ sipriId: row.sipriId, dealId: match.id });
    return match;
  }

  /** The row's parties, and a group's country (the group is BASED_IN it), each written once. */
  private addParties(planned: PlannedRow, row: SipriRow): void {
    const { seller, buyer } = planned;
    const homes = [seller, buyer].flatMap((p) =>
      p.label === 'Organization' && p.countryId ? [this.parties.resolve(p.countryId)] : [],
    );
    for (const [party, raw] of [
      [seller, row.supplier],
      [buyer, row.recipient],
      ...homes.flatMap((h) => (h ? [[h, undefined] as const] : [])),
    ] as const) {
      if (raw !== undefined) this.partiesSeen.set(party.id, party);
      if (party.label === 'Organization' && raw !== undefined)
        this.nonState.set(raw, { name: raw, id: party.id, kind: party.kind });
      if (this.written.has(`party:${party.id}`)) continue;
      this.written.add(`party:${party.id}`);
      if (party.label === 'Country') {
        planned.countries.push({
          id: party.id,
          props: {
            ...nameFields(party.id, party.name, party.aliases),
            iso2: party.iso2,
            historical: party.historical,
            kind: 'state',
          },
        });
      } else {
        planned.organizations.push({
          id: party.id,
          props: {
            ...nameFields(party.id, party.name, party.aliases),
            kind: party.kind,
            ...(party.countryId ? { countryId: party.countryId } : {}),
          },
        });
      }
    }
  }

  /**
   * The system a designation names, and whether this row creates it. Designations are keyed (Unicode
   * folding) on every row rather than cached by spelling: a key costs a microsecond, while a cache by
   * spelling would hold a second entry for every designation of a synthetic million-deal register.
   */
  private systemFor(designation: string): { id: string; entry: SystemEntry; isNew: boolean } {
    // "+" names another designation ("BDSL+" is not "BDSL"), which keys and slugs would drop.
    const spelled = designation.replace(/\+/g, ' plus ');
    const key = nameKey(spelled);
    const found = this.systemByKey.get(key);
    if (found) return { id: found.id, entry: found, isNew: false };
    const id = slug(spelled) || `system-${key}`;
    const entry = { id, used: false };
    this.systemByKey.set(key, entry);
    this.systemByKey.set(nameKey(id), entry);
    return { id, entry, isNew: true };
  }
}
