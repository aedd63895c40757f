import neo4j from 'neo4j-driver';
import { cypherRound, dealStatus, dealTotals, RollupSums } from '../../src/import/sipri/bulk-derived';

/**
 * The derived data a bulk load computes (src/import/sipri/bulk-derived.ts) where Cypher's own rules
 * are easy to get wrong; that it equals the transactional path's is tests/integration/bulk-load's.
 */
describe('bulk load derived data', () => {
  const i = (n: number) => neo4j.int(n);

  it("rounds as Cypher's round(x, 6): the shortest decimal of x, half away from zero", () => {
    expect(cypherRound(0.1 + 0.2, 6)).toBe(0.3);
    // 1.0000005 is stored a little below, but its shortest decimal ends in 5: BigDecimal rounds it up.
    expect(cypherRound(1.0000005, 6)).toBe(1.000001);
    expect(cypherRound(2.5e-7, 6)).toBe(0);
    expect(cypherRound(5e-7, 6)).toBe(0.000001);
    expect(cypherRound(-1.0000005, 6)).toBe(-1.000001);
    expect(cypherRound(123.25, 6)).toBe(123.25);
  });

  it('sums deliveries in year order, and reads null quantities and flags as Cypher does', () => {
    const t = dealTotals({}, [
      { year: i(2003), quantity: null, quantityEstimated: null, tiv: 0.2 },
      { year: i(2001), quantity: i(2), quantityEstimated: false, tiv: 0.1 },
    ]);
    expect(t.delivered?.toNumber()).toBe(2);
    expect(t.tivTotal).toBe(0.3);
    // No flag is true and one is null: any() is null.
    expect(t.deliveredEstimated).toBeNull();
    expect([t.deliveryStartYear?.toNumber(), t.deliveryEndYear?.toNumber()]).toEqual([2001, 2003]);
    expect(dealTotals({}, []).deliveredEstimated).toBe(false);
  });

  it('gives the statuses of STATUS_CYPHER', () => {
    expect(dealStatus(i(4), i(4), i(2001), 2023)).toBe('COMPLETED');
    expect(dealStatus(i(4), i(1), i(2001), 2023)).toBe('DELIVERING');
    expect(dealStatus(i(4), null, null, 2023)).toBe('PENDING');
    expect(dealStatus(null, null, i(2023), 2023)).toBe('DELIVERING');
    expect(dealStatus(null, null, i(2020), 2023)).toBe('COMPLETED');
  });

  it("sums rollup rows per level, key and year, counting each delivery's gap", () => {
    const sums = new RollupSums();
    const c = { supplierId: 's', recipientId: 'r', tivs: [i(1000), i(2000)] };
    sums.add({ dealId: 'a', years: [i(2000), i(2003)], ...c });
    sums.add({ dealId: 'b', years: [i(2001), i(2003)], ...c });
    const rows = new Map([...sums.nodes()].map((r) => [r.id, r]));
    expect(rows.size).toBe(3 * 3);
    const row = rows.get('SR|s|r|2003')!;
    expect([row.tiv.toNumber(), row.n.toNumber(), row.gaps.map(Number)]).toEqual([4000, 2, [0, 1, 1]]);
    expect(rows.get('S|s||2000')?.gaps).toEqual([]);
    expect(rows.get('R||r|2001')?.supplierId).toBeUndefined();
  });
});
