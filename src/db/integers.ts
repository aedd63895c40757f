import neo4j, { type Integer } from 'neo4j-driver';

export type { Integer };
export type { ManagedTransaction } from 'neo4j-driver';

/** A JavaScript number as a Neo4j integer (a bare number would be stored as a float), null kept. */
export function int(value: number | null | undefined): Integer | null {
  return value === null || value === undefined ? null : neo4j.int(Math.trunc(value));
}
