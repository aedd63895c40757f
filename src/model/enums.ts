/**
 * The model's closed lists of values. schema.graphql's enums, the input checks, the seed schema and
 * docs/model.md all say the same (tests/unit/model.test.ts compares them).
 */

/** A deal's lifecycle, in order. */
export const DEAL_STATUSES = ['OFFERED', 'PENDING', 'DELIVERING', 'COMPLETED', 'CANCELLED'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

/** Statuses of deals that never moved arms (left out of operators and transfer totals). */
export const NOT_TRANSFERRED: readonly DealStatus[] = ['OFFERED', 'CANCELLED'];

/**
 * A deal's condition (SIPRI's Status column), as the transfer tables and deal filters take it; deals
 * store SIPRI's own text (`sipriStatus`: see SIPRI_STATUS).
 */
export const DEAL_CONDITIONS = ['NEW', 'SECOND_HAND', 'SECOND_HAND_MODERNISED'] as const;
export type DealCondition = (typeof DEAL_CONDITIONS)[number];

/** SIPRI's Status text for each DealCondition. */
export const SIPRI_STATUS: Record<DealCondition, string> = {
  NEW: 'New',
  SECOND_HAND: 'Second hand',
  SECOND_HAND_MODERNISED: 'Second hand but modernized',
};

/** The status of a SANCTIONS relationship. */
export const SANCTION_STATUSES = ['CONSIDERED', 'IMPOSED', 'LIFTED'] as const;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];

/** What a sanction consists of (a SANCTIONS relationship's `kind`). */
export const SANCTION_KINDS = ['ARMS_EMBARGO', 'TARGETED', 'EXPORT_RESTRICTIONS', 'OTHER'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];

/** Whom an arms embargo covers (a SANCTIONS relationship's `scope`). */
export const EMBARGO_SCOPES = ['WHOLE_STATE', 'NON_GOVERNMENTAL_FORCES'] as const;
export type EmbargoScope = (typeof EMBARGO_SCOPES)[number];

/** A MEMBER_OF relationship's `status`. */
export const MEMBERSHIP_STATUSES = ['MEMBER', 'SUSPENDED'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** An Organization's `kind`. */
export const ORGANIZATION_KINDS = [
  'manufacturer',
  'agency',
  'international_organization',
  'non_state_group',
  'other',
] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** A Source's `kind`. */
export const SOURCE_KINDS = ['article', 'database', 'government', 'reference'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** A deal's `technologyTransfer`, when stated. */
export const TECHNOLOGY_TRANSFERS = ['partial', 'full'] as const;
