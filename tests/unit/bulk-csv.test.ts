import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { ARRAY_DELIMITER, BulkFile, FileAppender, fileLines } from '../../src/import/bulk-csv';

/** The files Neo4j's offline importer reads (src/import/bulk-csv.ts): typed columns, every row whole. */
describe('bulk importer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-bulk-csv-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const deals = () =>
    new BulkFile(dir, 'deals', {
      kind: 'nodes',
      labels: ['Deal', 'Entity'],
      idSpace: 'Deal',
      columns: { name: 'string', aliases: 'string[]', orderYear: 'long', tiv: 'double', local: 'boolean' },
    });

  it('writes typed columns, every row with all of them, quoting text and lists', () => {
    const f = deals();
    f.add(['sipri-1'], {
      name: 'A "quoted", multi\nline name',
      aliases: ['x;y', 'z'],
      orderYear: neo4j.int(2019),
      tiv: 0.1,
      local: false,
    });
    f.add(['sipri-2'], { name: '', aliases: [], orderYear: null, tiv: undefined });
    expect(f.close()).toBe(`--nodes=Deal:Entity=${f.header},${f.body}`);
    expect(fs.readFileSync(f.header, 'utf8')).toBe(
      'id:ID(Deal),name:string,aliases:string[],orderYear:long,tiv:double,local:boolean\n',
    );
    expect(fs.readFileSync(f.body, 'utf8')).toBe(
      `"sipri-1","A ""quoted"", multi\nline name","x;y${ARRAY_DELIMITER}z",2019,0.1,false\n` +
        `"sipri-2","","",,,\n`,
    );
  });

  it('writes longs exactly, inside and beyond the range of a JavaScript number', () => {
    const f = new BulkFile(dir, 'wide', {
      kind: 'nodes',
      labels: ['Wide'],
      idSpace: 'Wide',
      columns: { n: 'long', ns: 'long[]' },
    });
    const big = neo4j.int('9007199254740993'); // 2^53 + 1: no JavaScript number
    f.add(['a'], { n: big, ns: [neo4j.int(-7), neo4j.int(0), big, neo4j.int('-9223372036854775808')] });
    f.add(['b'], { n: neo4j.int(-2019), ns: [] });
    f.close();
    expect(fs.readFileSync(f.body, 'utf8')).toBe(
      `"a",9007199254740993,"-7${ARRAY_DELIMITER}0${ARRAY_DELIMITER}9007199254740993${ARRAY_DELIMITER}-9223372036854775808"\n` +
        `"b",-2019,""\n`,
    );
  });

  it('refuses a property without a column, or of another type than its column', () => {
    const f = deals();
    expect(() => f.add(['d'], { status: 'PENDING' })).toThrow(/no column for property status/);
    // A JavaScript number is a float in Neo4j: a long column takes Neo4j integers only.
    expect(() => f.add(['d'], { orderYear: 2019 })).toThrow(/orderYear \(long\) cannot hold 2019/);
    expect(() => f.add(['d'], { tiv: neo4j.int(1) })).toThrow(/tiv \(double\)/);
    expect(() => f.add(['d'], { aliases: [`a${ARRAY_DELIMITER}b`] })).toThrow(/aliases/);
    expect(() => f.add(['d'], { aliases: ['a', 1] })).toThrow(/aliases/);
    f.close();
  });

  it('names relationship ends by their id spaces', () => {
    const f = new BulkFile(dir, 'buyers', {
      kind: 'relationships',
      type: 'BUYER',
      from: 'Deal',
      to: 'Country',
      columns: { key: 'string' },
    });
    f.add(['sipri-1', 'TUR'], { key: 'BUYER:sipri-1:TUR:' });
    expect(f.close()).toBe(`--relationships=BUYER=${f.header},${f.body}`);
    expect(fs.readFileSync(f.header, 'utf8')).toBe(':START_ID(Deal),:END_ID(Country),key:string\n');
    expect(fs.readFileSync(f.body, 'utf8')).toBe('"sipri-1","TUR","BUYER:sipri-1:TUR:"\n');
  });

  it('appends through a fixed buffer: text longer than it, and characters of several bytes, whole', () => {
    const file = path.join(dir, 'appended.txt');
    const out = new FileAppender(file, 16);
    const parts = ['ab', 'é€😀', 'x'.repeat(40), 'Ü', '\n', 'z'.repeat(5)];
    for (const p of parts) out.write(p);
    out.close();
    expect(fs.readFileSync(file, 'utf8')).toBe(parts.join(''));
  });

  it('reads lines through a buffer smaller than the file and than some lines', () => {
    const file = path.join(dir, 'lines.txt');
    const lines = ['{"a":1}', 'é€😀'.repeat(7), 'x'.repeat(50), '', 'last'];
    fs.writeFileSync(file, lines.join('\n'));
    // An empty line is no row: the spill files never hold one.
    expect([...fileLines(file, 8)]).toEqual(lines.filter((l) => l !== ''));
    fs.writeFileSync(file, 'one\ntwo\n');
    expect([...fileLines(file, 4)]).toEqual(['one', 'two']);
  });
});
