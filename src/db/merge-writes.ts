import { badInput } from '../errors';
import { checkSources, mustResolve, recordChange, type Actor } from './change-log';
import type { Database } from './database';
import { dealsOfParty, refreshDealSlots } from './deal-slots';
import { refreshTivRollups } from './tiv-rollups';
import { loadEntity, type EntityWrite } from './entity-writes';
import type { Plain } from './mapper';
import { nameFields } from './names';
import { MergeEntities, parseInput } from './write-inputs';

/** Properties that are recomputed or kept per node, never copied from the merged node. */
const OWN = new Set(['id', 'name', 'aliases', 'nameKeys', 'nameKeysText', 'searchText', 'sourceIds']);
const RELATIONSHIP_TYPE = /^[A-Z][A-Z0-9_]*$/;

const union = (...lists: Array<readonly Plain[] | null | undefined>): string[] => [
  ...new Set(lists.flatMap((l) => (l ?? []).map(String))),
];

/** A relationship key names its ends (`TYPE:from:to:part`): the merged id is replaced by the kept one. */
export function rekey(key: string, from: string, to: string): string {
  const parts = key.split(':');
  return parts.map((p, i) => (i >= 1 && i <= 2 && p === from ? to : p)).join(':');
}

/**
 * Merges `merge` into `keep` in one transaction: every relationship of the merged node moves to the
 * kept one (joining an equal one where it exists), references by id (causeDealId, countryId,
 * sourceIds) follow, the merged id, name and aliases become aliases of the kept node, and the merged
 * node stays as a `:Merged` tombstone (`mergedInto`) linked by MERGED_INTO: nothing is deleted.
 */
export async function mergeEntities(db: Database, actor: Actor, raw: unknown): Promise<EntityWrite> {
  const input = parseInput(MergeEntities, raw);
  return db.writeTx(async (tx) => {
    await checkSources(db, tx, input.sourceIds);
    const keepId = await mustResolve(db, tx, 'keep', input.keep);
    const mergeId = await mustResolve(db, tx, 'merge', input.merge);
    if (keepId === mergeId) throw badInput(`keep and merge both name ${keepId}`, { field: 'merge' });
    const keep = await loadEntity(db, tx, keepId);
    const old = await loadEntity(db, tx, mergeId);
    if (keep.label !== old.label)
      throw badInput(
        `Only entities of one kind merge: ${keepId} is a ${keep.label}, ${mergeId} a ${old.label}`,
        {
          field: 'merge',
        },
      );

    // The merged node's change history (CHANGED) stays with its tombstone; every other fact moves.
    const rels = await db.run(
      tx,
      `MATCH (o) WHERE elementId(o) = $old MATCH (o)-[r]-(x) WHERE elementId(x) <> $keep AND x <> o AND type(r) <> 'CHANGED'
       RETURN elementId(r) AS rid, type(r) AS type, startNode(r) = o AS out, elementId(x) AS other,
              properties(r) AS props`,
      { old: old.elementId, keep: keep.elementId },
    );
    const touched = new Set([keep.elementId, old.elementId]);
    for (const r of rels) {
      const type = String(r.type);
      if (!RELATIONSHIP_TYPE.test(type)) continue;
      const props = { ...(r.props as Record<string, Plain>) };
      if (typeof props.key === 'string') props.key = rekey(props.key, mergeId, keepId);
      const pattern = r.out === true ? `(k)-[e:${type}]->(x)` : `(k)<-[e:${type}]-(x)`;
      const created = r.out === true ? `(k)-[n:${type}]->(x)` : `(k)<-[n:${type}]-(x)`;
      // The type was read from the graph and checked to be a plain name before it is spliced in.
      await db.run(
        tx,
        `MATCH (k) WHERE elementId(k) = $keep MATCH (x) WHERE elementId(x) = $other
         OPTIONAL MATCH ${pattern} WHERE e.key = $key OR (e.key IS NULL AND $key IS NULL)
         WITH k, x, head(collect(e)) AS existing
         FOREACH (_ IN CASE WHEN existing IS NOT NULL THEN [1] ELSE [] END |
           SET existing.sourceIds = [s IN coalesce(existing.sourceIds, []) WHERE NOT s IN $sources] + $sources)
         FOREACH (_ IN CASE WHEN existing IS NULL THEN [1] ELSE [] END | CREATE ${created} SET n = $props)
         WITH DISTINCT k
         MATCH ()-[moved]->() WHERE elementId(moved) = $rid DELETE moved`,
        {
          keep: keep.elementId,
          other: r.other,
          key: props.key ?? null,
          sources: union(props.sourceIds as Plain[] | null),
          props,
          rid: r.rid,
        },
      );
      touched.add(String(r.other));
    }

    // The deals whose relationships moved get their page slots rebuilt: a merged deal's go, the kept
    // deal's follow its (possibly new) parties and order year, a merged party's deals name the kept one.
    // Their TIV rollups likewise (a merged party's deliveries now count for the kept one).
    const moved = old.label === 'Deal' ? [keepId, mergeId] : await dealsOfParty(db, tx, keepId);
    await refreshDealSlots(db, tx, moved);
    await refreshTivRollups(db, tx, moved);

    // References by id follow the merge (the change log keeps its history as it was).
    if (old.label === 'Deal')
      await db.run(tx, 'MATCH ()-[r]->() WHERE r.causeDealId = $from SET r.causeDealId = $to', {
        from: mergeId,
        to: keepId,
      });
    if (old.label === 'Country')
      await db.run(tx, 'MATCH (o:Organization {countryId: $from}) SET o.countryId = $to', {
        from: mergeId,
        to: keepId,
      });
    if (old.label === 'Source') {
      const swap = '[s IN x.sourceIds | CASE WHEN s = $from THEN $to ELSE s END]';
      await db.run(
        tx,
        `MATCH (x) WHERE NOT x:Change AND $from IN x.sourceIds SET x.sourceIds = reduce(a = [], s IN ${swap} | CASE WHEN s IN a THEN a ELSE a + s END)`,
        { from: mergeId, to: keepId },
      );
      await db.run(
        tx,
        `MATCH ()-[x]->() WHERE $from IN x.sourceIds SET x.sourceIds = reduce(a = [], s IN ${swap} | CASE WHEN s IN a THEN a ELSE a + s END)`,
        { from: mergeId, to: keepId },
      );
    }

    const filled: Record<string, Plain> = {};
    for (const [k, v] of Object.entries(old.props)) {
      if (!OWN.has(k) && !k.startsWith('retired') && keep.props[k] == null && v != null) filled[k] = v;
    }
    const keepName = String(keep.props.name ?? keepId);
    const aliases = union(
      keep.props.aliases as Plain[] | null,
      [String(old.props.name ?? mergeId)],
      old.props.aliases as Plain[] | null,
      [mergeId],
    ).filter((a) => a !== keepName);
    const props = {
      ...filled,
      ...nameFields(keepId, keepName, aliases),
      sourceIds: union(
        keep.props.sourceIds as Plain[] | null,
        old.props.sourceIds as Plain[] | null,
        input.sourceIds,
      ).map((s) => (s === mergeId && old.label === 'Source' ? keepId : s)),
    };
    await db.run(tx, 'MATCH (n) WHERE elementId(n) = $eid SET n += $props', { eid: keep.elementId, props });
    // The tombstone leaves the entity labels (and so the id constraint and the name index): its id
    // now resolves to the kept entity through the alias. The label is from our closed list.
    await db.run(
      tx,
      `MATCH (o) WHERE elementId(o) = $old MATCH (k) WHERE elementId(k) = $keep
       REMOVE o:${old.label}:Entity
       SET o:Merged, o.mergedInto = $keepId, o.mergedAt = $at, o.mergedBy = $by, o.mergedReason = $reason,
           o.nameKeys = [], o.nameKeysText = '', o.searchText = ''
       CREATE (o)-[:MERGED_INTO {sourceIds: $sources}]->(k)`,
      {
        old: old.elementId,
        keep: keep.elementId,
        keepId,
        at: new Date().toISOString(),
        by: actor.tokenName,
        reason: input.reason,
        sources: input.sourceIds,
      },
    );
    const change = await recordChange(
      db,
      tx,
      actor,
      'mergeEntities',
      `merged ${old.label} ${mergeId} into ${keepId} (${rels.length} relationships moved): ${input.reason}`,
      input.sourceIds,
      [...touched],
    );
    return { id: keepId, change };
  });
}
