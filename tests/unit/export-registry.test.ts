import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import neo4j from 'neo4j-driver';
import { buildCli } from '../../src/cli';
import { CLI_FORMATS } from '../../src/cli/export-command';
import { Database } from '../../src/db/database';
import { ArmsgraphError } from '../../src/errors';
import { EXPORT_FORMAT_NAMES, EXPORT_FORMATS } from '../../src/export/registry';
import { exportRouter } from '../../src/http/export-route';
import { silentLogger } from '../../src/logger';
import { exportLinks } from '../../web/explorer/export-links';

/** The formats every surface offers come from the registry, and only from it. */
describe('export format registry', () => {
  it('names each format once, with a media type, a file ending and a label', () => {
    expect(new Set(EXPORT_FORMAT_NAMES).size).toBe(EXPORT_FORMATS.length);
    for (const f of EXPORT_FORMATS) {
      expect([f.name, f.mediaType]).toEqual([
        f.name,
        expect.stringMatching(/^[a-z]+\/[a-z+.-]+; charset=utf-8/),
      ]);
      expect([f.name, f.extension.length > 0, f.label.length > 0]).toEqual([f.name, true, true]);
    }
  });

  it('the explorer links a neighbourhood in exactly the registry formats that write one', () => {
    const linked = exportLinks('TUR', 2).map((l) => /^\/export\/([^?]+)\?/.exec(l.href)?.[1]);
    expect(linked).toEqual(EXPORT_FORMATS.filter((f) => f.neighbourhood).map((f) => f.name));
    // Only the deal list (no neighbourhood of deals alone) is left out.
    expect(EXPORT_FORMATS.filter((f) => !f.neighbourhood).map((f) => f.items)).toEqual(['deals']);
    expect(exportLinks('TUR', 2).map((l) => l.label)).toEqual(
      EXPORT_FORMATS.filter((f) => f.neighbourhood).map((f) => f.label),
    );
  });

  it('`armsgraph export --help` offers exactly the registry formats, and csv for the bundle', () => {
    const exportCommand = buildCli().commands.find((c) => c.name() === 'export');
    const format = exportCommand?.options.find((o) => o.long === '--format');
    expect(format?.argChoices).toEqual([...EXPORT_FORMAT_NAMES, 'csv']);
    expect(CLI_FORMATS).toEqual([...EXPORT_FORMAT_NAMES, 'csv']);
    // Commander wraps the help text: compare it with its line breaks and indents folded.
    const help = (exportCommand?.helpInformation() ?? '').replace(/\s+/g, ' ');
    expect(help).toContain(`(choices: ${CLI_FORMATS.map((name) => `"${name}"`).join(', ')})`);
    const bundle = EXPORT_FORMATS.filter((f) => f.csvBundle).map((f) => f.name);
    expect(help).toContain(`csv with --out DIR writes ${bundle.join(', ')}`);
  });

  it('GET /export/:format takes exactly the registry formats', async () => {
    // A database that is never reached: the format and the parameters are checked before any read.
    const driver = neo4j.driver('bolt://127.0.0.1:9', neo4j.auth.basic('neo4j', 'x'));
    const db = new Database(driver, {
      database: undefined,
      logger: silentLogger(),
      debugCypher: false,
      timeoutMs: 1000,
    });
    const app = express();
    app.use('/export', exportRouter(db, silentLogger()));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const e = err as ArmsgraphError;
      res.status(e.httpStatus).json({ message: e.message, extensions: e.extensions });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export`;
    try {
      const unknown = await fetch(`${url}/dot`);
      const body = (await unknown.json()) as { extensions: { code: string; known: string[] } };
      expect([unknown.status, body.extensions.code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(body.extensions.known).toEqual([...EXPORT_FORMAT_NAMES]);
      for (const name of EXPORT_FORMAT_NAMES) {
        // A known format gets as far as the parameters: the refusal is about `bogus`, not the format.
        const res = await fetch(`${url}/${encodeURIComponent(name)}?bogus=1`);
        const refusal = (await res.json()) as { message: string };
        expect([name, res.status, refusal.message]).toEqual([name, 400, expect.stringContaining('bogus')]);
      }
    } finally {
      server.close();
      await driver.close();
    }
  });

  it("the README's format table and CLI options list exactly the registry formats", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Streamed exports'),
      readme.indexOf('### CLI', readme.indexOf('### Streamed exports')),
    );
    const rows = section
      .split('\n')
      .filter((line) => /^\| `[^`]+` +\|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((r) => r[1])).toEqual(EXPORT_FORMAT_NAMES.map((n) => `\`${n}\``));
    for (const f of EXPORT_FORMATS) {
      const row = rows.find((r) => r[1] === `\`${f.name}\``) ?? [];
      expect([f.name, row[2], row[3]]).toEqual([
        f.name,
        `\`armsgraph-<selection>.${f.extension}\``,
        `\`${f.mediaType.split(';')[0] ?? ''}\``,
      ]);
    }
    expect(readme).toContain(`Options: \`--format <${CLI_FORMATS.join('|')}>\``);
  });
});
