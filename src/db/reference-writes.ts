import type { NodeLabel } from '../model';
import type { Database } from './database';
import {
  mergeNodes,
  mergeRelations,
  relationRows,
  retireRelationship,
  type NodeRow,
  type RelationRow,
} from './graph-writer';

/**
 * Writes the reference data (alliances, memberships, sanctions, regions; src/import/reference/) in
 * one transaction, through the graph writer. Entities are MERGEd on their id and keep the names they
 * already have (a curated or SIPRI-imported country stays as it is, and gains its region);
 * relationships are MERGEd on their model key, so the seed's NATO memberships and CAATSA sanction are
 * the same facts, gaining their dates and ids. Relationships a reference file wrote before and no
 * longer states are retired, never deleted; stated again, they are revived.
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

export interface ReferenceWrite {
  sources: ReferenceNode[];
  countries: ReferenceNode[];
  alliances: ReferenceNode[];
  organizations: ReferenceNode[];
  /** Relationships by type and the file that states them; `retire`: drop what the file no longer states. */
  relations: {
    type: 'MEMBER_OF' | 'SANCTIONS' | 'BASED_IN';
    file: string;
    retire: boolean;
    rows: RelationRow[];
  }[];
}

export interface ReferenceWriteReport {
  nodesCreated: number;
  relationsCreated: number;
  relationsRetired: number;
}

const LABELS = {
  sources: 'Source',
  countries: 'Country',
  alliances: 'Alliance',
  organizations: 'Organization',
} as const satisfies Record<string, NodeLabel>;

/** A bulk write of a few thousand entities and facts: allowed more time than one API request. */
const WRITE_TIMEOUT_MS = 300_000;

export async function writeReference(db: Database, plan: ReferenceWrite): Promise<ReferenceWriteReport> {
  return db.writeTx(async (tx) => {
    const report: ReferenceWriteReport = { nodesCreated: 0, relationsCreated: 0, relationsRetired: 0 };
    for (const kind of ['sources', 'countries', 'alliances', 'organizations'] as const) {
      const rows = plan[kind];
      // Names only when the node is new; the reference data's own properties every time.
      const created: NodeRow[] = rows.map((r) => ({ id: r.id, props: r.create, sourceIds: r.sourceIds }));
      report.nodesCreated += await mergeNodes(db, tx, LABELS[kind], created, 'fill');
      await mergeNodes(
        db,
        tx,
        LABELS[kind],
        rows.map((r) => ({ id: r.id, props: r.props })),
        'set',
      );
    }
    const at = new Date().toISOString();
    for (const { type, file, retire, rows } of plan.relations) {
      const written = await mergeRelations(db, tx, type, rows);
      // Rows were checked against the files; an end missing here is a bug, and the transaction is undone.
      if (written.ends.length !== rows.length)
        throw new Error(`${file}: ${rows.length - written.ends.length} rows found no end in the graph`);
      report.relationsCreated += written.created;
      if (!retire) continue;
      const stated = relationRows(type, rows).map((r) => r.key);
      const dropped = await db.run(
        tx,
        `MATCH ()-[r]->() WHERE type(r) = $type AND r.referenceFile = $file
           AND coalesce(r.retired, false) = false AND NOT r.key IN $stated
         RETURN elementId(r) AS rid`,
        { type, file, stated },
      );
      for (const { rid } of dropped) {
        await retireRelationship(db, tx, String(rid), {
          retired: true,
          retiredBy: 'reference-import',
          retiredReason: `no longer stated by reference/${file}`,
          retiredAt: at,
          retiredSourceIds: [],
        });
      }
      report.relationsRetired += dropped.length;
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
