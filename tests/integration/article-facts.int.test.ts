import { seedGraph } from '../../src/seed/seeder';
import { resetGraph, startTestServer, type TestServer } from '../helpers/test-app';

// Every fact of the S-400 article (tests/fixtures/article-facts.md lists them), asked over HTTP from the
// seeded graph, each answered together with its source.
const ARTICLE = 'article-s400-turkey';

type Src = { sources: Array<{ id: string }> };
const ids = (x: Src) => x.sources.map((s) => s.id);

describe('the article, answered from the graph', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await resetGraph(server.db);
    await seedGraph(server.db);
  });
  afterAll(async () => {
    await server.close();
  });

  const q = <T>(query: string, variables?: Record<string, unknown>): Promise<T> =>
    server.data<T>(query, variables);

  it('who has bought the S-400: China first (2014, government to government), Turkey in 2017, India', async () => {
    const data = await q<{
      weaponSystem: { deals: Array<Record<string, unknown> & Src & { buyer: { id: string } }> };
    }>(`{
      weaponSystem(id: "S-400 Triumf") {
        deals { id status orderYear governmentToGovernment notes buyer { id } seller { id } sources { id } }
      }
    }`);
    const deals = data.weaponSystem.deals.filter((d) => d.status !== 'OFFERED');
    expect(deals.map((d) => d.buyer.id)).toEqual(['CHN', 'TUR', 'IND']);
    const china = deals[0]!;
    expect(china).toMatchObject({ orderYear: 2014, governmentToGovernment: true, seller: { id: 'RUS' } });
    expect(china.notes).toEqual([expect.stringMatching(/first foreign buyer.*government-to-government/)]);
    expect(ids(china)).toContain(ARTICLE);
    expect(deals[2]).toMatchObject({ orderYear: 2018 });
    expect(ids(deals[2]!)).toEqual(['sipri-atdb']);
  });

  it("Turkey's 2017 deal: $2.5 billion, a regiment set of two battalions, deliveries from 12 July 2019, partial technology transfer", async () => {
    const { deal } = await q<{ deal: Record<string, unknown> & Src }>(`{
      deal(id: "sipri-59633") {
        id orderYear value { amount currency } quantityDescription firstDeliveryDate technologyTransfer status notes
        buyer { id } seller { id } system { id } sources { id citation }
      }
    }`);
    expect(deal).toMatchObject({
      id: 'tur-s-400-2017',
      orderYear: 2017,
      value: { amount: 2.5e9, currency: 'USD' },
      quantityDescription: 'a regiment set (two battalions)',
      firstDeliveryDate: '2019-07-12',
      technologyTransfer: 'partial',
      buyer: { id: 'TUR' },
      seller: { id: 'RUS' },
      system: { id: 's-400' },
    });
    expect(deal.notes).toEqual(expect.arrayContaining([expect.stringMatching(/autumn 2017/)]));
    expect(ids(deal)).toEqual([ARTICLE]);
  });

  it('Turkey is a NATO member and was the first NATO member to buy the S-400', async () => {
    const data = await q<{
      country: { memberships: Array<{ alliance: { id: string }; since: string } & Src> };
      allianceConflicts: Array<{
        member: { id: string };
        supplier: { id: string };
        deal: { id: string; system: { id: string }; orderYear: number; notes: string[] } & Src;
      }>;
    }>(`{
      country(id: "Türkiye") { memberships { alliance { id } since sources { id } } }
      allianceConflicts(alliance: "NATO") { member { id } supplier { id } deal { id orderYear notes system { id } sources { id } } }
    }`);
    const nato = data.country.memberships.find((m) => m.alliance.id === 'nato');
    expect(nato?.since).toBe('1952-02-18');
    expect(ids(nato!)).toContain(ARTICLE);
    const s400 = data.allianceConflicts.filter((c) => c.deal.system.id === 's-400');
    expect(s400).toHaveLength(1);
    expect(s400[0]).toMatchObject({
      member: { id: 'TUR' },
      supplier: { id: 'RUS' },
      deal: { id: 'tur-s-400-2017' },
    });
    expect(s400[0]!.deal.notes).toEqual(expect.arrayContaining([expect.stringMatching(/first NATO member/)]));
  });

  it('Turkey was excluded from the F-35 programme because of that purchase', async () => {
    const { country } = await q<{
      country: {
        exclusions: Array<
          {
            program: { id: string; name: string; leader: { id: string } };
            date: string;
            cause: { id: string };
          } & Src
        >;
      };
    }>(
      `{ country(id: "TUR") { exclusions { program { id name leader { id } } date cause { id } sources { id } } } }`,
    );
    expect(country.exclusions).toHaveLength(1);
    expect(country.exclusions[0]).toMatchObject({
      program: { id: 'f-35-program', leader: { id: 'USA' } },
      cause: { id: 'tur-s-400-2017' },
      date: '2019-07-17',
    });
    expect(ids(country.exclusions[0]!)).toEqual(
      expect.arrayContaining([ARTICLE, 'whitehouse-2019-07-17-f35']),
    );
  });

  it('the United States and NATO objected to the purchase', async () => {
    const { deal } = await q<{ deal: { objectedBy: Array<{ by: { id: string }; reason: string } & Src> } }>(
      `{ deal(id: "tur-s-400-2017") { objectedBy { by { id } reason sources { id } } } }`,
    );
    expect(deal.objectedBy.map((o) => o.by.id).sort()).toEqual(['USA', 'nato']);
    expect(deal.objectedBy.every((o) => ids(o).includes(ARTICLE) && /security/.test(o.reason))).toBe(true);
  });

  it('the US considered sanctions (article) and imposed CAATSA sanctions on SSB in December 2020', async () => {
    const { country } = await q<{
      country: {
        sanctionsReceived: Array<
          {
            imposedBy: { id: string };
            target: { id: string };
            status: string;
            since: string | null;
            instrument: string | null;
            cause: { id: string };
          } & Src
        >;
      };
    }>(
      `{ country(id: "TUR") { sanctionsReceived { imposedBy { id } target { id } status since instrument cause { id } sources { id } } } }`,
    );
    const considered = country.sanctionsReceived.find((s) => s.status === 'CONSIDERED');
    expect(considered).toMatchObject({
      imposedBy: { id: 'USA' },
      target: { id: 'TUR' },
      cause: { id: 'tur-s-400-2017' },
    });
    expect(ids(considered!)).toEqual([ARTICLE]);
    const imposed = country.sanctionsReceived.find((s) => s.status === 'IMPOSED');
    expect(imposed).toMatchObject({
      imposedBy: { id: 'USA' },
      target: { id: 'ssb' },
      since: '2020-12-14',
      instrument: 'CAATSA section 231',
    });
    expect(ids(imposed!)).toEqual(['state-dept-2020-12-14-caatsa']);
  });

  it('Russia, through Deputy Prime Minister Yuri Borisov, offers Turkey a new S-400 contract', async () => {
    const { deals } = await q<{
      deals: {
        edges: Array<{
          node: {
            id: string;
            seller: { id: string };
            announcedBy: Array<
              {
                person: { name: string; offices: Array<{ title: string; of: { id: string } }> };
                statement: string;
              } & Src
            >;
          } & Src;
        }>;
      };
    }>(`{
      deals(filter: { buyer: "Turkey", system: "s400", status: [OFFERED] }, first: 10) {
        edges { node { id seller { id } sources { id }
          announcedBy { statement sources { id } person { name offices { title of { id } } } } } }
      }
    }`);
    expect(deals.edges).toHaveLength(1);
    const offer = deals.edges[0]!.node;
    expect(offer.seller.id).toBe('RUS');
    expect(ids(offer)).toEqual([ARTICLE]);
    expect(offer.announcedBy[0]).toMatchObject({
      person: { name: 'Yuri Borisov', offices: [{ title: 'Deputy Prime Minister', of: { id: 'RUS' } }] },
    });
    expect(ids(offer.announcedBy[0]!)).toEqual([ARTICLE]);
  });

  it('China, Saudi Arabia, Turkey, India and Qatar expressed interest in the S-400; China calls it a necessity', async () => {
    const { weaponSystem } = await q<{
      weaponSystem: {
        origin: { id: string };
        interestedCountries: Array<{ country: { id: string }; description: string } & Src>;
      };
    }>(
      `{ weaponSystem(id: "SA-21 Growler") { origin { id } interestedCountries { country { id } description sources { id } } } }`,
    );
    expect(weaponSystem.origin.id).toBe('RUS');
    expect(weaponSystem.interestedCountries.map((i) => i.country.id).sort()).toEqual([
      'CHN',
      'IND',
      'QAT',
      'SAU',
      'TUR',
    ]);
    expect(weaponSystem.interestedCountries.every((i) => ids(i).includes(ARTICLE))).toBe(true);
    expect(weaponSystem.interestedCountries.find((i) => i.country.id === 'CHN')?.description).toMatch(
      /necessity/,
    );
  });

  it("shows where the sources disagree: China's order year, 2014 in the article and 2015 at SIPRI", async () => {
    const { deal } = await q<{
      deal: {
        orderYear: number;
        disagreements: Array<{ field: string; shown: string; claims: Array<{ value: string } & Src> }>;
      };
    }>(
      `{ deal(id: "chn-s-400-2014") { orderYear disagreements { field shown claims { value sources { id } } } } }`,
    );
    expect(deal.orderYear).toBe(2014);
    expect(deal.disagreements).toEqual([
      {
        field: 'orderYear',
        shown: '2014',
        claims: [
          { value: '2014', sources: expect.arrayContaining([{ id: ARTICLE }]) },
          { value: '2015', sources: [{ id: 'sipri-atdb' }] },
        ],
      },
    ]);
  });

  it('cites the article with its title and author', async () => {
    const { node } = await q<{ node: { title: string; author: string; kind: string } }>(
      `{ node(id: "${ARTICLE}") { ... on Source { title author kind } } }`,
    );
    expect(node).toEqual({
      title: 'Russia signals interest in new deal with Turkey for S-400 air defence systems',
      author: 'Neal Path',
      kind: 'article',
    });
  });
});
