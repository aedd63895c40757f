import http from 'node:http';
import zlib from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/test-app';

/** A GET as a client that accepts gzip sends it, with the raw (undecoded) body. */
function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject);
  });
}

const BAD_QUERY = '{ deals(first: -1) { totalCount } }';

describe('defaults a plain `npm start` runs with', () => {
  let server: TestServer;
  beforeAll(async () => {
    // NODE_ENV unset, as `npm start` on a server runs it.
    server = await startTestServer({ NODE_ENV: '' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('puts no stack trace in error responses unless NODE_ENV=development', async () => {
    expect(server.config.env).toBe('production');
    const { body } = await server.gql(BAD_QUERY);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');

    const dev = await startTestServer({ NODE_ENV: 'development' });
    try {
      const { body: devBody } = await dev.gql(BAD_QUERY);
      expect(devBody.errors?.[0]?.extensions).toHaveProperty('stacktrace');
    } finally {
      await dev.close();
    }
  });

  it('compresses pages, bundles and JSON for clients that accept it', async () => {
    // Browsers accept brotli too, and get it.
    const bundle = await get(`${server.url}/assets/graphiql.js`);
    expect([bundle.status, bundle.headers['content-encoding']]).toEqual([200, 'br']);
    const size = zlib.brotliDecompressSync(bundle.body).length;
    expect(bundle.body.length).toBeLessThan(size / 2);
    const styles = await get(`${server.url}/assets/explorer.css`);
    expect(styles.headers['content-encoding']).toBe('br');
    // Security headers stay on compressed answers.
    expect(bundle.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ query: '{ __schema { types { name description } } }' }),
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(((await res.json()) as { data: unknown }).data).toBeDefined();
  });

  it('streams exports uncompressed unless the client asks with compress=true', async () => {
    const plain = await get(`${server.url}/export/graphml`);
    expect([plain.status, plain.headers['content-encoding']]).toEqual([200, undefined]);
    expect(plain.body.toString('utf8')).toMatch(/^<\?xml/);
    const asked = await get(`${server.url}/export/graphml?compress=true`);
    expect([asked.status, asked.headers['content-encoding']]).toEqual([200, 'br']);
    // The same document either way (only the generation time in it differs).
    const strip = (s: string) => s.replace(/<!--[^>]*-->/, '');
    expect(strip(zlib.brotliDecompressSync(asked.body).toString('utf8'))).toBe(
      strip(plain.body.toString('utf8')),
    );
  });

  it('starts deals.csv with a byte-order mark unless bom=false', async () => {
    const withBom = await get(`${server.url}/export/deals.csv`);
    expect([...withBom.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const without = await get(`${server.url}/export/deals.csv?bom=false`);
    expect(without.body.toString('utf8')).toMatch(/^deal_id,/);
    expect((await get(`${server.url}/export/deals.csv?bom=maybe`)).status).toBe(400);
  });
});
