import { ArmsgraphError, badInput, ErrorCode, notFound } from '../errors';
import { checkSources, mustResolve, recordChange, type Actor, type ChangeRecord } from './change-log';
import type { Database } from './database';
import { retireNode, retireRelationship, type RetiredMarks } from './graph-writer';
import { parseInput, RetireFact } from './write-inputs';

/**
 * Retiring keeps the fact and marks it: `retired: true`, `retiredBy` (token name), `retiredReason`,
 * `retiredAt`, `retiredSourceIds`. Queries leave retired facts out; nothing is ever deleted.
 */
export async function retireFact(db: Database, actor: Actor, raw: unknown): Promise<ChangeRecord> {
  const input = parseInput(RetireFact, raw);
  const marks: RetiredMarks = {
    retired: true,
    retiredBy: actor.tokenName,
    retiredReason: input.reason,
    retiredAt: new Date().toISOString(),
    retiredSourceIds: input.sourceIds,
  };
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    let touched: string[];
    let what: string;
    if (input.node != null) {
      // Deliveries and claims are named by their own ids; entities by id, name or alias.
      const own = await db.run(
        tx,
        `OPTIONAL MATCH (d:Delivery {id: $id}) OPTIONAL MATCH (c:Claim {id: $id})
         WITH coalesce(d, c) AS n WHERE n IS NOT NULL
         RETURN elementId(n) AS eid, n.id AS id, coalesce(n.retired, false) AS retired`,
        { id: input.node },
      );
      let row = own[0];
      if (!row) {
        const id = await mustResolve(db, tx, 'node', input.node);
        const rows = await db.run(
          tx,
          'MATCH (n:Entity {id: $id}) RETURN elementId(n) AS eid, n.id AS id, coalesce(n.retired, false) AS retired',
          { id },
        );
        row = rows[0];
      }
      if (!row) throw notFound(`node: nothing is named "${input.node}"`, { field: 'node' });
      if (row.retired === true)
        throw new ArmsgraphError(ErrorCode.CONFLICT, `${String(row.id)} is already retired`);
      await retireNode(db, tx, String(row.eid), marks);
      touched = [String(row.eid)];
      what = `node ${String(row.id)}`;
    } else {
      const rel = input.relationship;
      if (!rel) throw badInput('give exactly one of node or relationship');
      const from = await mustResolve(db, tx, 'relationship.from', rel.from);
      const to = await mustResolve(db, tx, 'relationship.to', rel.to);
      // rel.type was checked against the model's closed list of relationship types.
      const rows = await db.run(
        tx,
        `MATCH (a:Entity {id: $from})-[r:${rel.type}]->(b {id: $to})
         WHERE coalesce(r.retired, false) = false AND ($key IS NULL OR r.key = $key)
         RETURN elementId(r) AS rid, r.key AS key, [elementId(a), elementId(b)] AS ends`,
        { from, to, key: rel.key ?? null },
      );
      if (rows.length === 0)
        throw notFound(
          `No live ${rel.type} relationship from ${from} to ${to}${rel.key ? ` with key ${rel.key}` : ''}`,
        );
      if (rows.length > 1)
        throw badInput(
          `Several ${rel.type} relationships link ${from} and ${to}: give key, one of ${rows.map((r) => JSON.stringify(r.key)).join(', ')}`,
          {
            field: 'relationship.key',
          },
        );
      const row = rows[0];
      await retireRelationship(db, tx, String(row?.rid), marks);
      touched = (row?.ends as string[] | undefined) ?? [];
      what = `${rel.type} ${from} → ${to}${row?.key ? ` (${String(row.key)})` : ''}`;
    }
    return recordChange(
      db,
      tx,
      actor,
      'retireFact',
      `retired ${what}: ${input.reason}`,
      input.sourceIds,
      touched,
    );
  });
}
