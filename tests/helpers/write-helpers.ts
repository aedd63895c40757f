import type { Database } from '../../src/db/database';
import type { TestServer } from './test-app';

/** The write token the write tests configure, as `name:secret`. */
export const WRITE_TOKEN = 'analyst:s3cret-write-token';
export const READ_TOKEN = 'dashboard:s3cret-read-token';
export const WRITER = { authorization: 'Bearer s3cret-write-token' };
export const READER = { authorization: 'Bearer s3cret-read-token' };

type Errors = Array<{ message?: string; extensions?: Record<string, unknown> }> | undefined;

/** The code of the first error of a response, or undefined. */
export const codeOf = (body: { errors?: Errors }) => body.errors?.[0]?.extensions?.code as string | undefined;

/**
 * A fingerprint of the whole graph (every node's labels and properties, every relationship's type,
 * ends and properties): equal fingerprints mean nothing changed.
 */
export async function fingerprint(db: Database): Promise<string> {
  const rows = await db.read(
    `CALL () { MATCH (n) RETURN count(n) AS nodes, collect([labels(n), properties(n)]) AS ns }
     CALL () { MATCH (a)-[r]->(b) RETURN count(r) AS rels, collect([type(r), a.id, b.id, properties(r)]) AS rs }
     RETURN nodes, rels, ns, rs`,
  );
  const row = rows[0] ?? {};
  const sortJson = (xs: unknown) => ((xs as unknown[]) ?? []).map((x) => JSON.stringify(x)).sort();
  return JSON.stringify([row.nodes, row.rels, sortJson(row.ns), sortJson(row.rs)]);
}

export const CREATE_ENTITY = `mutation($input: CreateEntityInput!) {
  createEntity(input: $input) { entity { id name aliases } change { id tokenName mutation summary sources { id } } }
}`;
export const RECORD_DEAL = `mutation($input: RecordDealInput!) {
  recordDeal(input: $input) { deal { id status buyer { id } seller { id } system { id } delivered tivDelivered deliveries { year quantity tiv } } change { tokenName summary } }
}`;

/** Builds a small graph through the API: one source, four countries, an alliance, a programme, a system. */
export async function seedThroughApi(server: Pick<TestServer, 'gql'>): Promise<void> {
  const create = async (input: Record<string, unknown>) => {
    const res = await server.gql(CREATE_ENTITY, { input }, WRITER);
    if (res.body.errors) throw new Error(`seeding ${String(input.id)}: ${JSON.stringify(res.body.errors)}`);
  };
  await create({ kind: 'SOURCE', id: 'src-a', name: 'Source A', subtype: 'article', citation: 'A, 2020' });
  await create({ kind: 'SOURCE', id: 'src-b', name: 'Source B', subtype: 'database', citation: 'B' });
  for (const [id, name, aliases] of [
    ['TUR', 'Turkey', ['Türkiye']],
    ['RUS', 'Russia', ['Russian Federation']],
    ['USA', 'United States', []],
    ['IND', 'India', []],
  ] as const)
    await create({ kind: 'COUNTRY', id, name, aliases, sourceIds: ['src-a'] });
  await create({ kind: 'ALLIANCE', id: 'nato', name: 'NATO', sourceIds: ['src-a'], founded: 1949 });
  await create({ kind: 'PROGRAM', id: 'f-35-program', name: 'F-35 programme', sourceIds: ['src-a'] });
  await create({
    kind: 'WEAPON_SYSTEM',
    id: 's-400',
    name: 'S-400',
    aliases: ['SA-21 Growler'],
    category: 'Air-defence systems',
    sourceIds: ['src-a'],
  });
}
