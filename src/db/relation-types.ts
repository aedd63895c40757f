/**
 * The model's relationship types, in a module of their own with no imports, so that the explorer's
 * browser bundle names the same list as the API that checks it.
 */

/** Relationship types a client may name: the model's, never arbitrary text (they are spliced into Cypher). */
export const RELATIONSHIP_TYPES = [
  'BUYER',
  'SELLER',
  'COVERS',
  'HAS_DELIVERY',
  'HAS_CLAIM',
  'MEMBER_OF',
  'PARTICIPATES_IN',
  'EXCLUDED_FROM',
  'SANCTIONS',
  'INTERESTED_IN',
  'MADE_BY',
  'ORIGIN',
  'DEVELOPS',
  'LED_BY',
  'BASED_IN',
  'HOLDS_OFFICE',
  'ANNOUNCED',
  'OBJECTED_TO',
] as const;

/**
 * Relationship types between entities: the model's less those that lead to a deal's own Delivery and
 * Claim nodes, which are not entities. Subgraph queries (neighborhood, paths) accept only these.
 */
const INNER_TYPES: readonly string[] = ['HAS_DELIVERY', 'HAS_CLAIM'];
export const RELATION_TYPES: readonly string[] = RELATIONSHIP_TYPES.filter((t) => !INNER_TYPES.includes(t));
