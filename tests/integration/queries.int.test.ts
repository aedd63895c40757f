import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';
import { writeSyntheticDeals } from '../helpers/synthetic-deals';

type Edge = { cursor: string; node: { id: string; orderYear: number } };
type Page = {
  totalCount: number;
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};

describe('analyst queries', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
    await writeSyntheticDeals(server.db, 150);
  });
  afterAll(async () => {
    await server.close();
  });

  const page = async (args: string) => {
    const { body } = await server.gql<{ deals: Page }>(
      `{ deals(${args}) { totalCount edges { cursor node { id orderYear } } pageInfo { hasNextPage endCursor } } }`,
    );
    return body;
  };

  describe('deals', () => {
    it('filters by buyer name, seller, system and period', async () => {
      const { data } = await page(
        'filter: { buyer: "ZB1", seller: "Testland ZS0", orderedFrom: 2003, orderedTo: 2005 }, first: 100',
      );
      // i%3==1 and i%2==0 → i%6==4; orderYear 2000+i%10 in [2003,2005]
      const expected = Array.from({ length: 150 }, (_, i) => i).filter(
        (i) => i % 6 === 4 && i % 10 >= 3 && i % 10 <= 5,
      );
      expect(data?.deals.totalCount).toBe(expected.length);
      expect(data?.deals.edges.map((e) => e.node.id).sort()).toEqual(
        expected.map((i) => `zdeal-${String(i).padStart(4, '0')}`),
      );
    });

    it('filters by status and category, with SIPRI spelling variants', async () => {
      const { data } = await page('filter: { category: "air-defense systems" }, first: 10');
      expect(data?.deals.edges.map((e) => e.node.id).sort()).toEqual([
        'chn-s-400-2014',
        'ind-s-400-2018',
        'tur-s-400-2017',
      ]);
      const offered = await page('filter: { status: [OFFERED] }');
      expect(offered.data?.deals.edges.map((e) => e.node.id)).toEqual(['tur-s-400-offer']);
    });

    it('walks every deal exactly once through cursors, in order', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let years: number[] = [];
      for (let guard = 0; guard < 20; guard++) {
        const { data }: { data?: { deals: Page } } = await page(
          `first: 40, orderBy: ORDER_YEAR_DESC${after ? `, after: "${after}"` : ''}`,
        );
        const deals: Page = data!.deals;
        expect(deals.totalCount).toBe(154);
        seen.push(...deals.edges.map((e) => e.node.id));
        years = years.concat(deals.edges.map((e) => e.node.orderYear ?? -1));
        if (!deals.pageInfo.hasNextPage) break;
        after = deals.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(154);
      expect(new Set(seen).size).toBe(154);
      expect(years).toEqual([...years].sort((a, b) => b - a));
    });

    it('refuses a page size above the maximum instead of cutting silently', async () => {
      const { errors } = await page('first: 501');
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('refuses a forged cursor and an unknown party with coded errors', async () => {
      expect((await page('after: "not-a-cursor"')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect((await page('filter: { buyer: "Narnia" }')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect((await page('filter: { category: "Spaceships" }')).errors?.[0]?.extensions?.code).toBe(
        'BAD_USER_INPUT',
      );
    });

    it('costs the same number of Cypher statements for a page of 10 and a page of 100 (no N+1)', async () => {
      const query = (n: number) =>
        `{ deals(first: ${n}) { edges { node { id buyer { id name } seller { id name } system { id name } sources { id name } } } } }`;
      const cost = async (n: number) => {
        const before = server.db.statements;
        const { body } = await server.gql<{ deals: { edges: unknown[] } }>(query(n));
        expect(body.data?.deals.edges).toHaveLength(n);
        return server.db.statements - before;
      };
      const small = await cost(10);
      const large = await cost(100);
      expect(large).toBe(small);
      expect(large).toBe(1);
    });
  });

  describe('search', () => {
    it.each([
      ['turkiye', 'TUR'],
      ['Türkiye', 'TUR'],
      ['TURKEY', 'TUR'],
      ['Turky', 'TUR'],
      ['S400', 's-400'],
      ['SA-21', 's-400'],
      ['borisov', 'yuri-borisov'],
      ['North Atlantic', 'nato'],
    ])('finds %p first as %p', async (text, id) => {
      const { body } = await server.gql<{ search: Array<{ id: string }> }>(
        'query($t: String!) { search(text: $t) { id } }',
        {
          t: text,
        },
      );
      expect(body.data?.search[0]?.id).toBe(id);
    });

    it('treats Lucene syntax in the text as plain text', async () => {
      const { body } = await server.gql<{ search: Array<{ id: string }> }>(
        '{ search(text: "Turkey) OR *:* AND (") { id } }',
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.search[0]?.id).toBe('TUR');
    });

    it('refuses empty text with BAD_USER_INPUT', async () => {
      const { body } = await server.gql('{ search(text: "  ") { id } }');
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('transferTotals', () => {
    it('sums delivered TIV by supplier over a period, largest first', async () => {
      const { body } = await server.gql<{
        transferTotals: Array<{ entity: { id: string }; tivDelivered: number; deals: number }>;
      }>(
        '{ transferTotals(by: SUPPLIER, deliveredFrom: 2003, deliveredTo: 2006) { entity { id } tivDelivered deals } }',
      );
      const expect_ = new Map<string, { tiv: number; deals: number }>();
      for (let i = 0; i < 150; i++) {
        const year = 2001 + (i % 10);
        if (year < 2003 || year > 2006) continue;
        const k = `ZS${i % 2}`;
        const cur = expect_.get(k) ?? { tiv: 0, deals: 0 };
        expect_.set(k, { tiv: cur.tiv + i, deals: cur.deals + 1 });
      }
      const expected = [...expect_.entries()]
        .map(([id, v]) => ({ entity: { id }, tivDelivered: v.tiv, deals: v.deals }))
        .sort((a, b) => b.tivDelivered - a.tivDelivered);
      expect(body.data?.transferTotals).toEqual(expected);
    });

    it('groups by year', async () => {
      const { body } = await server.gql<{
        transferTotals: Array<{ year: number; tivDelivered: number; entity: null }>;
      }>(
        '{ transferTotals(by: YEAR, deliveredFrom: 2010, deliveredTo: 2010) { year entity { id } tivDelivered deals } }',
      );
      const tiv = Array.from({ length: 150 }, (_, i) => i)
        .filter((i) => i % 10 === 9)
        .reduce((a, b) => a + b, 0);
      expect(body.data?.transferTotals).toEqual([{ year: 2010, entity: null, tivDelivered: tiv, deals: 15 }]);
    });
  });

  describe('lookups', () => {
    it('resolves ids, names and aliases of every kind', async () => {
      const { body } = await server.gql<Record<string, { id: string } | null>>(`{
        a: country(id: "Republic of Türkiye") { id } b: country(id: "tur") { id } c: weaponSystem(id: "S-400 Triumf") { id }
        d: node(id: "OTAN") { id } e: node(id: "F-35 program") { id } f: country(id: "S-400") { id }
      }`);
      expect(body.data).toEqual({
        a: { id: 'TUR' },
        b: { id: 'TUR' },
        c: { id: 's-400' },
        d: { id: 'nato' },
        e: { id: 'f-35-program' },
        f: null,
      });
    });
  });
});
