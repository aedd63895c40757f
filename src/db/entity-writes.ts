import type { ManagedTransaction } from 'neo4j-driver';
import { int } from './integers';
import { ArmsgraphError, badInput, ErrorCode } from '../errors';
import { checkSources, mustResolve, recordChange, type Actor, type ChangeRecord } from './change-log';
import { ENTITY_LABELS, type EntityLabel } from './constraints';
import type { Database } from './database';
import { refreshDealSlots } from './deal-slots';
import { refreshTivRollups } from './tiv-rollups';
import type { Plain } from './mapper';
import { INTEGER_PROPERTIES } from '../model';
import { setNodeProps } from './graph-writer';
import { nameFields } from './names';
import {
  AddAliases,
  checkId,
  checkKindFields,
  CreateEntity,
  ENTITY_KINDS,
  parseInput,
  sourceIds as sourceIdsSchema,
  UpdateEntity,
} from './write-inputs';

export interface EntityWrite {
  id: string;
  change: ChangeRecord;
}

export interface NodeInfo {
  elementId: string;
  label: EntityLabel;
  props: Record<string, Plain>;
}

/** An entity by exact id, with its kind; the label is read from our closed list, never from input. */
export async function loadEntity(db: Database, tx: ManagedTransaction, id: string): Promise<NodeInfo> {
  const rows = await db.run(
    tx,
    'MATCH (n:Entity {id: $id}) RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props',
    { id },
  );
  const row = rows[0];
  const label = ENTITY_LABELS.find((l) => ((row?.labels as string[] | undefined) ?? []).includes(l));
  if (!row || !label) throw new ArmsgraphError(ErrorCode.NOT_FOUND, `No entity has the id "${id}"`);
  return { elementId: String(row.eid), label, props: row.props as Record<string, Plain> };
}

const union = (...lists: Array<readonly string[] | null | undefined>): string[] => [
  ...new Set(lists.flatMap((l) => l ?? [])),
];

/** Kind-specific fields as stored (subtype is the `kind` property; country becomes countryId). */
function storedFields(input: Record<string, unknown>): Record<string, Plain> {
  const out: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === null) continue;
    if (['kind', 'id', 'name', 'aliases', 'sourceIds', 'country'].includes(k)) continue;
    // Years are integers in the graph (JavaScript numbers would be stored as floats).
    out[k === 'subtype' ? 'kind' : k] = INTEGER_PROPERTIES.has(k)
      ? (int(v as number) as unknown as Plain)
      : (v as Plain);
  }
  return out;
}

async function assertIdFree(db: Database, tx: ManagedTransaction, id: string): Promise<void> {
  const rows = await db.run(tx, 'MATCH (n:Entity {id: $id}) RETURN labels(n) AS labels LIMIT 1', { id });
  if (rows.length > 0) {
    throw new ArmsgraphError(ErrorCode.CONFLICT, `The id "${id}" is already taken`, { field: 'id' });
  }
}

export async function createEntity(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(CreateEntity, raw);
  const label = ENTITY_KINDS[input.kind];
  checkId(label, input.id);
  checkKindFields(label, input, ['kind', 'id', 'name', 'aliases', 'sourceIds']);
  const sources =
    label === 'Source' && (input.sourceIds ?? []).length === 0
      ? []
      : parseInput(sourceIdsSchema, input.sourceIds ?? []);
  const defaults: Record<string, Plain> =
    label === 'Country'
      ? { kind: 'state', historical: false }
      : label === 'Alliance'
        ? { kind: 'military' }
        : label === 'Organization'
          ? { kind: 'other' }
          : label === 'Source'
            ? { kind: 'reference' }
            : {};
  return db.writeTx(async (tx) => {
    if (sources.length > 0) await checkSources(db, tx, sources);
    await assertIdFree(db, tx, input.id);
    const countryId = input.country ? await mustResolve(db, tx, 'country', input.country, ['Country']) : null;
    const props = {
      ...defaults,
      ...storedFields(input),
      ...nameFields(input.id, input.name, input.aliases),
      id: input.id,
      sourceIds: sources,
      ...(countryId ? { countryId } : {}),
    };
    // The label comes from ENTITY_KINDS (a closed list), never from the client's text.
    const rows = await db.run(tx, `CREATE (n:${label}:Entity) SET n = $props RETURN elementId(n) AS eid`, {
      props,
    });
    const touched = [String(rows[0]?.eid)];
    if (countryId) {
      const rel = await db.run(
        tx,
        `MATCH (n:Organization {id: $id}), (c:Country {id: $countryId})
         MERGE (n)-[r:BASED_IN {key: $key}]->(c) SET r.sourceIds = $sources RETURN elementId(c) AS eid`,
        { id: input.id, countryId, key: `BASED_IN:${input.id}:${countryId}:`, sources },
      );
      touched.push(String(rel[0]?.eid));
    }
    const change = await recordChange(
      db,
      tx,
      actor,
      'createEntity',
      `created ${label} ${input.id} ("${input.name}")`,
      sources,
      touched,
    );
    return { id: input.id, change };
  });
}

export async function updateEntity(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(UpdateEntity, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const id = await mustResolve(db, tx, 'id', input.id);
    const node = await loadEntity(db, tx, id);
    checkKindFields(node.label, input, ['id', 'sourceIds', 'name']);
    const fields = storedFields(input);
    if (Object.keys(fields).length === 0 && !input.name)
      throw badInput('Nothing to change: give at least one field.');
    const oldName = String(node.props.name ?? id);
    const aliases = (node.props.aliases as string[] | null) ?? [];
    const names =
      input.name && input.name !== oldName
        ? nameFields(id, input.name, union(aliases, [oldName]))
        : nameFields(id, oldName, aliases);
    const sourceIds = union(node.props.sourceIds as string[] | null, input.sourceIds);
    await setNodeProps(db, tx, node.elementId, { ...fields, ...names, sourceIds });
    // A deal's order year is its slots' sort key; its category, one of its rollups' keys.
    if (node.label === 'Deal') {
      await refreshDealSlots(db, tx, [id]);
      await refreshTivRollups(db, tx, [id]);
    }
    const changed = [...Object.keys(fields), ...(input.name ? ['name'] : [])];
    const change = await recordChange(
      db,
      tx,
      actor,
      'updateEntity',
      `updated ${node.label} ${id}: ${changed.join(', ')}`,
      input.sourceIds,
      [node.elementId],
    );
    return { id, change };
  });
}

export async function addAliases(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(AddAliases, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const id = await mustResolve(db, tx, 'id', input.id);
    const node = await loadEntity(db, tx, id);
    const aliases = union(node.props.aliases as string[] | null, input.aliases);
    const names = nameFields(id, String(node.props.name ?? id), aliases);
    await setNodeProps(db, tx, node.elementId, {
      ...names,
      sourceIds: union(node.props.sourceIds as string[] | null, input.sourceIds),
    });
    const change = await recordChange(
      db,
      tx,
      actor,
      'addAliases',
      `added aliases to ${node.label} ${id}: ${input.aliases.join(', ')}`,
      input.sourceIds,
      [node.elementId],
    );
    return { id, change };
  });
}
