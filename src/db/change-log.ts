import crypto from 'node:crypto';
import type { ManagedTransaction } from 'neo4j-driver';
import { badInput, notFound } from '../errors';
import type { EntityLabel } from './constraints';
import type { Database } from './database';
import { resolveId } from './entities';

/** Who makes a write: the name of the write token (never the secret). */
export interface Actor {
  tokenName: string;
}

/** A recorded change, as the API returns it. */
export interface ChangeRecord {
  id: string;
  at: string;
  tokenName: string;
  mutation: string;
  summary: string;
  sourceIds: string[];
}

/** Every write cites sources that exist (and are not retired); otherwise nothing is written. */
export async function checkSources(
  db: Database,
  tx: ManagedTransaction,
  ids: readonly string[],
): Promise<void> {
  const rows = await db.run(
    tx,
    `UNWIND $ids AS id OPTIONAL MATCH (s:Source {id: id}) WHERE coalesce(s.retired, false) = false
     WITH id, s WHERE s IS NULL RETURN collect(id) AS missing`,
    { ids },
  );
  const missing = (rows[0]?.missing as string[] | undefined) ?? [];
  if (missing.length > 0)
    throw badInput(`sourceIds: no source has the id ${missing.map((m) => `"${m}"`).join(', ')}`, {
      field: 'sourceIds',
    });
}

/** Resolves an id, name or alias inside the write's transaction; NOT_FOUND names the field. */
export async function mustResolve(
  db: Database,
  tx: ManagedTransaction,
  field: string,
  input: string,
  labels?: readonly EntityLabel[],
): Promise<string> {
  const id = await resolveId(db, input, labels, tx);
  if (id === null) {
    const kinds = labels ? ` (${labels.join(' or ')})` : '';
    throw notFound(`${field}: nothing${kinds} is named "${input.slice(0, 200)}"`, { field });
  }
  return id;
}

/**
 * Records the change inside the same transaction as the write, linked by CHANGED to every node it
 * touched (given by elementId), so the log and the graph can never disagree.
 */
export async function recordChange(
  db: Database,
  tx: ManagedTransaction,
  actor: Actor,
  mutation: string,
  summary: string,
  sourceIds: readonly string[],
  touched: readonly string[],
): Promise<ChangeRecord> {
  const change: ChangeRecord = {
    id: crypto.randomUUID(),
    at: new Date().toISOString(),
    tokenName: actor.tokenName,
    mutation,
    summary,
    sourceIds: [...sourceIds],
  };
  await db.run(
    tx,
    `CREATE (c:Change) SET c = $change
     WITH c UNWIND $touched AS eid MATCH (n) WHERE elementId(n) = eid
     MERGE (c)-[:CHANGED]->(n)`,
    { change, touched: [...new Set(touched)] },
  );
  return change;
}
