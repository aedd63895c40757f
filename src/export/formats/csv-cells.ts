import { csvCell } from '../csv';

/** A node's labels as one CSV cell (`A|B`), made once per distinct label list. */
const labelCells = new Map<string, string>();
export function labelsCell(labels: string[]): string {
  const joined = labels.join('|');
  let cell = labelCells.get(joined);
  if (cell === undefined) {
    cell = csvCell(labels);
    if (labelCells.size < 1_000) labelCells.set(joined, cell);
  }
  return cell;
}
