import type { Database } from '../src/db/database';
import type { MixParams } from './query-mix';

/** The query mix's parameters picked from the loaded graph, so every size gets real hits. */
export async function pickParams(db: Database): Promise<MixParams> {
  const one = async (cypher: string) => (await db.read(cypher))[0] ?? {};
  const buyer = await one(
    'MATCH (c:Country) RETURN c.id AS id ORDER BY COUNT { (c)<-[:BUYER]-(:Deal) } DESC, c.id LIMIT 1',
  );
  const system = await one(
    'MATCH (w:WeaponSystem) RETURN w.id AS id, w.name AS name ORDER BY COUNT { (w)<-[:COVERS]-(:Deal) } DESC, w.id LIMIT 1',
  );
  const years = await one(
    'MATCH (d:Deal) WITH max(d.orderYear) AS lastOrder MATCH (x:Delivery) RETURN lastOrder, max(x.year) AS lastDelivery',
  );
  const count = await one("MATCH (d:Deal) WHERE d.id STARTS WITH 'sipri-' RETURN count(d) AS n");
  const deal = await one(
    `MATCH (d:Deal) WHERE d.id STARTS WITH 'sipri-' RETURN d.id AS id ORDER BY d.id SKIP ${Math.floor(Number(count.n ?? 0) / 2)} LIMIT 1`,
  );
  const lastOrder = Number(years.lastOrder ?? 2023);
  const lastDelivery = Number(years.lastDelivery ?? 2023);
  return {
    buyer: String(buyer.id),
    system: String(system.id),
    periodFrom: lastOrder - 8,
    periodTo: lastOrder - 6,
    totalsFrom: lastDelivery - 4,
    totalsTo: lastDelivery,
    dealId: String(deal.id),
    searchText: String(system.name ?? 'S-400').toLowerCase(),
    neighborhoodId: 'TUR',
  };
}
