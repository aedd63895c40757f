// The numbers behind the Tables tab, without the DOM: rows × years out of transferTotals' `then: YEAR`
// rows, shares as percentages, and the CSV of exactly the table shown.
import type { TotalRow, YearRow } from './api';

export interface PivotTable {
  years: number[];
  /** Group key → year → TIV. */
  cells: Map<string, Map<number, number>>;
  /** One point per group and year, for trend lines. */
  series: Array<{ label: string; year: number; tiv: number }>;
}

/** Rows × years for the given groups (the table's rows), in their order; years ascending. */
export function pivotByYear(rows: readonly YearRow[], keys: readonly string[]): PivotTable {
  const wanted = new Set(keys);
  const cells = new Map<string, Map<number, number>>();
  const labels = new Map<string, string>();
  const years = new Set<number>();
  for (const r of rows) {
    const year = r.then?.year;
    if (!wanted.has(r.key) || year === null || year === undefined) continue;
    years.add(year);
    labels.set(r.key, r.label);
    let byYear = cells.get(r.key);
    if (!byYear) cells.set(r.key, (byYear = new Map()));
    byYear.set(year, (byYear.get(year) ?? 0) + r.tivDelivered);
  }
  const sorted = [...years].sort((a, b) => a - b);
  // A year without deliveries is a 0 on the line, not a gap.
  const series = keys
    .filter((k) => labels.has(k))
    .flatMap((k) =>
      sorted.map((year) => ({ label: labels.get(k) ?? k, year, tiv: cells.get(k)?.get(year) ?? 0 })),
    );
  return { years: sorted, cells, series };
}

/** A share of the filtered total (0 to 1) as a percentage with one decimal. */
export function shareText(share: number | null): string {
  return share === null ? '' : `${(share * 100).toFixed(1)}%`;
}

const cell = (v: string | number): string => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The table as CSV (RFC 4180): the group, its years when shown, TIV, share (0 to 1), deals. */
export function csvTable(groupLabel: string, rows: readonly TotalRow[], pivot?: PivotTable): string {
  const years = pivot?.years ?? [];
  const lines = [
    [groupLabel, 'key', ...years.map(String), 'tiv_delivered', 'share', 'deals'].map(cell).join(','),
  ];
  for (const r of rows) {
    const byYear = pivot?.cells.get(r.key);
    lines.push(
      [r.label, r.key, ...years.map((y) => byYear?.get(y) ?? ''), r.tivDelivered, r.share ?? '', r.deals]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
