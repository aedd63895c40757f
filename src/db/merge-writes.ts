import { badInput } from '../errors';
import { checkSources, mustResolve, recordChange, type Actor } from './change-log';
import type { Database } from './database';
import { dealsOfParty, refreshDealSlots } from './deal-slots';
import { refreshTivRollups } from './tiv-rollups';
import { loadEntity, type EntityWrite } from './entity-writes';
import type { Plain } from './mapper';
import { nameFields } from './names';
import { moveRelationships, replaceIdReferences, setNodeProps, writeMergeTombstone } from './graph-writer';
import { MergeEntities, parseInput } from './write-inputs';

/** Properties that are recomputed or kept per node, never copied from the merged node. */
const OWN = new Set(['id', 'name', 'aliases', 'nameKeys', 'nameKeysText', 'searchText', 'sourceIds']);

const union = (...lists: Array<readonly Plain[] | null | undefined>): string[] => [
  ...new Set(lists.flatMap((l) => (l ?? []).map(String))),
];

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

    const oldRef = { elementId: old.elementId, id: mergeId };
    const keepRef = { elementId: keep.elementId, id: keepId };
    const others = await moveRelationships(db, tx, oldRef, keepRef);
    const touched = new Set([keep.elementId, old.elementId, ...others]);

    // The deals whose relationships moved get their page slots rebuilt: a merged deal's go, the kept
    // deal's follow its (possibly new) parties and order year, a merged party's deals name the kept one.
    // Their TIV rollups likewise (a merged party's deliveries now count for the kept one).
    const moved = old.label === 'Deal' ? [keepId, mergeId] : await dealsOfParty(db, tx, keepId);
    await refreshDealSlots(db, tx, moved);
    await refreshTivRollups(db, tx, moved);

    // References by id follow the merge (the change log keeps its history as it was).
    await replaceIdReferences(db, tx, old.label, mergeId, keepId);

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
    await setNodeProps(db, tx, keep.elementId, props);
    await writeMergeTombstone(db, tx, old.label, oldRef, keepRef, {
      by: actor.tokenName,
      reason: input.reason,
      sourceIds: input.sourceIds,
    });
    const change = await recordChange(
      db,
      tx,
      actor,
      'mergeEntities',
      `merged ${old.label} ${mergeId} into ${keepId} (${others.length} relationships moved): ${input.reason}`,
      input.sourceIds,
      [...touched],
    );
    return { id: keepId, change };
  });
}
