// Links to the service's streamed exports (/export/...) of the neighbourhood of the focused entity,
// in every format the export registry offers for a neighbourhood: the page keeps no list of its own.
import { EXPORT_FORMATS } from '../../src/export/registry';
import type { PanelLink } from './side-panel';

export function exportLinks(id: string, depth: number): PanelLink[] {
  return EXPORT_FORMATS.filter((f) => f.neighbourhood).map(({ name, label }) => {
    const q = new URLSearchParams({ around: id, depth: String(depth) });
    return { label, href: `/export/${name}?${q.toString()}`, download: true };
  });
}
