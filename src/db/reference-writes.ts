import type { Database } from './database';

/**
 * Writes the reference data (alliances, memberships, sanctions, regions; src/import/reference/) in
 * one transaction. Entities are MERGEd on their id and keep the names they already have (a curated
 * or SIPRI-imported country stays as it is, and gains its region); relationships are MERGEd on the
 * seeder's keys (`TYPE:from:to:part`), so the seed's NATO memberships and CAATSA sanction are the same
 * facts, gaining their dates and ids. Relationships a reference file wrote before and no longer
 * states are retired, never deleted; stated again, they are revived.
 */

type Props = Record<string, string | number | boolean | string[] | null>;

export interface ReferenceNode {
  id: string;
  /** Set only when the node is created: its names (nameFields) and what a creator sets. */
  create: Props;
  /** Set on every import: the properties the reference data owns (null removes one). */
  props: Props;
  sourceIds: string[];
}

export interface ReferenceRelation {
  key: string;
  from: string;
  fromLabel: string;
  to: string;
  toLabel: string;
  props: Props;
  sourceIds: string[];
}

export interface ReferenceWrite {
  sources: ReferenceNode[];
  countries: ReferenceNode[];
  alliances: ReferenceNode[];
  organizations: ReferenceNode[];
  /** Relationships by type (MEMBER_OF, SANCTIONS, BASED_IN) and the file that states them. */
  relations: { type: 'MEMBER_OF' | 'SANCTIONS' | 'BASED_IN'; file: string; rows: ReferenceRelation[] }[];
}

export interface ReferenceWriteReport {
  nodesCreated: number;
  relationsCreated: number;
  relationsRetired: number;
}

const unionSources = (v: string) =>
  `${v}.sourceIds = reduce(acc = coalesce(${v}.sourceIds, []), s IN row.sourceIds | CASE WHEN s IN acc THEN acc ELSE acc + s END)`;

const LABELS = {
  sources: 'Source',
  countries: 'Country',
  alliances: 'Alliance',
  organizations: 'Organization',
} as const;

/** Reference relationships carry the file that states them, so a later import can retire what it dropped. */
const RETIRE = `MATCH ()-[r]->() WHERE r.referenceFile = $file AND type(r) = $type
  AND NOT r.key IN $keys AND coalesce(r.retired, false) = false
  SET r.retired = true, r.retiredBy = 'reference-import', r.retiredAt = toString(datetime()),
    r.retiredReason = 'no longer stated by reference/' + $file, r.retiredSourceIds = r.sourceIds
  RETURN count(r) AS retired`;

/** A bulk write of a few thousand entities and facts: allowed more time than one API request. */
const WRITE_TIMEOUT_MS = 300_000;

export async function writeReference(db: Database, plan: ReferenceWrite): Promise<ReferenceWriteReport> {
  return db.writeTx(async (tx) => {
    const report: ReferenceWriteReport = { nodesCreated: 0, relationsCreated: 0, relationsRetired: 0 };
    for (const kind of ['sources', 'countries', 'alliances', 'organizations'] as const) {
      // Labels come from the closed table above, never from the files' text.
      const [row] = await db.run(
        tx,
        `UNWIND $rows AS row
         MERGE (n:${LABELS[kind]} {id: row.id})
         ON CREATE SET n:Entity, n += row.create, n.created = true
         WITH n, row, coalesce(n.created, false) AS created
         REMOVE n.created
         SET n += row.props, ${unionSources('n')}
         RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created`,
        { rows: plan[kind] },
      );
      report.nodesCreated += Number(row?.created ?? 0);
    }
    for (const { type, file, rows } of plan.relations) {
      const [created] = await db.run(
        tx,
        `UNWIND $rows AS row
         MATCH (a:Entity {id: row.from}) WHERE row.fromLabel IN labels(a)
         MATCH (b:Entity {id: row.to}) WHERE row.toLabel IN labels(b)
         MERGE (a)-[r:${type} {key: row.key}]->(b)
         ON CREATE SET r.created = true
         WITH r, row, coalesce(r.created, false) AS created
         REMOVE r.created, r.retired, r.retiredBy, r.retiredAt, r.retiredReason, r.retiredSourceIds
         SET r += row.props, r.referenceFile = $file, ${unionSources('r')}
         RETURN sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, count(*) AS written`,
        { rows, file },
      );
      if (Number(created?.written ?? 0) !== rows.length)
        throw new Error(`${file}: ${rows.length - Number(created?.written ?? 0)} rows found no endpoint`);
      report.relationsCreated += Number(created?.created ?? 0);
      const [retired] = await db.run(tx, RETIRE, { file, type, keys: rows.map((r) => r.key) });
      report.relationsRetired += Number(retired?.retired ?? 0);
    }
    return report;
  }, WRITE_TIMEOUT_MS);
}

/** True once a reference import has written its facts (the service imports them at start until then). */
export async function referenceImported(db: Database): Promise<boolean> {
  const rows = await db.read(
    'MATCH ()-[r:MEMBER_OF|SANCTIONS]->() WHERE r.referenceFile IS NOT NULL RETURN true AS any LIMIT 1',
  );
  return rows[0]?.any === true;
}
