import { z } from 'zod';
import { badInput } from '../errors';
import { canonicalCategory } from './categories';
import {
  DEAL_STATUSES,
  ENTITIES,
  ORGANIZATION_KINDS,
  RELATION_TYPES,
  SANCTION_STATUSES,
  SOURCE_KINDS,
  type EntityLabel,
  type RelationType,
} from '../model';

/**
 * What a mutation accepts, checked before any Cypher runs. Text is stored verbatim (quotes, braces,
 * Cypher keywords and all: it only ever travels as a parameter); ids are restricted to the id forms of
 * docs/model.md, and control characters are refused so nothing invisible gets into names.
 */

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');
export const nameText = text(300)
  .transform((s) => s.trim())
  .refine((s) => s !== '', 'must not be blank');
const longText = text(5000);
export const slug = z
  .string()
  .max(120, 'must be at most 120 characters')
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug such as s-400 or f-35-program');
export const iso3 = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as TUR');
/** An id, name or alias naming an existing entity (resolved later). */
export const ref = text(300).refine((s) => s.trim() !== '', 'must not be blank');
export const date = z
  .string()
  .regex(
    /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/,
    'must be an ISO 8601 date or year: 2019-07-17, 2019-07 or 2019',
  );
export const year = z.number().int().min(1800, 'must be 1800 or later').max(2100, 'must be 2100 or earlier');
const count = z.number().int().min(0, 'must not be negative').max(1_000_000, 'must be at most 1000000');
const amount = z.number().finite().min(0, 'must not be negative').max(1e15, 'is implausibly large');
export const sourceIds = z
  .array(slug)
  .min(1, 'every write cites at least one source')
  .max(50, 'at most 50 sources')
  .transform((ids) => [...new Set(ids)]);
const aliases = z.array(nameText).max(100, 'at most 100 aliases').default([]);
export const category = z.string().transform((t, ctx) => {
  const c = canonicalCategory(t);
  if (!c) ctx.addIssue({ code: 'custom', message: `"${t.slice(0, 80)}" is not a SIPRI armament category` });
  return c ?? t;
});
const url = z
  .string()
  .max(2000)
  .regex(/^https?:\/\/[^\s]+$/, 'must be an http or https address');

/** The entity kinds a client creates (EntityKind in the schema), each with its label. */
export const ENTITY_KINDS = Object.fromEntries(
  Object.entries(ENTITIES).flatMap(([label, e]) => (e.kind === null ? [] : [[e.kind, label]])),
) as { readonly [L in WritableLabel as (typeof ENTITIES)[L]['kind']]: L };
export type EntityKind = keyof typeof ENTITY_KINDS;
/** Entity labels a client writes through createEntity (deals have recordDeal). */
export type WritableLabel = Exclude<EntityLabel, 'Deal'>;

/** Properties each kind may carry (besides id, name, aliases, sourceIds). */
export const KIND_FIELDS: Record<WritableLabel | 'Deal', readonly string[]> = {
  Country: ['iso2', 'historical'],
  WeaponSystem: ['category', 'description'],
  Organization: ['subtype', 'country'],
  Alliance: ['founded'],
  Program: ['description', 'startYear'],
  Person: ['description'],
  Source: ['subtype', 'title', 'author', 'publisher', 'url', 'published', 'citation'],
  Deal: ['category', 'description', 'status'],
};

/** Fields shared by create and update, all optional here; kind rules are checked separately. */
const entityFields = {
  iso2: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as TR')
    .nullish(),
  historical: z.boolean().nullish(),
  subtype: z.string().max(40).nullish(),
  country: ref.nullish(),
  category: category.nullish(),
  description: longText.nullish(),
  founded: year.nullish(),
  startYear: year.nullish(),
  title: text(1000).nullish(),
  author: text(1000).nullish(),
  publisher: text(1000).nullish(),
  url: url.nullish(),
  published: date.nullish(),
  citation: text(2000).nullish(),
};

export const CreateEntity = z
  .object({
    kind: z.enum(Object.keys(ENTITY_KINDS) as [EntityKind, ...EntityKind[]]),
    id: z.string().max(120),
    name: nameText,
    aliases,
    sourceIds: z.array(slug).max(50).nullish(),
    ...entityFields,
  })
  .strict();
export type CreateEntity = z.infer<typeof CreateEntity>;

export const UpdateEntity = z
  .object({
    id: ref,
    sourceIds,
    name: nameText.nullish(),
    status: z.enum(DEAL_STATUSES).nullish(),
    ...entityFields,
  })
  .strict();
export type UpdateEntity = z.infer<typeof UpdateEntity>;

/** Checks the kind-specific rules of an entity input: its id form, its subtype, foreign fields. */
export function checkKindFields(
  label: WritableLabel | 'Deal',
  input: Record<string, unknown>,
  generic: readonly string[],
): void {
  const allowed = new Set([...generic, ...KIND_FIELDS[label]]);
  for (const [k, v] of Object.entries(input)) {
    if (v !== undefined && v !== null && !allowed.has(k))
      throw badInput(`${k} does not apply to a ${label}`, { field: k });
  }
  const subtype = input.subtype;
  if (typeof subtype === 'string') {
    const kinds: readonly string[] = label === 'Source' ? SOURCE_KINDS : ORGANIZATION_KINDS;
    if (!kinds.includes(subtype))
      throw badInput(`subtype of a ${label} must be one of ${kinds.join(', ')}`, { field: 'subtype' });
  }
}

export function checkId(label: WritableLabel | 'Deal', id: string): void {
  const ok =
    label === 'Country'
      ? iso3.safeParse(id).success
      : label === 'Deal'
        ? /^[a-z0-9]+(-[a-z0-9]+)*$/.test(id) && id.length <= 120
        : slug.safeParse(id).success;
  if (!ok)
    throw badInput(
      label === 'Country'
        ? `id of a Country must be an ISO 3166-1 alpha-3 code such as TUR`
        : `id of a ${label} must be a lowercase slug such as s-400`,
      { field: 'id' },
    );
}

const delivery = z
  .object({
    year,
    yearEstimated: z.boolean().nullish(),
    quantity: count.nullish(),
    quantityEstimated: z.boolean().nullish(),
    tiv: amount.nullish(),
  })
  .strict();
export const Deliveries = z
  .array(delivery)
  .max(200, 'at most 200 deliveries')
  .refine((ds) => new Set(ds.map((d) => d.year)).size === ds.length, 'at most one delivery per year');
export type DeliveryInput = z.infer<typeof delivery>;

const status = z.enum(DEAL_STATUSES);
export const RecordDeal = z
  .object({
    id: z
      .string()
      .max(120)
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug such as tur-s-400-2017 or sipri-59633'),
    name: nameText,
    aliases,
    buyer: ref,
    seller: ref,
    system: ref,
    status,
    orderYear: year.nullish(),
    orderYearEstimated: z.boolean().nullish(),
    orderDate: date.nullish(),
    value: z
      .object({ amount, currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD') })
      .strict()
      .nullish(),
    quantity: count.nullish(),
    quantityEstimated: z.boolean().nullish(),
    quantityDescription: text(1000).nullish(),
    tivUnit: amount.nullish(),
    category: category.nullish(),
    description: longText.nullish(),
    notes: z.array(longText).max(50).nullish(),
    deliveries: Deliveries.nullish(),
    sourceIds,
  })
  .strict();
export type RecordDeal = z.infer<typeof RecordDeal>;

export const RecordDeliveries = z.object({ deal: ref, deliveries: Deliveries, sourceIds }).strict();

export const RecordMembership = z
  .object({ country: ref, alliance: ref, since: date.nullish(), until: date.nullish(), sourceIds })
  .strict();
export const RecordExclusion = z
  .object({ country: ref, program: ref, date: date.nullish(), cause: ref.nullish(), sourceIds })
  .strict();
export const RecordSanction = z
  .object({
    by: ref,
    target: ref,
    status: z.enum(SANCTION_STATUSES),
    since: date.nullish(),
    instrument: text(500).nullish(),
    description: longText.nullish(),
    cause: ref.nullish(),
    sourceIds,
  })
  .strict();

export const AddAliases = z
  .object({ id: ref, aliases: z.array(nameText).min(1, 'give at least one alias').max(100), sourceIds })
  .strict();

const reason = text(2000).refine((s) => s.trim() !== '', 'give a reason');
export const MergeEntities = z.object({ keep: ref, merge: ref, reason, sourceIds }).strict();

/** Relationship types a client may name: the model's, never arbitrary text (they are spliced into Cypher). */
export const RELATIONSHIP_TYPES = RELATION_TYPES as [RelationType, ...RelationType[]];

export const RetireFact = z
  .object({
    node: ref.nullish(),
    relationship: z
      .object({
        type: z.enum(RELATIONSHIP_TYPES, { message: `type must be one of ${RELATIONSHIP_TYPES.join(', ')}` }),
        from: ref,
        to: ref,
        key: text(1000).nullish(),
      })
      .strict()
      .nullish(),
    reason,
    sourceIds,
  })
  .strict()
  .refine((r) => (r.node == null) !== (r.relationship == null), 'give exactly one of node or relationship');

/** Parses a mutation's input; the first problem becomes a BAD_USER_INPUT naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw badInput(`${field ? `${field}: ` : ''}${issue?.message ?? 'invalid input'}`, field ? { field } : {});
}
