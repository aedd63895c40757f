/**
 * Every node label of the graph. Entities (`:Entity` as well as their kind) are what lookups, names,
 * exports and subgraphs see; the others are facts of an entity (Delivery, Claim) or derived and
 * bookkeeping data that never leaves the database as an entity.
 */

/**
 * Entity labels, each with the form of its ids and the GraphQL EntityKind value a client writes it
 * with (Deal has its own mutation). Each has a unique `id` (a constraint per label).
 */
export const ENTITIES = {
  Country: { kind: 'COUNTRY', id: 'iso3' },
  Organization: { kind: 'ORGANIZATION', id: 'slug' },
  WeaponSystem: { kind: 'WEAPON_SYSTEM', id: 'slug' },
  Deal: { kind: null, id: 'slug' },
  Alliance: { kind: 'ALLIANCE', id: 'slug' },
  Program: { kind: 'PROGRAM', id: 'slug' },
  Person: { kind: 'PERSON', id: 'slug' },
  Source: { kind: 'SOURCE', id: 'slug' },
} as const;
export type EntityLabel = keyof typeof ENTITIES;
export const ENTITY_LABELS = Object.keys(ENTITIES) as EntityLabel[];

/** Nodes that belong to one entity and reach clients as its properties (no `:Entity` label). */
export const FACT_LABELS = ['Delivery', 'Claim'] as const;
export type FactLabel = (typeof FACT_LABELS)[number];

/**
 * Derived and bookkeeping nodes: the change log, merge tombstones, the deals' page slots, and each
 * SIPRI release's record of a deal (HAS_RECORD, the history revisions are read from).
 */
export const INTERNAL_LABELS = ['Change', 'Merged', 'DealSlot', 'DealSlotsBuilt', 'SipriRecord'] as const;

export type NodeLabel = EntityLabel | FactLabel;

/** What may buy or sell in a deal. */
export const PARTY_LABELS = ['Country', 'Organization'] as const satisfies readonly EntityLabel[];

/**
 * Properties that are whole numbers in the graph (years, counts). Writers store them as integers: a
 * JavaScript number would be stored as a float, and one float among integers makes every export
 * declare the property `double`.
 */
export const INTEGER_PROPERTIES: ReadonlySet<string> = new Set([
  'orderYear',
  'deliveryStartYear',
  'deliveryEndYear',
  'quantity',
  'delivered',
  'founded',
  'startYear',
  'year',
]);
