import { ArmsgraphError, ErrorCode } from '../errors';
import type { Database } from './database';
import { int } from './integers';
import { upsertSource } from './graph-writer';
import { nameFields } from './names';

/**
 * SIPRI releases in the graph. Each imported export is a release, a `Source` (`sipri-atdb@<date>`)
 * linked by VERSION_OF to the SIPRI source, holding its scope (year range, whether orders without
 * deliveries are listed, whether every country is). What decides a fact does not depend on the order
 * releases are imported in:
 * - a deal's and a delivery's current values are those of the newest release that records them
 *   (`sipriRelease`; a batch writes values only where it `WINS`), and only that release states a
 *   deal's parties: a party relationship it no longer states is retired (the graph writer's
 *   dealPartiesCypher, guarded by the winning release);
 * - every release's own record of a deal is kept (`(:Deal)-[:HAS_RECORD]->(:SipriRecord)`), so
 *   revisions and release-against-release disagreements are read from the records, never from the
 *   order of imports;
 * - a SIPRI deal or delivery is live when the newest release whose scope covers it lists it, and
 *   retired (with who, why and when) when that release does not (reconcileReleases); outside every
 *   newer release's scope nothing is retired.
 */

export const SIPRI_SOURCE_ID = 'sipri-atdb';
export const RELEASE_SOURCE_PREFIX = `${SIPRI_SOURCE_ID}@`;

/** The Source id of a release: `sipri-atdb@2026-02-12`. */
export const releaseSourceId = (generated: string) => `${RELEASE_SOURCE_PREFIX}${generated}`;

/** Who retires what a release no longer states (the `retiredBy` of those facts). */
export const RELEASE_ACTOR = 'sipri-release-import';

export interface ReleaseNode {
  generated: string;
  scopeFrom: number;
  scopeTo: number;
  ordersIncluded: boolean;
  allParties: boolean;
}

/** `v` is recorded by the release being imported (`$release`): its list of releases gains it. */
export const releaseListed = (v: string) =>
  `${v}.sipriReleases = CASE WHEN $release IN coalesce(${v}.sipriReleases, []) THEN ${v}.sipriReleases ELSE coalesce(${v}.sipriReleases, []) + $release END`;

/** The release being imported is the newest to record `v` (or as new as the one that does). */
export const WINS = (v: string) => `(${v}.sipriRelease IS NULL OR ${v}.sipriRelease <= $release)`;

/**
 * A batch statement: each deal as this release records it. A deal's rows may fall into several
 * batches: its deliveries (`year|json`) are merged by year within one import run (`$run`), and a
 * later run of the same release (a re-run after a failure) starts the record afresh, so the record
 * is the file's rows and a year recorded by this run marks a repeated row (yearsRecordedByRun).
 */
export const RECORD_CYPHER = `
UNWIND $records AS row
MATCH (d:Deal {id: row.dealId})
MERGE (r:SipriRecord {id: row.dealId + '@' + $release})
ON CREATE SET r.dealId = row.dealId, r.release = $release
SET r += row.props,
  r.deliveries = CASE WHEN r.importRun = $run
    THEN [v IN coalesce(r.deliveries, []) WHERE NOT left(v, 4) IN row.years] ELSE [] END + row.deliveries,
  r.importRun = $run
MERGE (d)-[h:HAS_RECORD]->(r)`;

/**
 * Whether this release was already imported from the same file (then nothing needs reading or
 * writing). The same release from a file that states another scope is refused: one release has one
 * scope, and facts are retired by it.
 */
export async function releaseImported(
  db: Database,
  release: ReleaseNode,
  /** The export's content fingerprint, computed only when the release is in the graph already. */
  fingerprint: () => Promise<string | undefined>,
): Promise<boolean> {
  const [row] = await db.read(
    `MATCH (s:Source {id: $id})
     RETURN s.scopeFrom AS scopeFrom, s.scopeTo AS scopeTo, s.ordersIncluded AS ordersIncluded,
       s.allParties AS allParties, coalesce(s.fingerprints, []) AS fingerprints`,
    { id: releaseSourceId(release.generated) },
  );
  if (!row) return false;
  const same =
    Number(row.scopeFrom) === release.scopeFrom &&
    Number(row.scopeTo) === release.scopeTo &&
    row.ordersIncluded === release.ordersIncluded &&
    row.allParties === release.allParties;
  if (!same)
    throw new ArmsgraphError(
      ErrorCode.CONFLICT,
      `The release of ${release.generated} was imported with the scope ${String(row.scopeFrom)}–${String(row.scopeTo)}` +
        ` (orders ${row.ordersIncluded === true ? '' : 'not '}included, ${row.allParties === true ? 'all' : 'some'} countries);` +
        ` this file states ${release.scopeFrom}–${release.scopeTo} (orders ${release.ordersIncluded ? '' : 'not '}included,` +
        ` ${release.allParties ? 'all' : 'some'} countries): one release has one scope`,
      { field: 'release' },
    );
  const known = row.fingerprints as string[];
  if (known.length === 0) return false;
  const mine = await fingerprint();
  return mine !== undefined && known.includes(mine);
}

/** The release's Source node, a version of the SIPRI source (which the importer wrote first). */
export async function writeRelease(db: Database, release: ReleaseNode): Promise<void> {
  const id = releaseSourceId(release.generated);
  await upsertSource(db, {
    id,
    versionOf: SIPRI_SOURCE_ID,
    props: {
      ...nameFields(id, `SIPRI Arms Transfers Database, release of ${release.generated}`),
      kind: 'database',
      title: `SIPRI Arms Transfers Database (data generated ${release.generated})`,
      publisher: 'Stockholm International Peace Research Institute (SIPRI)',
      url: 'https://www.sipri.org/databases/armstransfers',
      citation: 'Source: SIPRI Arms Transfers Database',
      retrieved: release.generated,
      release: release.generated,
      scopeFrom: int(release.scopeFrom),
      scopeTo: int(release.scopeTo),
      ordersIncluded: release.ordersIncluded,
      allParties: release.allParties,
      sourceIds: [],
    },
  });
}

/**
 * Records the last year the release lists deliveries in and, once an import is complete, the
 * fingerprint of the rows it imported (an import that stopped before is run again whole).
 */
export async function closeRelease(
  db: Database,
  generated: string,
  fingerprint: string | undefined,
  lastYear: number,
): Promise<void> {
  await db.write(
    `MATCH (s:Source {id: $id})
     SET s.lastYear = CASE WHEN s.lastYear IS NULL OR s.lastYear < $lastYear THEN $lastYear ELSE s.lastYear END,
       s.fingerprints = CASE WHEN $fingerprint IS NULL OR $fingerprint IN coalesce(s.fingerprints, []) THEN coalesce(s.fingerprints, [])
         ELSE coalesce(s.fingerprints, []) + $fingerprint END`,
    { id: releaseSourceId(generated), lastYear: int(lastYear), fingerprint: fingerprint ?? null },
  );
}

export interface Reconciled {
  retiredDeals: number;
  revivedDeals: number;
  retiredDeliveries: number;
  revivedDeliveries: number;
  /** Deals whose deliveries or own state changed: their totals and status are recomputed. */
  dealIds: string[];
}

/**
 * The releases that may retire facts (those listing every country), newest first, as Cypher reads
 * them: the first one covering a fact judges it.
 */
async function judges(db: Database) {
  const rows = await db.read(
    `MATCH (s:Source)-[:VERSION_OF]->(:Source {id: $parent}) WHERE s.allParties = true AND s.release IS NOT NULL
     RETURN s.release AS date, s.scopeFrom AS from, s.scopeTo AS to, s.ordersIncluded AS orders
     ORDER BY date DESC`,
    { parent: SIPRI_SOURCE_ID },
  );
  return rows;
}

/**
 * Settles which SIPRI deals and deliveries are live after an import: each is judged by the newest
 * release whose scope covers it (a delivery by its year; a deal by any year it delivered in, or its
 * order year when the release lists orders): listed there, it lives (revived if a release had retired
 * it); not listed, it is retired as "not in the release of <date>". Facts other sources also state,
 * and facts retired by a person, are left alone.
 *
 * Each fact is judged on its own (a deal by its deliveries' years, not by their state), so the
 * register is settled a page of ids at a time (the import's batch size), a transaction each, with the
 * import's time limit. As two statements over the whole register (22.5 s of reconciling at a million
 * deals, measured with a 600 s limit) it ran under the service's 10 s query timeout in a CLI import. A run
 * stopped between pages leaves its release unmarked, and the next import of it settles again
 * (settling twice changes nothing).
 */
export async function reconcileReleases(
  db: Database,
  opts: { pageSize: number; timeoutMs?: number },
): Promise<Reconciled> {
  const releases = await judges(db);
  const params = { releases, now: new Date().toISOString(), n: int(opts.pageSize) };
  const onlySipri = (v: string) =>
    `all(s IN coalesce(${v}.sourceIds, []) WHERE s STARTS WITH '${SIPRI_SOURCE_ID}')`;
  const settle = (v: string, judged: string) => `
    WITH ${v}, ${judged} AS judge
    WITH ${v}, judge IS NOT NULL AND NOT judge.date IN ${v}.sipriReleases AS gone,
      'not in the release of ' + judge.date AS reason, '${RELEASE_SOURCE_PREFIX}' + judge.date AS judgeId
    CALL (${v}, gone, reason, judgeId) {
      WITH ${v} WHERE gone AND (${v}.retired IS NULL OR (${v}.retiredBy = '${RELEASE_ACTOR}' AND ${v}.retiredReason <> reason))
      SET ${v}.retired = true, ${v}.retiredBy = '${RELEASE_ACTOR}', ${v}.retiredReason = reason, ${v}.retiredAt = $now,
        ${v}.retiredSourceIds = [judgeId]
      RETURN count(*) AS retired
    }
    CALL (${v}, gone) {
      WITH ${v} WHERE NOT gone AND ${v}.retiredBy = '${RELEASE_ACTOR}'
      REMOVE ${v}.retired, ${v}.retiredBy, ${v}.retiredReason, ${v}.retiredAt, ${v}.retiredSourceIds
      RETURN count(*) AS revived
    }`;
  const dealIds = new Set<string>();
  /** Settles every `label` node, a page of ids (by the id index) a transaction; `body` ends in the sums. */
  const settleAll = async (label: string, v: string, body: string) => {
    const cypher = `
      MATCH (${v}:${label}) WHERE ${v}.id > $after
      WITH ${v} ORDER BY ${v}.id LIMIT $n
      WITH collect(${v}) AS page
      CALL (page) {
        UNWIND page AS ${v}
        WITH ${v} WHERE ${v}.sipriReleases IS NOT NULL AND ${onlySipri(v)}
        ${body}
      }
      RETURN page[-1].id AS last, retired, revived, dealIds`;
    const sum = { retired: 0, revived: 0 };
    for (let after: unknown = ''; ;) {
      const [row] = await db.write(cypher, { ...params, after }, opts.timeoutMs);
      if (row?.last === null || row?.last === undefined) return sum;
      sum.retired += Number(row.retired ?? 0);
      sum.revived += Number(row.revived ?? 0);
      for (const id of (row.dealIds as string[] | undefined) ?? []) dealIds.add(id);
      after = row.last;
    }
  };
  const deliveries = await settleAll(
    'Delivery',
    'x',
    `${settle('x', '[r IN $releases WHERE r.from <= x.year AND x.year <= r.to][0]')}
    WITH x, retired, revived WHERE retired + revived > 0
    MATCH (d:Deal)-[:HAS_DELIVERY]->(x)
    RETURN sum(retired) AS retired, sum(revived) AS revived, collect(DISTINCT d.id) AS dealIds`,
  );
  const deals = await settleAll(
    'Deal',
    'd',
    `WITH d, [(d)-[:HAS_DELIVERY]->(x:Delivery) | x.year] AS years
    ${settle(
      'd',
      `[r IN $releases WHERE any(y IN years WHERE r.from <= y AND y <= r.to)
        OR (r.orders AND r.from <= d.orderYear AND d.orderYear <= r.to)][0]`,
    )}
    WITH d, retired, revived WHERE retired + revived > 0
    RETURN sum(retired) AS retired, sum(revived) AS revived, collect(d.id) AS dealIds`,
  );
  return {
    retiredDeliveries: deliveries.retired,
    revivedDeliveries: deliveries.revived,
    retiredDeals: deals.retired,
    revivedDeals: deals.revived,
    dealIds: [...dealIds],
  };
}
