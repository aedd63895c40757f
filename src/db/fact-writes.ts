import { int, type Integer, type ManagedTransaction } from './integers';
import { ArmsgraphError, ErrorCode } from '../errors';
import { checkSources, mustResolve, recordChange, type Actor, type ChangeRecord } from './change-log';
import type { Database } from './database';
import { mergeNodes, mergeRelations, writeDealParties, writeDeliveries } from './graph-writer';
import { loadEntity, type EntityWrite } from './entity-writes';
import type { Plain } from './mapper';
import { nameFields } from './names';
import {
  checkId,
  parseInput,
  RecordDeal,
  RecordDeliveries,
  RecordExclusion,
  RecordMembership,
  RecordSanction,
} from './write-inputs';

/**
 * Facts that link entities (deals and their deliveries, memberships, exclusions, sanctions). Each
 * function is one transaction; relationships are MERGEd on the same `key` the seeder uses
 * (`TYPE:from:to:part`), so recording a fact twice updates it instead of duplicating it.
 */

export async function recordDeal(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(RecordDeal, raw);
  checkId('Deal', input.id);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const taken = await db.run(tx, 'MATCH (n:Entity {id: $id}) RETURN n.id AS id LIMIT 1', { id: input.id });
    if (taken.length > 0)
      throw new ArmsgraphError(ErrorCode.CONFLICT, `The id "${input.id}" is already taken`, { field: 'id' });
    const buyer = await mustResolve(db, tx, 'buyer', input.buyer, ['Country', 'Organization']);
    const seller = await mustResolve(db, tx, 'seller', input.seller, ['Country', 'Organization']);
    const system = await mustResolve(db, tx, 'system', input.system, ['WeaponSystem']);
    if (buyer === seller)
      throw new ArmsgraphError(ErrorCode.BAD_USER_INPUT, 'buyer and seller are the same entity');
    // Parties and systems are shared by concurrent deals: lock them first, in one order.
    await db.lockEntities(tx, [buyer, seller, system]);
    const props: Record<string, Plain | Integer> = {
      id: input.id,
      ...nameFields(input.id, input.name, input.aliases),
      status: input.status,
      orderYear: int(input.orderYear),
      orderYearEstimated: input.orderYearEstimated ?? false,
      orderDate: input.orderDate ?? null,
      valueAmount: input.value?.amount ?? null,
      valueCurrency: input.value?.currency ?? null,
      quantity: int(input.quantity),
      quantityEstimated: input.quantityEstimated ?? false,
      quantityDescription: input.quantityDescription ?? null,
      tivUnit: input.tivUnit ?? null,
      category: input.category ?? null,
      description: input.description ?? null,
      notes: input.notes ?? [],
      sourceIds: input.sourceIds,
    };
    // A deal without a category takes its system's.
    const [sys] = await db.run(tx, 'MATCH (w:WeaponSystem {id: $system}) RETURN w.category AS category', {
      system,
    });
    props.category = props.category ?? sys?.category ?? null;
    await mergeNodes(db, tx, 'Deal', [{ id: input.id, props }]);
    await writeDealParties(
      db,
      tx,
      [
        {
          dealId: input.id,
          parties: { BUYER: { id: buyer }, SELLER: { id: seller }, COVERS: { id: system } },
          sourceIds: input.sourceIds,
        },
      ],
      { by: actor.tokenName, reason: 'recordDeal names another party', sourceIds: input.sourceIds },
    );
    const rows = await db.run(
      tx,
      'MATCH (d:Deal {id: $id}), (b:Entity {id: $buyer}), (s:Entity {id: $seller}), (w:WeaponSystem {id: $system}) RETURN [elementId(d), elementId(b), elementId(s), elementId(w)] AS eids',
      { id: input.id, buyer, seller, system },
    );
    const touched = (rows[0]?.eids as string[] | undefined) ?? [];
    if (input.deliveries && input.deliveries.length > 0)
      touched.push(...(await writeDeliveries(db, tx, input.id, input.deliveries, input.sourceIds)));
    const change = await recordChange(
      db,
      tx,
      actor,
      'recordDeal',
      `recorded deal ${input.id}: ${seller} → ${buyer}, ${system}, ${input.status}` +
        (input.deliveries?.length ? `, ${input.deliveries.length} deliveries` : ''),
      input.sourceIds,
      touched,
    );
    return { id: input.id, change };
  });
}

export async function recordDeliveries(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(RecordDeliveries, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const dealId = await mustResolve(db, tx, 'deal', input.deal, ['Deal']);
    const deal = await loadEntity(db, tx, dealId);
    const touched = [
      deal.elementId,
      ...(await writeDeliveries(db, tx, dealId, input.deliveries, input.sourceIds)),
    ];
    const change = await recordChange(
      db,
      tx,
      actor,
      'recordDeliveries',
      `recorded deliveries of deal ${dealId} for ${input.deliveries.map((d) => d.year).join(', ')}`,
      input.sourceIds,
      touched,
    );
    return { id: dealId, change };
  });
}

/** MERGEs one relationship on its key (the writer's); returns the element ids of both ends. */
async function mergeRelationship(
  db: Database,
  tx: ManagedTransaction,
  type: 'MEMBER_OF' | 'EXCLUDED_FROM' | 'SANCTIONS',
  from: string,
  to: string,
  props: Record<string, Plain>,
  sourceIds: readonly string[],
): Promise<string[]> {
  const { ends } = await mergeRelations(db, tx, type, [{ from, to, props, sourceIds }]);
  return ends[0] ?? [];
}

export async function recordMembership(db: Database, actor: Actor, raw: unknown): Promise<ChangeRecord> {
  const input = parseInput(RecordMembership, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const country = await mustResolve(db, tx, 'country', input.country, ['Country']);
    const alliance = await mustResolve(db, tx, 'alliance', input.alliance, ['Alliance']);
    const touched = await mergeRelationship(
      db,
      tx,
      'MEMBER_OF',
      country,
      alliance,
      {
        since: input.since ?? null,
        until: input.until ?? null,
      },
      input.sourceIds,
    );
    return recordChange(
      db,
      tx,
      actor,
      'recordMembership',
      `${country} member of ${alliance}${input.since ? ` since ${input.since}` : ''}${input.until ? ` until ${input.until}` : ''}`,
      input.sourceIds,
      touched,
    );
  });
}

export async function recordExclusion(db: Database, actor: Actor, raw: unknown): Promise<ChangeRecord> {
  const input = parseInput(RecordExclusion, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const country = await mustResolve(db, tx, 'country', input.country, ['Country']);
    const program = await mustResolve(db, tx, 'program', input.program, ['Program']);
    const cause = input.cause ? await mustResolve(db, tx, 'cause', input.cause, ['Deal']) : null;
    const touched = await mergeRelationship(
      db,
      tx,
      'EXCLUDED_FROM',
      country,
      program,
      {
        date: input.date ?? null,
        causeDealId: cause,
      },
      input.sourceIds,
    );
    return recordChange(
      db,
      tx,
      actor,
      'recordExclusion',
      `${country} excluded from ${program}${cause ? ` because of ${cause}` : ''}`,
      input.sourceIds,
      touched,
    );
  });
}

export async function recordSanction(db: Database, actor: Actor, raw: unknown): Promise<ChangeRecord> {
  const input = parseInput(RecordSanction, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const by = await mustResolve(db, tx, 'by', input.by, ['Country', 'Organization', 'Alliance']);
    const target = await mustResolve(db, tx, 'target', input.target, ['Country', 'Organization']);
    const cause = input.cause ? await mustResolve(db, tx, 'cause', input.cause, ['Deal']) : null;
    const touched = await mergeRelationship(
      db,
      tx,
      'SANCTIONS',
      by,
      target,
      {
        status: input.status,
        since: input.since ?? null,
        instrument: input.instrument ?? null,
        description: input.description ?? null,
        causeDealId: cause,
      },
      input.sourceIds,
    );
    return recordChange(
      db,
      tx,
      actor,
      'recordSanction',
      `${by} sanctions ${target} (${input.status})${cause ? ` over ${cause}` : ''}`,
      input.sourceIds,
      touched,
    );
  });
}
