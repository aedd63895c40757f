import type { NodeLabel } from './nodes';

/**
 * Every relationship type of the graph, declared once: its allowed ends, the properties that tell
 * parallel relationships of one type between the same two nodes apart (its key parts, in key
 * order), and its inner properties. Every relationship carries `sourceIds` (provenance) and may be
 * retired; its `key` is `TYPE:from:to:part` (relationKey), the one thing every writer MERGEs it on.
 */
export interface RelationSpec {
  from: readonly NodeLabel[];
  to: readonly NodeLabel[];
  /** Properties whose values make the key's last part (joined by ':'); empty: one per pair of ends. */
  keyParts: readonly string[];
  /** Properties the relationship may carry besides `sourceIds`, `key` and the retired marks. */
  props: readonly string[];
  /**
   * A deal's party: the deal has at most one live relationship of this type. Writing it to another
   * end retires the old one (the deal slots index these, src/db/deal-slots.ts).
   */
  dealParty?: { field: 'buyer' | 'seller' | 'system' };
}

const PARTIES = ['Country', 'Organization'] as const;

export const RELATIONS = {
  BUYER: { from: ['Deal'], to: PARTIES, keyParts: [], props: [], dealParty: { field: 'buyer' } },
  SELLER: { from: ['Deal'], to: PARTIES, keyParts: [], props: [], dealParty: { field: 'seller' } },
  COVERS: { from: ['Deal'], to: ['WeaponSystem'], keyParts: [], props: [], dealParty: { field: 'system' } },
  HAS_DELIVERY: { from: ['Deal'], to: ['Delivery'], keyParts: [], props: [] },
  HAS_CLAIM: {
    from: ['Deal', 'Country', 'Organization', 'WeaponSystem', 'Alliance', 'Program', 'Person', 'Source'],
    to: ['Claim'],
    keyParts: [],
    props: [],
  },
  // Memberships and sanctions from reference/ carry the file that states them (a later import retires
  // what its file dropped) and whether a date is curated from memory (estimate, note).
  MEMBER_OF: {
    from: ['Country'],
    to: ['Alliance'],
    keyParts: ['since'],
    props: ['since', 'until', 'status', 'estimate', 'note', 'referenceFile'],
  },
  PARTICIPATES_IN: {
    from: PARTIES,
    to: ['Program'],
    keyParts: ['role'],
    props: ['role', 'since', 'until'],
  },
  EXCLUDED_FROM: { from: ['Country'], to: ['Program'], keyParts: ['date'], props: ['date', 'causeDealId'] },
  SANCTIONS: {
    from: ['Country', 'Organization', 'Alliance'],
    to: PARTIES,
    keyParts: ['status', 'instrument', 'since'],
    props: [
      'id',
      'kind',
      'status',
      'since',
      'until',
      'instrument',
      'scope',
      'items',
      'causeDealId',
      'description',
      'estimate',
      'note',
      'referenceFile',
    ],
  },
  INTERESTED_IN: { from: ['Country'], to: ['WeaponSystem'], keyParts: [], props: ['since', 'description'] },
  MADE_BY: { from: ['WeaponSystem'], to: ['Organization'], keyParts: [], props: [] },
  ORIGIN: { from: ['WeaponSystem'], to: ['Country'], keyParts: [], props: [] },
  DEVELOPS: { from: ['Program'], to: ['WeaponSystem'], keyParts: [], props: [] },
  LED_BY: { from: ['Program'], to: ['Country'], keyParts: [], props: [] },
  BASED_IN: { from: ['Organization'], to: ['Country'], keyParts: [], props: [] },
  // A weapon-system variant's family (F-35A → F-35); a SIPRI release's source (sipri-atdb@2026-02-12 → sipri-atdb).
  VARIANT_OF: { from: ['WeaponSystem'], to: ['WeaponSystem'], keyParts: [], props: [] },
  VERSION_OF: { from: ['Source'], to: ['Source'], keyParts: [], props: [] },
  HOLDS_OFFICE: { from: ['Person'], to: PARTIES, keyParts: ['title'], props: ['title', 'since', 'until'] },
  ANNOUNCED: { from: ['Person'], to: ['Deal'], keyParts: ['date'], props: ['date', 'statement'] },
  OBJECTED_TO: {
    from: ['Country', 'Alliance', 'Organization'],
    to: ['Deal'],
    keyParts: [],
    props: ['reason'],
  },
} as const satisfies Record<string, RelationSpec>;

export type RelationType = keyof typeof RELATIONS;
export const RELATION_TYPES = Object.keys(RELATIONS) as RelationType[];

/** The relationship types that name a deal's parties (buyer, seller, system), in filter anchor order. */
export const DEAL_PARTY_TYPES = RELATION_TYPES.filter(
  (t) => (RELATIONS[t] as RelationSpec).dealParty !== undefined,
) as ('BUYER' | 'SELLER' | 'COVERS')[];
export type DealPartyType = 'BUYER' | 'SELLER' | 'COVERS';

/** The Deal fields that name its parties (buyer, seller, system), in the order of DEAL_PARTY_TYPES. */
export const DEAL_PARTY_FIELDS = DEAL_PARTY_TYPES.flatMap((t) => {
  const party = (RELATIONS[t] as RelationSpec).dealParty;
  return party ? [party.field] : [];
});

/** `BUYER|SELLER|COVERS`: the deal-party types as one Cypher relationship pattern. */
export const DEAL_PARTY_PATTERN = DEAL_PARTY_TYPES.join('|');

/** The labels a relationship end may have. */
export function relationEnds(type: RelationType): { from: readonly NodeLabel[]; to: readonly NodeLabel[] } {
  const spec: RelationSpec = RELATIONS[type];
  return { from: spec.from, to: spec.to };
}

/**
 * The relationship's key: `TYPE:from:to:part`, part being its key parts' values joined by ':' (absent
 * ones empty). The seed, the importers and the mutations all MERGE on it, so they meet on one fact.
 */
export function relationKey(
  type: RelationType,
  from: string,
  to: string,
  props: Readonly<Record<string, unknown>> = {},
): string {
  const spec: RelationSpec = RELATIONS[type];
  const part = spec.keyParts
    .map((p) => {
      const v = props[p];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
    })
    .join(':');
  return `${type}:${from}:${to}:${part}`;
}

/**
 * Internal relationships, outside the entity graph: the change log (CHANGED), merge tombstones
 * (MERGED_INTO) and each SIPRI release's record of a deal (HAS_RECORD).
 */
export const INTERNAL_RELATIONS = ['CHANGED', 'MERGED_INTO', 'HAS_RECORD'] as const;
