import type { EntityLabel } from './nodes';

/**
 * Properties that name another entity by its id instead of by a relationship. A merge of that entity
 * rewrites them to the kept id (the change log keeps its history as it was).
 */
export interface IdReference {
  property: string;
  /** The label of the entity the id names. */
  target: EntityLabel;
  /** Where the property stands: on nodes of one label, on relationships, or on both of any kind. */
  on: { label: EntityLabel } | 'relationships' | 'anywhere';
  /** A list of ids (sourceIds), or one id. */
  list: boolean;
}

export const ID_REFERENCES: readonly IdReference[] = [
  // A sanction or an exclusion caused by a deal.
  { property: 'causeDealId', target: 'Deal', on: 'relationships', list: false },
  { property: 'countryId', target: 'Country', on: { label: 'Organization' }, list: false },
  // Provenance: every node and relationship names its sources.
  { property: 'sourceIds', target: 'Source', on: 'anywhere', list: true },
];
