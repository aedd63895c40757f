import { int, type Integer } from '../../db/integers';
import { NO_YEAR } from '../../db/deal-slots';
import { LEVELS, type RollupLevel } from '../../db/tiv-rollups';
import { SIPRI_STATUS } from '../../model';

/**
 * What the transactional path derives from the graph once a release's rows are in (src/db/
 * sipri-writes.ts TOTALS_CYPHER and STATUS_CYPHER, src/db/deal-slots.ts, src/db/tiv-rollups.ts),
 * computed here for a bulk load (bulk-files.ts) while the importer's files are written, from the rows
 * of each deal: the same values, so that a first load by either path is the same graph
 * (tests/integration/bulk-load.int.test.ts compares them property for property). Each function says
 * which statement it stands for; a change to one must be made to both.
 *
 * Only for a first load into an empty graph: every deal, delivery and relationship is live, every deal
 * is won by the one release, and no curated deal takes part.
 */

/** A delivery as the batch builder gives it (sipri-batch.ts): Integer years and quantities. */
export interface DeliveryProps {
  year: Integer;
  quantity: Integer | null;
  quantityEstimated: boolean | null;
  tiv: number | null;
}

/**
 * Cypher's `round(x, places)`: `BigDecimal.valueOf(x).setScale(places, HALF_UP).doubleValue()`, which
 * rounds the shortest decimal that reads back as `x` (what toExponential() gives), half away from zero.
 */
export function cypherRound(x: number, places: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const [mantissa, exponent] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  // The value is 0.<digits> × 10^point.
  const point = Number(exponent) + 1;
  const keep = point + places;
  if (keep >= digits.length) return x;
  if (keep < 0) return 0;
  let n = BigInt(digits.slice(0, keep) || '0');
  if (digits.charCodeAt(keep) >= 53 /* '5' */) n += 1n;
  const v = Number(`${n.toString()}e-${places}`);
  return x < 0 && v !== 0 ? -v : v;
}

/** Cypher's `any(v IN xs WHERE v)`: true if one is, else null if one is null, else false. */
function anyOf(values: readonly (boolean | null)[]): boolean | null {
  if (values.some((v) => v === true)) return true;
  return values.some((v) => v === null) ? null : false;
}

/** TOTALS_CYPHER for a deal of the release: its totals from its deliveries (or its last row's totals). */
export function dealTotals(
  stated: { delivered?: Integer; tivTotal?: number },
  deliveries: readonly DeliveryProps[],
): {
  delivered: Integer | null;
  tivTotal: number | null;
  deliveredEstimated: boolean | null;
  deliveryStartYear: Integer | null;
  deliveryEndYear: Integer | null;
} {
  const xs = [...deliveries].sort((a, b) => a.year.toNumber() - b.year.toNumber());
  const qs = xs.flatMap((x) => (x.quantity === null ? [] : [x.quantity.toNumber()]));
  const ts = xs.flatMap((x) => (x.tiv === null ? [] : [x.tiv]));
  const tivTotal = stated.tivTotal ?? (ts.length > 0 ? ts.reduce((a, v) => a + v, 0) : null);
  return {
    delivered: stated.delivered ?? (qs.length > 0 ? int(qs.reduce((a, v) => a + v, 0)) : null),
    tivTotal: tivTotal === null ? null : cypherRound(tivTotal, 6),
    deliveredEstimated: anyOf(xs.map((x) => x.quantityEstimated)),
    deliveryStartYear: xs[0]?.year ?? null,
    deliveryEndYear: xs.at(-1)?.year ?? null,
  };
}

/** STATUS_CYPHER: a deal's status from its totals and the last year the release covers. */
export function dealStatus(
  quantity: Integer | null,
  delivered: Integer | null,
  deliveryEndYear: Integer | null,
  lastYear: number,
): string {
  if (quantity !== null) {
    // A comparison with null is null, which no branch takes.
    if (delivered !== null && delivered.toNumber() >= quantity.toNumber()) return 'COMPLETED';
    if (delivered !== null && delivered.toNumber() > 0) return 'DELIVERING';
    return 'PENDING';
  }
  if (deliveryEndYear === null) return 'PENDING';
  return deliveryEndYear.toNumber() >= lastYear ? 'DELIVERING' : 'COMPLETED';
}

/** A deal slot node's properties (deal-slots.ts). */
export type SlotProps = {
  id: string;
  role: string;
  partyId: string;
  sortYear: Integer;
  dealId: string;
};

/**
 * DEAL_SLOTS_CYPHER for a new deal: a slot per party relationship, and a COVERS slot per family of the
 * system it covers (`families`: the VARIANT_OF targets of each system).
 */
export function dealSlots(
  dealId: string,
  orderYear: Integer | null,
  parties: readonly { type: string; id: string }[],
  families: ReadonlyMap<string, readonly string[]>,
): SlotProps[] {
  const sortYear = orderYear ?? int(NO_YEAR)!;
  const want = parties.flatMap((p) => [
    [p.type, p.id] as const,
    ...(p.type === 'COVERS' ? (families.get(p.id) ?? []).map((f) => ['COVERS', f] as const) : []),
  ]);
  const slots = new Map<string, SlotProps>();
  for (const [role, partyId] of want) {
    const id = `${role}:${dealId}:${partyId}`;
    if (!slots.has(id)) slots.set(id, { id, role, partyId, sortYear, dealId });
  }
  return [...slots.values()];
}

/** A deal's TIV contribution (tiv-rollups.ts CONTRIBUTIONS_CYPHER), its null key fields left out. */
export type Contribution = {
  dealId: string;
  supplierId?: string;
  recipientId?: string;
  systemId?: string;
  category?: string;
  condition?: string;
  localProduction?: boolean;
  years: Integer[];
  tivs: Integer[];
};

const CONDITIONS = new Map(Object.entries(SIPRI_STATUS).map(([k, v]) => [v, k]));

/** A delivery's TIV in thousandths (MILLI_TIV): Java's Math.round, as JavaScript's, half up. */
const milli = (tiv: number | null) => Math.trunc(Math.round((tiv ?? 0) * 1000));

/** CONTRIBUTIONS_CYPHER for a live deal: none without deliveries. */
export function contributionOf(
  deal: {
    id: string;
    supplierId: string | null;
    recipientId: string | null;
    systemId: string | null;
    category: string | null;
    sipriStatus: string | null;
    localProduction: boolean | null;
  },
  deliveries: readonly DeliveryProps[],
): Contribution | undefined {
  if (deliveries.length === 0) return undefined;
  const xs = [...deliveries].sort((a, b) => a.year.toNumber() - b.year.toNumber());
  const c: Contribution = {
    dealId: deal.id,
    years: xs.map((x) => x.year),
    tivs: xs.map((x) => int(milli(x.tiv))!),
  };
  const condition = deal.sipriStatus === null ? undefined : CONDITIONS.get(deal.sipriStatus);
  const key = {
    supplierId: deal.supplierId,
    recipientId: deal.recipientId,
    systemId: deal.systemId,
    category: deal.category,
    condition,
    localProduction: deal.localProduction,
  };
  for (const [k, v] of Object.entries(key)) if (v !== null && v !== undefined) Object.assign(c, { [k]: v });
  return c;
}

/** A TIV rollup row's properties (tiv-rollups.ts TIV_ROLLUP_CYPHER), its null key fields left out. */
export type RollupProps = {
  id: string;
  level: string;
  supplierId?: string;
  recipientId?: string;
  year: Integer;
  tiv: Integer;
  n: Integer;
  gaps: Integer[];
};

export const ROLLUP_LEVELS: readonly RollupLevel[] = (Object.keys(LEVELS) as (keyof typeof LEVELS)[]).filter(
  (l): l is RollupLevel => l !== 'contributions',
);

/**
 * The rollup rows of `levels` summed from contributions as they come: one entry per level, key and
 * year, so memory is bounded by the distinct keys and years, not by the deals.
 */
export class RollupSums {
  private readonly rows = new Map<
    string,
    {
      level: string;
      supplierId: string | null;
      recipientId: string | null;
      year: number;
      tiv: number;
      n: number;
      gaps: number[];
    }
  >();

  constructor(private readonly levels: readonly RollupLevel[] = ROLLUP_LEVELS) {}

  add(c: Contribution): void {
    this.addDeliveries(
      c,
      c.years.map((y) => y.toNumber()),
      c.tivs.map((t) => t.toNumber()),
    );
  }

  /** A contribution's parties, and its deliveries' years (ascending) and TIVs in thousandths. */
  addDeliveries(
    c: { supplierId?: string; recipientId?: string },
    years: readonly number[],
    tivs: readonly number[],
  ): void {
    for (const level of this.levels) {
      const fields: readonly string[] = LEVELS[level];
      const supplierId = fields.includes('supplierId') ? (c.supplierId ?? null) : null;
      const recipientId = fields.includes('recipientId') ? (c.recipientId ?? null) : null;
      for (let i = 0; i < years.length; i++) {
        const year = years[i]!;
        const id = `${level}|${supplierId ?? ''}|${recipientId ?? ''}|${year}`;
        let row = this.rows.get(id);
        if (!row) {
          row = { level, supplierId, recipientId, year, tiv: 0, n: 0, gaps: [] };
          this.rows.set(id, row);
        }
        row.tiv += tivs[i]!;
        row.n += 1;
        const gap = i === 0 ? 0 : year - years[i - 1]!;
        if (gap > 0) {
          while (row.gaps.length < gap) row.gaps.push(0);
          row.gaps[gap - 1]! += 1;
        }
      }
    }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Every row, as the node the rollup statement writes. */
  *nodes(): Iterable<RollupProps> {
    for (const [id, r] of this.rows) {
      const props: RollupProps = {
        id,
        level: r.level,
        year: int(r.year)!,
        tiv: int(r.tiv)!,
        n: int(r.n)!,
        gaps: r.gaps.map((g) => int(g)!),
      };
      if (r.supplierId !== null) props.supplierId = r.supplierId;
      if (r.recipientId !== null) props.recipientId = r.recipientId;
      yield props;
    }
  }
}
