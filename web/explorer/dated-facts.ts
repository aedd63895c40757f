// A country's dated facts for the side panel: its alliance memberships and the sanctions and arms
// embargoes it received, each with its dates, its instrument and the sources that state it.
import type { EntityDetails, SourceRef } from './api';

export interface PanelFact {
  text: string;
  sources: SourceRef[];
}

export interface PanelSection {
  title: string;
  testId: string;
  facts: PanelFact[];
}

const period = (since: string | null, until: string | null) =>
  `${since ?? 'date unknown'} – ${until ?? 'today'}`;

export function datedSections(entity: EntityDetails | null): PanelSection[] {
  if (!entity || entity.__typename !== 'Country') return [];
  const memberships = (entity.memberships ?? []).map((m) => ({
    text:
      `${m.alliance.name}: ${period(m.since, m.until)}` +
      (m.status === 'SUSPENDED' ? ' (suspended)' : '') +
      (m.estimate ? ' (date partly estimated)' : ''),
    sources: m.sources,
  }));
  const sanctions = (entity.sanctionsReceived ?? []).map((s) => ({
    text:
      `${s.kind.replace(/_/g, ' ').toLowerCase()} by ${s.imposedBy.name}` +
      `${s.target.id === entity.id ? '' : ` on ${s.target.name}`}, ${s.status.toLowerCase()}, ` +
      `${period(s.since, s.until)}${s.instrument ? `; ${s.instrument}` : ''}` +
      (s.scope === 'NON_GOVERNMENTAL_FORCES' ? '; non-governmental forces only' : '') +
      (s.items ? `; covers only: ${s.items}` : '') +
      (s.estimate ? ' (partly estimated)' : ''),
    sources: s.sources,
  }));
  return [
    { title: 'Alliance memberships', testId: 'details-memberships', facts: memberships },
    { title: 'Sanctions and arms embargoes', testId: 'details-sanctions', facts: sanctions },
  ];
}
