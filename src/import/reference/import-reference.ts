import type { Database } from '../../db/database';
import { nameFields } from '../../db/names';
import { writeReference, type ReferenceRelation, type ReferenceWrite } from '../../db/reference-writes';
import { loadCountryTable } from '../resolve-party';
import { readReference, type ReferenceData } from './read-reference';

export interface ReferenceImportReport {
  dir: string;
  /** Rows read per file. */
  rows: Record<string, number>;
  nodesCreated: number;
  relationsCreated: number;
  relationsRetired: number;
}

/** A relationship key as the seeder and the mutations build it, so all three MERGE the same fact. */
const key = (type: string, from: string, to: string, part: string) => `${type}:${from}:${to}:${part}`;
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Turns checked reference rows into what the writer stores. */
export function planReference(data: ReferenceData): ReferenceWrite {
  // Countries are created with the names the SIPRI importer would give them, so either may come first.
  const table = new Map(loadCountryTable().map((c) => [c.id, c]));
  const allianceIds = new Set(data.alliances.map((a) => a.id));
  const organizationIds = new Set(data.organizations.map((o) => o.id));
  const labelOf = (id: string) =>
    allianceIds.has(id) ? 'Alliance' : organizationIds.has(id) ? 'Organization' : 'Country';

  const memberships: ReferenceRelation[] = data.memberships.map((m) => ({
    key: key('MEMBER_OF', m.country, m.alliance, m.since),
    from: m.country,
    fromLabel: 'Country',
    to: m.alliance,
    toLabel: 'Alliance',
    props: {
      since: m.since,
      until: orNull(m.until),
      status: m.status,
      estimate: m.estimate,
      note: orNull(m.note),
    },
    sourceIds: m.source,
  }));
  const sanctions: ReferenceRelation[] = data.sanctions.map((s) => ({
    key: key('SANCTIONS', s.imposedBy, s.target, `${s.status}:${s.instrument}:${s.since}`),
    from: s.imposedBy,
    fromLabel: labelOf(s.imposedBy),
    to: s.target,
    toLabel: labelOf(s.target),
    props: {
      id: s.id,
      kind: s.kind,
      status: s.status,
      since: s.since,
      until: orNull(s.until),
      instrument: s.instrument,
      scope: orNull(s.scope),
      items: orNull(s.items),
      causeDealId: orNull(s.cause),
      estimate: s.estimate,
      note: orNull(s.note),
    },
    sourceIds: s.source,
  }));
  const basedIn: ReferenceRelation[] = data.organizations.flatMap((o) =>
    o.country === undefined
      ? []
      : [
          {
            key: key('BASED_IN', o.id, o.country, ''),
            from: o.id,
            fromLabel: 'Organization',
            to: o.country,
            toLabel: 'Country',
            props: {},
            sourceIds: o.source,
          },
        ],
  );

  return {
    sources: data.sources.map((s) => ({
      id: s.id,
      create: { ...nameFields(s.id, s.title) },
      // Sources the seed also states keep what the seed says that these rows leave empty.
      props: Object.fromEntries(
        Object.entries({
          kind: s.kind,
          title: s.title,
          publisher: s.publisher,
          published: s.published,
          url: s.url,
          citation: s.citation,
          notes: s.notes,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      sourceIds: [],
    })),
    countries: data.countries.map((c) => {
      const known = table.get(c.country);
      return {
        id: c.country,
        create: {
          ...nameFields(c.country, known?.name ?? c.name, known?.aliases ?? []),
          iso2: known?.iso2 ?? null,
          historical: known?.historical ?? false,
          kind: 'state',
        },
        props: {
          region: c.region,
          subregion: c.subregion,
          intermediateRegion: orNull(c.intermediateRegion),
          m49: orNull(c.m49),
          regionEstimated: c.estimate,
          regionNote: orNull(c.note),
        },
        sourceIds: c.source,
      };
    }),
    alliances: data.alliances.map((a) => ({
      id: a.id,
      create: { ...nameFields(a.id, a.name, a.aliases), kind: 'military' },
      props: {
        founded: a.founded,
        dissolved: orNull(a.dissolved),
        defenceClause: orNull(a.defenceClause),
        note: orNull(a.note),
      },
      sourceIds: a.source,
    })),
    organizations: data.organizations.map((o) => ({
      id: o.id,
      create: { ...nameFields(o.id, o.name, o.aliases), kind: o.kind, countryId: orNull(o.country) },
      props: { binds: orNull(o.binds) },
      sourceIds: o.source,
    })),
    relations: [
      { type: 'BASED_IN', file: 'organizations.csv', rows: basedIn },
      { type: 'MEMBER_OF', file: 'memberships.csv', rows: memberships },
      { type: 'SANCTIONS', file: 'sanctions.csv', rows: sanctions },
    ],
  };
}

/**
 * `armsgraph import reference [dir]`, and the service on an empty graph: reads and checks every
 * reference file (any problem refuses the import, naming file, line and reason, before anything is
 * written), then writes them in one transaction. Running it twice changes nothing.
 */
export async function importReference(db: Database, dir?: string): Promise<ReferenceImportReport> {
  return writeReferenceData(db, readReference(dir));
}

/** Writes reference data already read and checked (readReference). */
export async function writeReferenceData(db: Database, data: ReferenceData): Promise<ReferenceImportReport> {
  const written = await writeReference(db, planReference(data));
  return {
    dir: data.dir,
    rows: {
      'sources.csv': data.sources.length,
      'countries.csv': data.countries.length,
      'alliances.csv': data.alliances.length,
      'organizations.csv': data.organizations.length,
      'memberships.csv': data.memberships.length,
      'sanctions.csv': data.sanctions.length,
    },
    ...written,
  };
}
