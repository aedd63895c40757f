import { int, type Integer, type ManagedTransaction } from './integers';
import { ArmsgraphError, ErrorCode } from '../errors';
import {
  checkSources,
  factStatement,
  findStatementChange,
  mustResolve,
  recordChange,
  type Actor,
  type FactWrite,
} from './change-log';
import type { Database } from './database';
import { RELATIONS } from '../model';
import {
  endLabel,
  mergeNodes,
  mergeRelations,
  relationRows,
  writeDealParties,
  writeDeliveries,
} from './graph-writer';
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

/** A fact that links two entities, as a mutation states it (its ends already resolved). */
interface FactInput {
  mutation: 'recordMembership' | 'recordExclusion' | 'recordSanction';
  type: 'MEMBER_OF' | 'EXCLUDED_FROM' | 'SANCTIONS';
  from: string;
  to: string;
  props: Record<string, Plain>;
  sourceIds: readonly string[];
  summary: string;
}

/**
 * Whether the fact stands exactly as stated: live (not retired), with these properties (a null one
 * absent) and citing at least these sources. Reads only, so it takes no lock.
 */
async function standsAsStated(db: Database, tx: ManagedTransaction, fact: FactInput, key: string) {
  const spec = RELATIONS[fact.type];
  const rows = await db.run(
    tx,
    `OPTIONAL MATCH (:${endLabel(spec.from)} {id: $from})-[r:${fact.type} {key: $key}]->(:${endLabel(spec.to)} {id: $to})
     WHERE coalesce(r.retired, false) = false
       AND all(k IN keys($props) WHERE CASE WHEN $props[k] IS NULL THEN r[k] IS NULL ELSE r[k] = $props[k] END)
       AND all(s IN $sourceIds WHERE s IN coalesce(r.sourceIds, []))
     RETURN count(r) > 0 AS stands`,
    { from: fact.from, to: fact.to, key, props: fact.props, sourceIds: [...fact.sourceIds] },
  );
  return rows[0]?.stands === true;
}

/**
 * Records a fact, MERGEd on its key like the seeder's, and its change. Stating a fact that already
 * stands exactly so writes nothing: it reads, takes no lock, and answers with the change that recorded
 * the same statement before (changed: false), so identical concurrent calls run side by side instead
 * of queueing on the fact's locks, and repeating a fact does not grow the log. Only a fact the log has
 * never recorded in these words (seeded or imported ones) gets one change, once, that says it changed
 * nothing. A real change first locks the relationship (or, while it does not exist yet, its two ends in
 * id order) and then looks again, so two identical writers record one change between them.
 */
async function recordFact(
  db: Database,
  tx: ManagedTransaction,
  actor: Actor,
  fact: FactInput,
): Promise<FactWrite> {
  const [row] = relationRows(fact.type, [fact]);
  const key = String(row?.key);
  const statement = factStatement(key, fact.props, fact.sourceIds);
  const earlier = async () =>
    (await standsAsStated(db, tx, fact, key)) ? await findStatementChange(db, tx, statement) : null;
  const seen = await earlier();
  if (seen) return { change: seen, changed: false };

  const spec = RELATIONS[fact.type];
  const locked = await db.run(
    tx,
    `MATCH (:${endLabel(spec.from)} {id: $from})-[r:${fact.type} {key: $key}]->(:${endLabel(spec.to)} {id: $to})
     SET r.key = r.key RETURN count(r) AS n`,
    { from: fact.from, to: fact.to, key },
  );
  if (Number(locked[0]?.n ?? 0) === 0) await db.lockEntities(tx, [fact.from, fact.to]);
  const stands = await standsAsStated(db, tx, fact, key);
  if (stands) {
    const again = await findStatementChange(db, tx, statement);
    if (again) return { change: again, changed: false };
  }
  const { ends } = await mergeRelations(db, tx, fact.type, [fact]);
  const change = await recordChange(
    db,
    tx,
    actor,
    fact.mutation,
    stands ? `${fact.summary} (already recorded so: nothing changed)` : fact.summary,
    fact.sourceIds,
    ends[0] ?? [],
    statement,
  );
  return { change, changed: !stands };
}

export async function recordMembership(db: Database, actor: Actor, raw: unknown): Promise<FactWrite> {
  const input = parseInput(RecordMembership, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const country = await mustResolve(db, tx, 'country', input.country, ['Country']);
    const alliance = await mustResolve(db, tx, 'alliance', input.alliance, ['Alliance']);
    return recordFact(db, tx, actor, {
      mutation: 'recordMembership',
      type: 'MEMBER_OF',
      from: country,
      to: alliance,
      props: { since: input.since ?? null, until: input.until ?? null },
      sourceIds: input.sourceIds,
      summary: `${country} member of ${alliance}${input.since ? ` since ${input.since}` : ''}${input.until ? ` until ${input.until}` : ''}`,
    });
  });
}

export async function recordExclusion(db: Database, actor: Actor, raw: unknown): Promise<FactWrite> {
  const input = parseInput(RecordExclusion, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const country = await mustResolve(db, tx, 'country', input.country, ['Country']);
    const program = await mustResolve(db, tx, 'program', input.program, ['Program']);
    const cause = input.cause ? await mustResolve(db, tx, 'cause', input.cause, ['Deal']) : null;
    return recordFact(db, tx, actor, {
      mutation: 'recordExclusion',
      type: 'EXCLUDED_FROM',
      from: country,
      to: program,
      props: { date: input.date ?? null, causeDealId: cause },
      sourceIds: input.sourceIds,
      summary: `${country} excluded from ${program}${cause ? ` because of ${cause}` : ''}`,
    });
  });
}

export async function recordSanction(db: Database, actor: Actor, raw: unknown): Promise<FactWrite> {
  const input = parseInput(RecordSanction, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const by = await mustResolve(db, tx, 'by', input.by, ['Country', 'Organization', 'Alliance']);
    const target = await mustResolve(db, tx, 'target', input.target, ['Country', 'Organization']);
    const cause = input.cause ? await mustResolve(db, tx, 'cause', input.cause, ['Deal']) : null;
    return recordFact(db, tx, actor, {
      mutation: 'recordSanction',
      type: 'SANCTIONS',
      from: by,
      to: target,
      props: {
        status: input.status,
        since: input.since ?? null,
        instrument: input.instrument ?? null,
        description: input.description ?? null,
        causeDealId: cause,
      },
      sourceIds: input.sourceIds,
      summary: `${by} sanctions ${target} (${input.status})${cause ? ` over ${cause}` : ''}`,
    });
  });
}
