import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { Database, Params } from '../../src/db/database';
import { resolveDealParties, compileDealFilter, type DealFilter } from '../../src/db/deal-filter';
import { findDeals } from '../../src/db/deal-queries';
import { dealSelectionStatements, kindKeys } from '../../src/db/export-queries';
import { entitiesByIds, lookupEntity } from '../../src/db/entities';
import { relatedBatch } from '../../src/db/relation-queries';
import { searchEntities } from '../../src/db/search-queries';
import { neighborhood } from '../../src/db/subgraph-queries';
import { refreshTivRollups } from '../../src/db/tiv-rollups';
import { transferTotals, type TotalsBy, type TransferFilter } from '../../src/db/transfer-totals';
import { seedGraph } from '../../src/seed/seeder';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';
import { openTestDatabase, resetGraph } from '../helpers/test-app';

/**
 * The key queries use the indexes (issue 7): every statement the data layer sends for them is run
 * again under PROFILE, and its plan must reach nodes through index operators, never through a scan of
 * every node or of every node of a label that actually read something. The statements are captured
 * from the real data-layer functions, so a change of query shape is checked as it ships.
 */

interface PlanOp {
  operator: string;
  details: string;
  rows: number;
  dbHits: number;
}

interface Captured {
  cypher: string;
  params: Params;
}

const SCANS = ['AllNodesScan', 'NodeByLabelScan'];
const INDEX_OPS = [
  'NodeIndexSeek',
  'NodeUniqueIndexSeek',
  'NodeIndexSeekByRange',
  'NodeUniqueIndexSeekByRange',
  'NodeIndexScan',
  'MultiNodeIndexSeek',
  'NodeCountFromCountStore',
];

function flatten(plan: {
  operatorType: string;
  rows: number;
  dbHits: number;
  arguments: Record<string, unknown>;
  children: unknown[];
}): PlanOp[] {
  const op: PlanOp = {
    operator: plan.operatorType.replace(/@.*$/, ''),
    details: String(plan.arguments.Details ?? ''),
    rows: Number(plan.rows),
    dbHits: Number(plan.dbHits),
  };
  return [op, ...plan.children.flatMap((c) => flatten(c as Parameters<typeof flatten>[0]))];
}

describe('query plans of the key queries', () => {
  let db: Database;
  let captured: Captured[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    await resetGraph(db);
    await seedGraph(db);
    // Enough deals that a scan would cost more than a seek in the planner's eyes too.
    await writeSyntheticDeals(db, 3000);
    // Record every statement the data layer sends, with its parameters.
    const run = db.run.bind(db);
    db.run = (tx: ManagedTransaction, cypher: string, params: Params = {}) => {
      captured.push({ cypher, params });
      return run(tx, cypher, params);
    };
  });
  afterAll(async () => {
    await db.close();
  });

  /** Runs `work`, then PROFILEs every statement it sent; returns one operator list per statement. */
  async function plansOf(work: () => Promise<unknown>): Promise<PlanOp[][]> {
    captured = [];
    await work();
    const statements = captured;
    captured = [];
    expect(statements.length).toBeGreaterThan(0);
    const session = db.driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      const plans: PlanOp[][] = [];
      for (const s of statements) {
        const result = await session.run(`PROFILE ${s.cypher}`, s.params);
        const profile = result.summary.profile;
        if (!profile) throw new Error(`no profile for ${s.cypher}`);
        plans.push(flatten(profile as unknown as Parameters<typeof flatten>[0]));
      }
      return plans;
    } finally {
      await session.close();
    }
  }

  /** No statement scanned all nodes, or all nodes of a label, for real; at least one used an index. */
  function expectIndexed(plans: PlanOp[][], index: RegExp): void {
    const ops = plans.flat();
    const scans = ops.filter((o) => SCANS.includes(o.operator) && (o.rows > 0 || o.dbHits > 0));
    expect(scans).toEqual([]);
    const indexed = ops.filter((o) => INDEX_OPS.includes(o.operator) && index.test(o.details));
    expect(indexed.map((o) => o.operator)).not.toEqual([]);
  }

  it('a lookup by id seeks the id index, and brings the deal and its parties in one statement', async () => {
    const plans = await plansOf(() => lookupEntity(db, 'zdeal-0042', ['Deal']));
    expect(plans).toHaveLength(1);
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('a lookup by name goes through the full-text index, not a scan', async () => {
    const plans = await plansOf(() => lookupEntity(db, 'Testland ZB1', ['Country']));
    expect(plans.flat().map((o) => o.operator)).toContain('ProcedureCall');
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('the entity loader seeks every id', async () => {
    const plans = await plansOf(() => entitiesByIds(db, ['ZB0', 'zsys-1', 'zdeal-0007']));
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('deals filtered by buyer start from the buyer, found by index, in one statement', async () => {
    const plans = await plansOf(() => findDeals(db, { buyer: 'ZB1' }, 'ORDER_YEAR_DESC', 20, null));
    expect(plans).toHaveLength(1);
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('deals filtered by system start from the system', async () => {
    const plans = await plansOf(() => findDeals(db, { system: 'zsys-2' }, 'ORDER_YEAR_DESC', 20, null));
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('deals filtered by period read the order-year index by range, in order', async () => {
    const plans = await plansOf(() =>
      findDeals(db, { orderedFrom: 2003, orderedTo: 2005 }, 'ORDER_YEAR_DESC', 20, null),
    );
    expectIndexed(plans, /:Deal\(orderYear\)/);
    const ops = plans.flat();
    expect(ops.some((o) => o.operator === 'NodeIndexSeekByRange')).toBe(true);
    // Read in index order: no full sort of the period's deals.
    expect(ops.some((o) => o.operator === 'Sort')).toBe(false);
  });

  it('the next page after a cursor is still read from the index', async () => {
    const first = await findDeals(db, { orderedFrom: 2003, orderedTo: 2005 }, 'ORDER_YEAR_DESC', 20, null);
    const plans = await plansOf(() =>
      findDeals(db, { orderedFrom: 2003, orderedTo: 2005 }, 'ORDER_YEAR_DESC', 20, first.cursors.at(-1)),
    );
    expectIndexed(plans, /:Deal\(orderYear\)/);
  });

  it('an unfiltered page counts from the count store and reads the order-year index in order', async () => {
    const plans = await plansOf(() => findDeals(db, {}, 'ORDER_YEAR_ASC', 100, null));
    const ops = plans.flat();
    expect(ops.map((o) => o.operator)).toContain('NodeCountFromCountStore');
    expectIndexed(plans, /:Deal\(orderYear\)/);
  });

  /** Rows that index operators on `index` produced: what a plan read from that index. */
  const indexRows = (plans: PlanOp[][], index: RegExp) =>
    plans
      .flat()
      .filter((o) => INDEX_OPS.includes(o.operator) && index.test(o.details))
      .reduce((sum, o) => sum + o.rows, 0);

  // ZB1 buys 1,000 of the 3,000 deals, 100 in each of 10 years; zsys-2 covers 750; 2003-2005 holds 900.
  const pages = [
    { what: 'a buyer', filter: { buyer: 'ZB1' }, index: /:DealSlot\(role, partyId, sortYear, dealId\)/ },
    { what: 'a system', filter: { system: 'zsys-2' }, index: /:DealSlot\(role, partyId, sortYear, dealId\)/ },
    {
      what: 'a period',
      filter: { orderedFrom: 2003, orderedTo: 2005 },
      index: /:Deal\(orderYear, id\)/,
    },
    { what: 'nothing', filter: {}, index: /:Deal\(orderYear, id\)/ },
  ];
  for (const { what, filter, index } of pages) {
    for (const orderBy of ['ORDER_YEAR_DESC', 'ORDER_YEAR_ASC'] as const) {
      it(`a page of deals filtered by ${what} (${orderBy}) reads about a page of index entries, not every match`, async () => {
        const all = await findDeals(db, filter, orderBy, 500, null);
        expect(all.totalCount).toBeGreaterThan(500);
        const first = await findDeals(db, filter, orderBy, 20, null, { count: false });
        const next = await findDeals(db, filter, orderBy, 20, first.cursors.at(-1), { count: false });
        // The same deals, in the same order, as one long page (the contract's order and cursors).
        expect([...first.deals, ...next.deals].map((d) => d.id)).toEqual(
          all.deals.slice(0, 40).map((d) => d.id),
        );
        for (const after of [null, first.cursors.at(-1)]) {
          const plans = await plansOf(() => findDeals(db, filter, orderBy, 20, after, { count: false }));
          const ops = plans.flat();
          // 21 rows (a page and one to tell whether there is more), plus the bounds of the years.
          const read = indexRows(plans, index);
          expect(read).toBeGreaterThanOrEqual(21);
          expect(read).toBeLessThanOrEqual(30);
          // Nothing sorted, nothing scanned, no operator beyond the page's deals and their parties.
          // (A Top of one row is the name resolution's pick of the best match.)
          expect(ops.filter((o) => (o.operator === 'Sort' || o.operator === 'Top') && o.rows > 1)).toEqual(
            [],
          );
          expect(ops.filter((o) => SCANS.includes(o.operator) && o.rows > 0)).toEqual([]);
          expect(Math.max(...ops.map((o) => o.rows))).toBeLessThanOrEqual(21 * 3 + 10);
        }
      });
    }
  }

  /** The indexes index operators read in these plans (`:Deal(orderYear, id)`, ...). */
  const indexesOf = (plans: PlanOp[][]) =>
    new Set(
      plans
        .flat()
        .filter((o) => INDEX_OPS.includes(o.operator))
        .flatMap((o) => [...o.details.matchAll(/:\w+\([\w, ]+\)/g)].map((m) => m[0])),
    );

  // An export by filter and a page of the same filter are compiled by one compiler: they start from
  // the same index. (A page in order-year order reads the deal slots instead; by id, the anchor.)
  const exported: { what: string; filter: DealFilter; index: string }[] = [
    { what: 'a buyer', filter: { buyer: 'ZB1' }, index: ':Entity(id)' },
    { what: 'a system', filter: { system: 'zsys-2' }, index: ':WeaponSystem(id)' },
    { what: 'a period', filter: { orderedFrom: 2003, orderedTo: 2005 }, index: ':Deal(orderYear)' },
    { what: 'a status', filter: { status: ['PENDING'] }, index: ':Deal(status)' },
  ];
  for (const { what, filter, index } of exported) {
    it(`an export of the deals of ${what} reads the index a page of them reads (${index}), and scans nothing`, async () => {
      const page = await plansOf(() => findDeals(db, filter, 'ID_ASC', 20, null));
      let ids: Record<string, string> = {};
      const statements = dealSelectionStatements(filter, ids);
      const plans = await plansOf(async () => {
        ids = await resolveDealParties(db, filter, compileDealFilter(filter, 'parameter'));
        const s = dealSelectionStatements(filter, ids);
        // The statements an export streams, run as the export runs them (one read transaction).
        await db.readTx(async (tx) => {
          for (const st of [s.deals, s.nodes(kindKeys('node', [])), s.edges(kindKeys('edge', []), true)])
            await db.run(tx, st.cypher, st.params);
        });
      });
      expect(statements.deals.cypher).not.toMatch(/IS NULL OR/);
      const pageIndexes = indexesOf(page);
      expect([...pageIndexes].some((i) => i.startsWith(index.slice(0, -1)))).toBe(true);
      // The name resolution (one statement, when names are given), then the three export statements.
      expect(plans).toHaveLength(compileDealFilter(filter).parties.length > 0 ? 4 : 3);
      for (const plan of plans.slice(-3)) {
        expect(plan.filter((o) => SCANS.includes(o.operator) && (o.rows > 0 || o.dbHits > 0))).toEqual([]);
        expect([...indexesOf([plan])].some((i) => i.startsWith(index.slice(0, -1)))).toBe(true);
      }
    });
  }

  it("a buyer's count is the entity's degree: no deal is read", async () => {
    const plans = await plansOf(() => findDeals(db, { buyer: 'ZB1' }, 'ORDER_YEAR_DESC', 0, null));
    const ops = plans.flat();
    expect(ops.filter((o) => o.details.includes('getDegree('))).not.toEqual([]);
    expect(Math.max(...ops.map((o) => o.rows))).toBeLessThan(10);
  });

  // The count's branches are expressions of one projection: a branch's reads show in its db hits.
  const dbHits = (plans: PlanOp[][]) => plans.flat().reduce((n, o) => n + o.dbHits, 0);

  it("a system's count without variants is its degree: no deal, no slot is read", async () => {
    let total = 0;
    const plans = await plansOf(async () => {
      total = (await findDeals(db, { system: 'zsys-2' }, 'ORDER_YEAR_DESC', 0, null)).totalCount;
    });
    expect(total).toBeGreaterThan(100);
    expect(plans.flat().filter((o) => o.details.includes('getDegree('))).not.toEqual([]);
    // Reading its slots would cost one db hit per deal at least.
    expect(dbHits(plans)).toBeLessThan(50);
  });

  it("a system's count with variants (their deals included) reads its slots from the index: no deal, no scan", async () => {
    // zsys-2 gains a variant with no deals: its count now comes from its slots.
    await db.write(
      "MATCH (p:WeaponSystem {id: 'zsys-2'}) CREATE (:Entity:WeaponSystem {id: 'zsys-2-v', name: 'zsys-2 variant'})-[:VARIANT_OF]->(p)",
    );
    try {
      let total = 0;
      const plans = await plansOf(async () => {
        total = (await findDeals(db, { system: 'zsys-2' }, 'ORDER_YEAR_DESC', 0, null)).totalCount;
      });
      const ops = plans.flat();
      expect(total).toBeGreaterThan(100);
      expect(ops.filter((o) => SCANS.includes(o.operator) && (o.rows > 0 || o.dbHits > 0))).toEqual([]);
      expect(ops.filter((o) => /DealSlot\(role, ?partyId, ?sortYear, ?dealId\)/.test(o.details))).not.toEqual(
        [],
      );
      expect(dbHits(plans)).toBeGreaterThanOrEqual(total);
      expect(ops.filter((o) => /\bd:Deal\b/.test(o.details) && o.operator.startsWith('Expand'))).toEqual([]);
    } finally {
      await db.write("MATCH (v:WeaponSystem {id: 'zsys-2-v'}) DETACH DELETE v");
    }
  });

  it('SIPRI TIV totals over a period read the rollups by index, or the deliveries by year', async () => {
    const q = { by: 'SUPPLIER', deliveredFrom: 2004, deliveredTo: 2008 } as const;
    expectIndexed(
      await plansOf(() => transferTotals(db, q, { first: 10, source: 'rollups' })),
      /:TivRollup\(level, year\)/,
    );
    expectIndexed(
      await plansOf(() => transferTotals(db, q, { first: 10, source: 'deliveries' })),
      /:Delivery\(year\)/,
    );
    // One recipient's imports: the recipient's rollup rows only.
    expectIndexed(
      await plansOf(() => transferTotals(db, { ...q, filter: { recipient: ['ZB1'] } }, { first: 10 })),
      /:TivRollup\(level, recipientId, year\)/,
    );
    // What no rollup level keeps is read from the contributions, a party's or a system's by index.
    const fromContributions: [TotalsBy, TransferFilter, RegExp][] = [
      ['YEAR', { system: ['zsys-1'] }, /:TivContribution\(systemId\)/],
      ['CATEGORY', { recipient: ['ZB1'] }, /:TivContribution\(recipientId\)/],
      ['SYSTEM', { supplier: ['ZS1'] }, /:TivContribution\(supplierId\)/],
    ];
    for (const [by, filter, index] of fromContributions)
      expectIndexed(
        await plansOf(() => transferTotals(db, { ...q, by, filter }, { first: 10, source: 'rollups' })),
        index,
      );
  });

  it('search asks the full-text index and scans nothing', async () => {
    const plans = await plansOf(() => searchEntities(db, 'testland', 10));
    expect(plans.flat().map((o) => o.operator)).toContain('ProcedureCall');
    expect(plans.flat().filter((o) => SCANS.includes(o.operator))).toEqual([]);
  });

  it("a country's purchases start from the country", async () => {
    const plans = await plansOf(() => relatedBatch(db, 'purchases', ['ZB0', 'ZB2']));
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('a depth-2 neighbourhood expands from index seeks, level by level', async () => {
    const plans = await plansOf(() => neighborhood(db, { id: 'zsys-1', depth: 2, first: 50 }));
    expectIndexed(plans, /:Entity\(id\)/);
  });

  it('counts that skip reading deals still leave retired deals out, filtered or not', async () => {
    const filters = [{}, { buyer: 'ZB1' }, { system: 'zsys-1' }, { orderedFrom: 2001, orderedTo: 2009 }];
    const before = await Promise.all(filters.map((f) => findDeals(db, f, 'ORDER_YEAR_ASC', 500, null)));
    // zdeal-0013: buyer ZB1, system zsys-1, ordered 2003 (tests/helpers/synthetic-deals.ts).
    await db.write("MATCH (d:Deal {id: 'zdeal-0013'}) SET d.retired = true");
    try {
      for (const [i, f] of filters.entries()) {
        const after = await findDeals(db, f, 'ORDER_YEAR_ASC', 500, null);
        expect(after.totalCount).toBe((before[i]?.totalCount ?? 0) - 1);
        expect(after.deals.map((d) => d.id)).not.toContain('zdeal-0013');
      }
    } finally {
      await db.write("MATCH (d:Deal {id: 'zdeal-0013'}) REMOVE d.retired");
    }
  });

  it('totals leave retired deliveries and deals out, from the rollups and from the deliveries', async () => {
    const zs1 = async (source: 'rollups' | 'deliveries') =>
      (
        await transferTotals(
          db,
          { by: 'SUPPLIER', deliveredFrom: 2004, deliveredTo: 2004 },
          { first: 10, source },
        )
      ).find((t) => t.key === 'ZS1');
    const before = await zs1('rollups');
    // zdeal-0013 sells from ZS1 and delivers in 2004, TIV 13; zdeal-0033 likewise, TIV 33. Retired
    // as a writer retires (the rollups follow in the same transaction).
    const retire = (set: string) =>
      db.writeTx(async (tx) => {
        await db.run(tx, `MATCH (:Deal {id: 'zdeal-0013'})-[:HAS_DELIVERY]->(x) ${set.replace('$v', 'x')}`);
        await db.run(tx, `MATCH (d:Deal {id: 'zdeal-0033'}) ${set.replace('$v', 'd')}`);
        await refreshTivRollups(db, tx, ['zdeal-0013', 'zdeal-0033']);
      });
    await retire('SET $v.retired = true');
    try {
      for (const source of ['rollups', 'deliveries'] as const) {
        const after = await zs1(source);
        expect(after?.tivDelivered).toBe((before?.tivDelivered ?? 0) - 13 - 33);
        expect(after?.deals).toBe((before?.deals ?? 0) - 2);
      }
    } finally {
      await retire('REMOVE $v.retired');
    }
  });
});
