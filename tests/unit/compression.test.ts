import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { COMPRESS_THRESHOLD_BYTES, compressResponses } from '../../src/http/compression';

/** Which answers are compressed, on a bare express app (no database): by size, client and route. */
describe('response compression', () => {
  let server: http.Server;
  let port: number;
  const large = { rows: Array.from({ length: 200 }, (_, i) => ({ id: `deal-${i}`, name: 'S-400 Triumf' })) };

  beforeAll(async () => {
    const app = express();
    app.use(compressResponses());
    app.post('/graphql', (req, res) => {
      res.json(req.query.size === 'large' ? large : { data: { deal: { id: 'deal-1' } } });
    });
    app.get('/page', (_req, res) => {
      res.type('html').send(`<p>${'x'.repeat(4 * COMPRESS_THRESHOLD_BYTES)}</p>`);
    });
    app.get('/export/edges.csv', (_req, res) => {
      res.type('csv').send('a,b\n'.repeat(COMPRESS_THRESHOLD_BYTES));
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  /** One request with exactly the headers given (fetch would add its own Accept-Encoding). */
  function request(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('sends a small answer as it is, without Vary, even to a client that accepts gzip', async () => {
    const res = await request('POST', '/graphql', { 'accept-encoding': 'gzip, br' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ data: { deal: { id: 'deal-1' } } });
  });

  it('compresses a large GraphQL answer for a client that accepts it, and not for one that does not', async () => {
    const gz = await request('POST', '/graphql?size=large', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(JSON.parse(zlib.gunzipSync(gz.body).toString('utf8'))).toEqual(large);
    const plain = await request('POST', '/graphql?size=large', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString('utf8'))).toEqual(large);
  });

  it('keeps Vary on pages for a client without Accept-Encoding (caches store pages)', async () => {
    const page = await request('GET', '/page', {});
    expect([page.headers['content-encoding'], page.headers.vary]).toEqual([undefined, 'Accept-Encoding']);
    const br = await request('GET', '/page', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.body).toString('utf8')).toMatch(/^<p>x+<\/p>$/);
  });

  it('compresses an export only when asked with compress=true', async () => {
    const plain = await request('GET', '/export/edges.csv', { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const asked = await request('GET', '/export/edges.csv?compress=true', { 'accept-encoding': 'gzip' });
    expect(asked.headers['content-encoding']).toBe('gzip');
  });
});
