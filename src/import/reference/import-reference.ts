import type { Database } from '../../db/database';
import { nameFields } from '../../db/names';
import type { RelationRow } from '../../db/graph-writer';
import { writeReference, type ReferenceWrite } from '../../db/reference-writes';
import { loadCountryTable } from '../resolve-party';
import type { ImportCounts } from '../importer';
import { readReference, type ReferenceData } from './read-reference';

/**
 * Reference data is checked whole before anything is written (a problem refuses the import), so its
 * rows are imported all or none: `rejected` is always empty, and its counts are per file as well.
 */
export interface ReferenceImportReport extends ImportCounts {
  dir: string;
  /** Rows read per file. */
  rows: Record<string, number>;
  nodesCreated: number;
  relationsCreated: number;
  relationsRetired: number;
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** Turns checked reference rows into what the writer stores. */
export function planReference(data: ReferenceData): ReferenceWrite {
  // Countries are created with the names the SIPRI importer would give them, so either may come first.
  const table = new Map(loadCountryTable().map((c) => [c.id, c]));

  // Keys come from the model (relationKey), so the seed, the mutations and this import meet on one fact.
  const memberships: RelationRow[] = data.memberships.map((m) => ({
    from: m.country,
    to: m.alliance,
    props: {
      since: m.since,
      until: orNull(m.until),
      status: m.status,
      estimate: m.estimate,
      note: orNull(m.note),
      referenceFile: 'memberships.csv',
    },
    sourceIds: m.source,
  }));
  const sanctions: RelationRow[] = data.sanctions.map((s) => ({
    from: s.imposedBy,
    to: s.target,
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
      referenceFile: 'sanctions.csv',
    },
    sourceIds: s.source,
  }));
  const basedIn: RelationRow[] = data.organizations.flatMap((o) =>
    o.country === undefined ? [] : [{ from: o.id, to: o.country, sourceIds: o.source }],
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
      // An organisation's seat is shared with the seed and the importers: never retired from here.
      { type: 'BASED_IN', file: 'organizations.csv', retire: false, rows: basedIn },
      { type: 'MEMBER_OF', file: 'memberships.csv', retire: true, rows: memberships },
      { type: 'SANCTIONS', file: 'sanctions.csv', retire: true, rows: sanctions },
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
  const started = Date.now();
  const written = await writeReference(db, planReference(data));
  const rows = {
    'sources.csv': data.sources.length,
    'countries.csv': data.countries.length,
    'alliances.csv': data.alliances.length,
    'organizations.csv': data.organizations.length,
    'memberships.csv': data.memberships.length,
    'sanctions.csv': data.sanctions.length,
  };
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  return {
    dir: data.dir,
    rows,
    rowsRead: total,
    rowsImported: total,
    rejectedRows: 0,
    rejected: [],
    durationMs: Date.now() - started,
    ...written,
  };
}
