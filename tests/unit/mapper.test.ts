import fc from 'fast-check';
import neo4j from 'neo4j-driver';
import { toPlain, toPlainRecord } from '../../src/db/mapper';

describe('toPlain', () => {
  it('turns safe Neo4j integers into numbers and unsafe ones into strings', () => {
    expect(toPlain(neo4j.int(2017))).toBe(2017);
    expect(toPlain(neo4j.int('9007199254740993'))).toBe('9007199254740993');
  });

  it('reads every 64-bit integer as its value: a number when safe, else its digits', () => {
    const edges = [0n, -1n, 1n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n), -(2n ** 31n) - 1n, 2n ** 32n];
    const extremes = [
      2n ** 53n - 1n,
      2n ** 53n,
      -(2n ** 53n) + 1n,
      -(2n ** 53n),
      2n ** 63n - 1n,
      -(2n ** 63n),
    ];
    const expected = (b: bigint) => (Number.isSafeInteger(Number(b)) ? Number(b) : b.toString());
    for (const b of [...edges, ...extremes])
      expect([b, toPlain(neo4j.int(b.toString()))]).toEqual([b, expected(b)]);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (b) => {
        expect(toPlain(neo4j.int(b.toString()))).toBe(expected(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('turns temporal values into ISO strings', () => {
    expect(toPlain(new neo4j.types.Date(2019, 7, 12))).toBe('2019-07-12');
  });

  it('converts nested lists and maps', () => {
    expect(
      toPlain({ years: [neo4j.int(2019), neo4j.int(2020)], value: { amount: 2.5e9, currency: 'USD' } }),
    ).toEqual({
      years: [2019, 2020],
      value: { amount: 2.5e9, currency: 'USD' },
    });
  });

  it('maps undefined to null', () => {
    expect(toPlain(undefined)).toBeNull();
  });
});

describe('toPlainRecord', () => {
  /** A record as the driver decodes one: maps and lists holding driver types, at any depth. */
  const decoded = () => ({
    deal: {
      values: ['d1', neo4j.int(2017), null, [neo4j.int(1), 'x']],
      k: neo4j.int(-1),
      when: new neo4j.types.Date(2019, 7, 12),
      gone: undefined,
    },
    rows: [{ k: neo4j.int(2020), big: neo4j.int('9007199254740993') }],
    node: new neo4j.types.Node(neo4j.int(1), ['Deal'], { id: 'd1', year: neo4j.int(2017) }, 'e1'),
  });

  it('answers what toPlain answers', () => {
    expect(toPlainRecord(decoded())).toEqual(toPlain(decoded()));
  });

  it("keeps the driver's maps and lists instead of copying them", () => {
    const record = decoded();
    const { deal, rows } = record;
    const values = deal.values;
    const plain = toPlainRecord(record);
    expect(plain).toBe(record);
    expect(plain.deal).toBe(deal);
    expect((plain.deal as { values: unknown }).values).toBe(values);
    expect(plain.rows).toBe(rows);
    expect(values).toEqual(['d1', 2017, null, [1, 'x']]);
    expect(rows[0]).toEqual({ k: 2020, big: '9007199254740993' });
  });
});
