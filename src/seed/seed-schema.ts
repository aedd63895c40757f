import { z } from 'zod';
import { canonicalCategory } from '../db/categories';
import {
  DEAL_STATUSES,
  ORGANIZATION_KINDS,
  SANCTION_STATUSES,
  SOURCE_KINDS,
  TECHNOLOGY_TRANSFERS,
} from '../model';

/** The schema of the curated seed files (seed/*.yaml): what a reviewer may write, checked strictly. */

const id = z.string().min(1).max(120);
const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lowercase slug such as s-400 or f-35-program');
const iso3 = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 3166-1 alpha-3 code such as TUR');
const date = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be an ISO 8601 date or year: 2019-07-17, 2019-07 or 2019');
const sources = z.array(id).min(1, 'every fact cites at least one source');
const year = z.number().int().min(1800).max(2100);
const category = z.string().transform((text, ctx) => {
  const canonical = canonicalCategory(text);
  if (!canonical) ctx.addIssue({ code: 'custom', message: `"${text}" is not a SIPRI armament category` });
  return canonical ?? text;
});

const entityBase = {
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  sources,
};

export const SourceEntry = z
  .object({
    id: slug,
    name: z.string().min(1),
    aliases: z.array(z.string()).default([]),
    kind: z.enum(SOURCE_KINDS),
    title: z.string().optional(),
    author: z.string().optional(),
    publisher: z.string().optional(),
    url: z.string().url().optional(),
    published: date.optional(),
    retrieved: date.optional(),
    citation: z.string().min(1),
    notes: z.string().optional(),
  })
  .strict();

export const CountryEntry = z
  .object({
    id: iso3,
    ...entityBase,
    iso2: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    historical: z.boolean().default(false),
  })
  .strict();

export const OrganizationEntry = z
  .object({
    id: slug,
    ...entityBase,
    kind: z.enum(ORGANIZATION_KINDS),
    country: iso3.optional(),
    description: z.string().optional(),
  })
  .strict();

export const AllianceEntry = z.object({ id: slug, ...entityBase, founded: year.optional() }).strict();

export const WeaponSystemEntry = z
  .object({
    id: slug,
    ...entityBase,
    category: category.optional(),
    description: z.string().optional(),
    origin: iso3.optional(),
    makers: z.array(slug).default([]),
  })
  .strict();

export const ProgramEntry = z
  .object({
    id: slug,
    ...entityBase,
    description: z.string().optional(),
    leader: iso3.optional(),
    develops: z.array(slug).default([]),
  })
  .strict();

export const PersonEntry = z.object({ id: slug, ...entityBase, description: z.string().optional() }).strict();

export const DealEntry = z
  .object({
    id: slug,
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    sources,
    buyer: id,
    seller: id,
    system: slug,
    status: z.enum(DEAL_STATUSES),
    orderYear: year.optional(),
    orderYearEstimated: z.boolean().optional(),
    orderDate: date.optional(),
    value: z
      .object({ amount: z.number().positive(), currency: z.string().regex(/^[A-Z]{3}$/) })
      .strict()
      .optional(),
    quantity: z.number().int().nonnegative().optional(),
    quantityDescription: z.string().optional(),
    firstDeliveryDate: date.optional(),
    technologyTransfer: z.enum(TECHNOLOGY_TRANSFERS).optional(),
    governmentToGovernment: z.boolean().optional(),
    localProduction: z.boolean().optional(),
    category: category.optional(),
    description: z.string().optional(),
    notes: z.array(z.string().min(1)).default([]),
    claims: z
      .array(
        z
          .object({
            field: z.enum(['orderYear', 'quantity', 'status', 'value']),
            value: z.unknown(),
            sources,
          })
          .strict(),
      )
      .default([]),
    announcedBy: z
      .array(
        z.object({ person: slug, date: date.optional(), statement: z.string().optional(), sources }).strict(),
      )
      .default([]),
  })
  .strict();

const relation = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, sources }).strict();

export const RelationsFile = z
  .object({
    memberships: z
      .array(relation({ country: iso3, alliance: slug, since: date.optional(), until: date.optional() }))
      .default([]),
    participations: z
      .array(
        relation({
          participant: id,
          program: slug,
          role: z.string().optional(),
          since: date.optional(),
          until: date.optional(),
        }),
      )
      .default([]),
    exclusions: z
      .array(relation({ country: iso3, program: slug, date: date.optional(), cause: slug.optional() }))
      .default([]),
    objections: z.array(relation({ by: id, deal: slug, reason: z.string().optional() })).default([]),
    sanctions: z
      .array(
        relation({
          by: id,
          target: id,
          status: z.enum(SANCTION_STATUSES),
          since: date.optional(),
          instrument: z.string().optional(),
          cause: slug.optional(),
          description: z.string().optional(),
        }),
      )
      .default([]),
    interests: z
      .array(
        relation({ country: iso3, system: slug, since: date.optional(), description: z.string().optional() }),
      )
      .default([]),
    offices: z
      .array(
        relation({
          person: slug,
          of: id,
          title: z.string().min(1),
          since: date.optional(),
          until: date.optional(),
        }),
      )
      .default([]),
  })
  .strict();

/** Each file holds one or more of these top-level lists. */
export const SeedFile = z
  .object({
    sources: z.array(SourceEntry).optional(),
    countries: z.array(CountryEntry).optional(),
    organizations: z.array(OrganizationEntry).optional(),
    alliances: z.array(AllianceEntry).optional(),
    weaponSystems: z.array(WeaponSystemEntry).optional(),
    programs: z.array(ProgramEntry).optional(),
    people: z.array(PersonEntry).optional(),
    deals: z.array(DealEntry).optional(),
  })
  .merge(RelationsFile.partial())
  .strict();
export type SeedFile = z.infer<typeof SeedFile>;
