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

/** What a fact mutation did: the change it recorded, or the earlier one when the fact already stood so. */
export interface FactWrite {
  change: ChangeRecord;
  /** False when the fact already stood exactly as stated: nothing about it was written. */
  changed: boolean;
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
 * touched (given by elementId), so the log and the graph can never disagree. `statement` (see
 * factStatement) marks the change of a fact mutation, so that stating the same fact again can find it.
 */
export async function recordChange(
  db: Database,
  tx: ManagedTransaction,
  actor: Actor,
  mutation: string,
  summary: string,
  sourceIds: readonly string[],
  touched: readonly string[],
  statement: string | null = null,
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
    `CREATE (c:Change) SET c = $change, c.statement = $statement
     WITH c UNWIND $touched AS eid MATCH (n) WHERE elementId(n) = eid
     MERGE (c)-[:CHANGED]->(n)`,
    { change, statement, touched: [...new Set(touched)] },
  );
  return change;
}

/**
 * A digest of one statement of a fact: its relationship type and key, its properties and the sources
 * cited. Two calls that state the same fact the same way have the same digest, whatever the order of
 * their properties or sources.
 */
export function factStatement(
  key: string,
  props: Readonly<Record<string, unknown>>,
  sourceIds: readonly string[],
): string {
  const sorted = Object.keys(props)
    .sort()
    .map((k) => [k, props[k] ?? null]);
  const text = JSON.stringify([key, sorted, [...new Set(sourceIds)].sort()]);
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** The newest change that recorded this statement of a fact (factStatement), or null. */
export async function findStatementChange(
  db: Database,
  tx: ManagedTransaction,
  statement: string,
): Promise<ChangeRecord | null> {
  const rows = await db.run(
    tx,
    `MATCH (c:Change {statement: $statement})
     RETURN c {.id, .at, .tokenName, .mutation, .summary, .sourceIds} AS change ORDER BY c.at DESC LIMIT 1`,
    { statement },
  );
  return (rows[0]?.change as ChangeRecord | undefined) ?? null;
}
