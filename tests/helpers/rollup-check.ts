import type { Database } from '../../src/db/database';
import { LEVELS, type Level } from '../../src/db/tiv-rollups';

/**
 * Checks the TIV rollups (src/db/tiv-rollups.ts) against the live deliveries themselves: the rows the
 * rollups should hold and each deal's contribution (the finest level, which the tables read for a
 * system, category, condition or local production) are computed here, in JavaScript, from a plain
 * read of every live delivery and its deal, and must equal the `(:TivRollup)` rows and the
 * `(:TivContribution)` nodes exactly (TIV in thousandths, deliveries, gaps; each deal's key, years
 * and TIVs).
 */

const CONDITION: Record<string, string> = {
  New: 'NEW',
  'Second hand': 'SECOND_HAND',
  'Second hand but modernized': 'SECOND_HAND_MODERNISED',
};

interface Expected {
  tiv: number;
  n: number;
  gaps: number[];
}

const trim = (gaps: number[]) => {
  const out = [...gaps];
  while (out.length > 0 && out[out.length - 1] === 0) out.pop();
  return out;
};

/** A deal's contribution: its key, its live deliveries' years (ascending) and TIVs (thousandths). */
type Contribution = Record<string, unknown>;

export async function expectedRollups(
  db: Database,
): Promise<{ rollups: Map<string, Expected>; contributions: Map<string, Contribution> }> {
  const rows = await db.read(
    `MATCH (d:Deal) WHERE d.retired IS NULL OR d.retired = false
     MATCH (d)-[h:HAS_DELIVERY]->(x:Delivery)
     WHERE (h.retired IS NULL OR h.retired = false) AND (x.retired IS NULL OR x.retired = false)
     RETURN d.id AS deal,
       COLLECT { MATCH (d)-[r:SELLER]->(s) WHERE r.retired IS NULL OR r.retired = false RETURN s.id } AS sellers,
       COLLECT { MATCH (d)-[r:BUYER]->(b) WHERE r.retired IS NULL OR r.retired = false RETURN b.id } AS buyers,
       COLLECT { MATCH (d)-[r:COVERS]->(w:WeaponSystem) WHERE r.retired IS NULL OR r.retired = false RETURN w.id } AS systems,
       d.category AS category,
       d.sipriStatus AS status, d.localProduction AS localProduction, x.year AS year, x.tiv AS tiv`,
  );
  const byDeal = new Map<string, typeof rows>();
  for (const r of rows) byDeal.set(String(r.deal), [...(byDeal.get(String(r.deal)) ?? []), r]);
  const out = new Map<string, Expected>();
  const contributions = new Map<string, Contribution>();
  for (const [deal, deliveries] of byDeal) {
    deliveries.sort((a, b) => Number(a.year) - Number(b.year));
    contributions.set(deal, {
      years: deliveries.map((r) => Number(r.year)),
      tivs: deliveries.map((r) => Math.round(Number(r.tiv ?? 0) * 1000)),
    });
    deliveries.forEach((r, i) => {
      const year = Number(r.year);
      const gap = i === 0 ? 0 : year - Number(deliveries[i - 1]?.year);
      // A deal with several live parties of a kind (a merge can leave two) counts for the lowest id.
      const lowest = (ids: unknown) => [...(ids as string[])].sort()[0] ?? null;
      const key: Record<string, unknown> = {
        supplierId: lowest(r.sellers),
        recipientId: lowest(r.buyers),
        systemId: lowest(r.systems),
        category: r.category,
        condition: CONDITION[String(r.status)] ?? null,
        localProduction: r.localProduction,
      };
      Object.assign(contributions.get(deal) ?? {}, key);
      for (const level of (Object.keys(LEVELS) as Level[]).filter((l) => l !== 'contributions')) {
        const id = [
          level,
          ...['supplierId', 'recipientId'].map((f) =>
            (LEVELS[level] as readonly string[]).includes(f) ? (key[f] ?? '') : '',
          ),
          year,
        ]
          .map(String)
          .join('|');
        const e = out.get(id) ?? { tiv: 0, n: 0, gaps: [] };
        e.tiv += Math.round(Number(r.tiv ?? 0) * 1000);
        e.n += 1;
        if (gap > 0) {
          while (e.gaps.length < gap) e.gaps.push(0);
          e.gaps[gap - 1] = (e.gaps[gap - 1] ?? 0) + 1;
        }
        out.set(id, e);
      }
    });
  }
  return { rollups: out, contributions };
}

/** Every contribution as stored: deal id → key, years, TIVs. */
async function storedContributions(db: Database): Promise<Map<string, Contribution>> {
  const rows = await db.read(
    `MATCH (c:TivContribution)
     RETURN c.dealId AS deal, c {.supplierId, .recipientId, .systemId, .category, .condition, .localProduction,
       .years, .tivs} AS c`,
  );
  return new Map(
    rows.map((r) => {
      const c = { ...(r.c as Contribution) };
      c.years = (c.years as unknown[]).map(Number);
      c.tivs = (c.tivs as unknown[]).map(Number);
      return [String(r.deal), c];
    }),
  );
}

/** Every rollup row as stored: id → tiv, n, gaps (trailing zeros dropped). */
export async function storedRollups(db: Database): Promise<Map<string, Expected>> {
  const rows = await db.read('MATCH (t:TivRollup) RETURN t.id AS id, t.tiv AS tiv, t.n AS n, t.gaps AS gaps');
  return new Map(
    rows.map((r) => [
      String(r.id),
      { tiv: Number(r.tiv), n: Number(r.n), gaps: trim((r.gaps as number[]).map(Number)) },
    ]),
  );
}

export async function expectRollupsMatchDeliveries(db: Database): Promise<void> {
  const { rollups: expected, contributions } = await expectedRollups(db);
  for (const e of expected.values()) e.gaps = trim(e.gaps);
  const stored = await storedRollups(db);
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  expect(sorted(stored)).toEqual(sorted(expected));
  expect(sorted(await storedContributions(db))).toEqual(sorted(contributions));
}
