import { badInput } from '../../errors';
import type { EntityRecord } from '../../db/entities';
import { inForceIn } from '../../db/in-force';
import type { Plain } from '../../db/mapper';
import { MAX_RELATED_DEALS, type RelationQuery } from '../../db/relation-queries';
import type { Context } from '../context';
import { loadAll } from './entities';
import { sipriRecords } from './releases';
import { releaseClaims } from '../../db/release-diff';
import { releaseSourceId } from '../../db/release-writes';

/** The fields of the API's object types: each asks a batched loader, never Cypher of its own. */

type Item = Record<string, Plain>;
type Owner = { id: string };

const items = (name: RelationQuery) => async (owner: Owner, _: unknown, ctx: Context) =>
  (await ctx.loaders.related(name).load(owner.id)) as Item[];

/** A field that lists related entities whose ids the relation query returns. */
const entities = (name: RelationQuery) => async (owner: Owner, _: unknown, ctx: Context) =>
  loadAll(ctx, (await ctx.loaders.related(name).load(owner.id)) as string[]);

const entity = (name: RelationQuery) => async (owner: Owner, _: unknown, ctx: Context) =>
  (await entities(name)(owner, _, ctx))[0] ?? null;

/** A field holding the id of another entity, resolved through the entity loader. */
const ref = (key: string) => (item: Item, _: unknown, ctx: Context) => {
  const id = item[key];
  return typeof id === 'string' ? ctx.loaders.entity.load(id) : null;
};

const sources = (item: { sourceIds?: Plain }, _: unknown, ctx: Context) =>
  loadAll(ctx, Array.isArray(item.sourceIds) ? (item.sourceIds as string[]) : []);

/** Lists of deals, capped: `first` above the cap is a client error, not a silent cut. */
const deals = (name: RelationQuery) => async (owner: Owner, args: { first?: number }, ctx: Context) => {
  const first = args.first ?? 100;
  if (first < 0 || first > MAX_RELATED_DEALS)
    throw badInput(`first must be between 0 and ${MAX_RELATED_DEALS}`, { first });
  return ((await ctx.loaders.related(name).load(owner.id)) as Item[]).slice(0, first);
};

/** Deal fields that need its parties when the deal did not come with them (e.g. from Query.node). */
const dealParty =
  (key: 'buyerId' | 'sellerId' | 'systemId') => async (deal: Item & Owner, _: unknown, ctx: Context) => {
    let id = deal[key];
    if (id === undefined) {
      const [full] = (await ctx.loaders.related('dealParties').load(deal.id)) as Item[];
      id = full?.[key] ?? null;
    }
    return typeof id === 'string' ? ctx.loaders.entity.load(id) : null;
  };

const bool = (key: string) => (o: Item) => o[key] === true;
const list = (key: string) => (o: Item) => (Array.isArray(o[key]) ? o[key] : []);

export const relationResolvers = {
  Country: {
    historical: bool('historical'),
    memberships: items('memberships'),
    purchases: deals('purchases'),
    sales: deals('sales'),
    exclusions: items('exclusions'),
    sanctionsReceived: items('sanctionsReceived'),
    sanctionsImposed: items('sanctionsImposed'),
    programs: items('participations'),
    interests: items('interests'),
  },
  WeaponSystem: {
    makers: entities('makers'),
    origin: entity('origin'),
    deals: deals('systemDeals'),
    operators: entities('operators'),
    interestedCountries: items('interestedCountries'),
  },
  Deal: {
    buyer: dealParty('buyerId'),
    seller: dealParty('sellerId'),
    system: dealParty('systemId'),
    orderYearEstimated: bool('orderYearEstimated'),
    quantityEstimated: bool('quantityEstimated'),
    value: (d: Item) =>
      typeof d.valueAmount === 'number' && typeof d.valueCurrency === 'string'
        ? { amount: d.valueAmount, currency: d.valueCurrency }
        : null,
    tivDelivered: (d: Item) => d.tivTotal ?? null,
    condition: (d: Item) => d.sipriStatus ?? null,
    notes: list('notes'),
    deliveries: items('deliveries'),
    announcedBy: items('announcements'),
    objectedBy: items('objections'),
    causedExclusions: items('causedExclusions'),
    causedSanctions: items('causedSanctions'),
    disagreements: async (deal: EntityRecord, _: unknown, ctx: Context) => {
      const claims = (await ctx.loaders.related('claims').load(deal.id)) as Item[];
      const byField = new Map<string, Item[]>();
      for (const c of claims) byField.set(String(c.field), [...(byField.get(String(c.field)) ?? []), c]);
      // SIPRI releases that state different values are claims too, each by its release.
      const shownKey = new Map<string, string>();
      for (const r of releaseClaims(await sipriRecords(deal.id, ctx), releaseSourceId)) {
        shownKey.set(r.field, r.key);
        const own = r.claims.map((c) => ({ field: r.field, value: c.value, sourceIds: c.sourceIds }));
        byField.set(r.field, [...(byField.get(r.field) ?? []), ...own]);
      }
      const parties =
        deal.buyerId === undefined ? await ctx.loaders.related('dealParties').load(deal.id) : [deal];
      const current = { ...(parties[0] as Item | undefined), ...deal };
      return [...byField.entries()]
        .map(([field, fieldClaims]) => {
          const value = current[shownKey.get(field) ?? field];
          const shown = value === undefined || value === null ? null : JSON.stringify(value);
          // The shown value is a claim too: by the entity's own sources, unless a claim already states it.
          const all = fieldClaims.some((c) => c.value === shown)
            ? fieldClaims
            : shown === null
              ? fieldClaims
              : [{ field, value: shown, sourceIds: deal.sourceIds }, ...fieldClaims];
          return { field, shown, claims: all };
        })
        .filter((d) => new Set(d.claims.map((c) => c.value)).size > 1);
    },
  },
  Alliance: {
    members: async (owner: Owner, args: { at?: number | null }, ctx: Context) => {
      const all = (await ctx.loaders.related('members').load(owner.id)) as Item[];
      const at = args.at;
      return at == null ? all : all.filter((m) => inForceIn(m.since, m.until, at));
    },
  },
  Program: {
    leader: entity('leader'),
    develops: entities('develops'),
    participants: items('participants'),
    exclusions: items('programExclusions'),
  },
  Organization: {
    kind: (o: Item) => o.kind ?? 'other',
    country: entity('basedIn'),
    sanctionsReceived: items('sanctionsReceived'),
  },
  Person: { offices: items('offices'), announcements: items('personAnnouncements') },
  Source: { kind: (s: Item) => s.kind ?? 'reference' },
  Delivery: { yearEstimated: bool('yearEstimated'), quantityEstimated: bool('quantityEstimated'), sources },
  Claim: { sources },
  Membership: { alliance: ref('allianceId'), member: ref('memberId'), sources },
  Participation: { program: ref('programId'), participant: ref('participantId'), sources },
  Exclusion: { program: ref('programId'), country: ref('countryId'), cause: ref('causeDealId'), sources },
  Sanction: { imposedBy: ref('byId'), target: ref('targetId'), cause: ref('causeDealId'), sources },
  Interest: { country: ref('countryId'), system: ref('systemId'), sources },
  Office: { of: ref('ofId'), sources },
  Announcement: { person: ref('personId'), sources },
  Objection: { by: ref('byId'), deal: ref('dealId'), sources },
};
