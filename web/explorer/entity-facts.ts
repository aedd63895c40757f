// Turns the API's answer about one entity (api.ts DETAILS_QUERY) into what the panel shows: its plain
// values as properties, and its facts (deliveries, memberships, exclusions, sanctions, ...) each with
// the sources that state that fact.
import type { EntityFacts, SourceRef } from './api';
import { datedSections } from './dated-facts';
import { deliveryReleases, releaseHistory, type DealHistory } from './release-history';
import type { EntityRef, Fact, FactSection, PanelContent } from './side-panel';

type Ref = { __typename?: string; id: string; name: string } | null | undefined;
type Sourced = { sources?: SourceRef[] };

const ref = (r: Ref): EntityRef | string => (r ? { id: r.id, name: r.name } : 'unknown');
const when = (since: unknown, until: unknown): string =>
  since && until
    ? ` (${String(since)}–${String(until)})`
    : since
      ? ` (since ${String(since)})`
      : until
        ? ` (until ${String(until)})`
        : '';
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const src = (x: Sourced): SourceRef[] => x.sources ?? [];

/** Fields that are references or lists: shown as facts, not as plain properties. */
const NOT_PLAIN = new Set([
  '__typename',
  'sources',
  'value',
  'buyer',
  'seller',
  'system',
  'deliveries',
  'disagreements',
  'objectedBy',
  'announcedBy',
  'causedExclusions',
  'causedSanctions',
  'memberships',
  'programs',
  'exclusions',
  'sanctionsReceived',
  'sanctionsImposed',
  'origin',
  'makers',
  'members',
  'leader',
  'country',
  'offices',
  'notes',
  'sipriRelease',
  'sipriReleases',
  'revisions',
  'retiredReason',
]);

/**
 * `releases`: the SIPRI release Sources by date (api.ts releaseSources), for a deal's release history;
 * an empty map names them by date alone.
 */
export function entityPanel(
  e: EntityFacts,
  releases: ReadonlyMap<string, SourceRef> = new Map(),
): Pick<PanelContent, 'properties' | 'disagreements' | 'facts'> {
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (!NOT_PLAIN.has(k) && v !== null && typeof v !== 'object') properties[k] = v;
    if (k === 'aliases' && Array.isArray(v) && v.length > 0) properties.aliases = v;
  }
  const value = e.value as { amount: number; currency: string } | null | undefined;
  if (value) {
    properties.valueAmount = value.amount.toLocaleString('en');
    properties.valueCurrency = value.currency;
  }
  const facts: FactSection[] = [];
  const section = (title: string, list: Fact[], testid?: string) =>
    facts.push({ title, facts: list, ...(testid ? { testid } : {}) });
  const whole = src(e as Sourced);

  if (e.__typename === 'Deal') {
    const parties: Fact[] = [];
    if (e.seller) parties.push({ parts: ['Supplier: ', ref(e.seller as Ref)], sources: whole });
    if (e.buyer) parties.push({ parts: ['Recipient: ', ref(e.buyer as Ref)], sources: whole });
    if (e.system) parties.push({ parts: ['System: ', ref(e.system as Ref)], sources: whole });
    section('Parties and system', parties);
    section(
      'Deliveries by year',
      arr<
        {
          year: number;
          yearEstimated: boolean;
          quantity: number | null;
          quantityEstimated: boolean;
          tiv: number | null;
          sipriFirstSeen?: string | null;
          sipriLastSeen?: string | null;
        } & Sourced
      >(e.deliveries).map((d) => ({
        parts: [
          `${d.year}${d.yearEstimated ? ' (year estimated)' : ''}: ` +
            `${d.quantity ?? '?'}${d.quantityEstimated ? ' (estimate)' : ''} delivered` +
            (d.tiv !== null ? `, TIV ${d.tiv}` : '') +
            deliveryReleases(d.sipriFirstSeen, d.sipriLastSeen),
        ],
        sources: src(d),
      })),
      'details-deliveries',
    );
    section('Release history (SIPRI)', releaseHistory(e as DealHistory, releases), 'details-revisions');
    section(
      'Notes',
      arr<string>(e.notes).map((n) => ({ parts: [n], sources: whole })),
    );
    section(
      'Objections',
      arr<{ by: Ref; reason: string | null } & Sourced>(e.objectedBy).map((o) => ({
        parts: [ref(o.by), o.reason ? ` objected: ${o.reason}` : ' objected'],
        sources: src(o),
      })),
    );
    section(
      'Announcements',
      arr<{ person: Ref; date: string | null; statement: string | null } & Sourced>(e.announcedBy).map(
        (a) => ({
          parts: [ref(a.person), `${a.date ? ` (${a.date})` : ''}${a.statement ? `: ${a.statement}` : ''}`],
          sources: src(a),
        }),
      ),
    );
    section(
      'Exclusions it caused',
      arr<{ program: Ref; country: Ref; date: string | null } & Sourced>(e.causedExclusions).map((x) => ({
        parts: [ref(x.country), ' excluded from ', ref(x.program), x.date ? ` (${x.date})` : ''],
        sources: src(x),
      })),
    );
    section(
      'Sanctions it drew',
      arr<
        {
          imposedBy: Ref;
          target: Ref;
          status: string;
          since: string | null;
          instrument: string | null;
        } & Sourced
      >(e.causedSanctions).map((s) => ({
        parts: [
          ref(s.imposedBy),
          ` → `,
          ref(s.target),
          `: ${s.status.toLowerCase()}${s.since ? ` since ${s.since}` : ''}${s.instrument ? `, ${s.instrument}` : ''}`,
        ],
        sources: src(s),
      })),
    );
  }

  if (e.__typename === 'Country') {
    // Memberships and sanctions received, with their dates, status and instrument (dated-facts.ts).
    const dated = datedSections(e);
    const datedSection = (testId: string) => {
      for (const d of dated.filter((x) => x.testId === testId)) {
        section(
          d.title,
          d.facts.map((f) => ({ parts: [f.text], sources: f.sources })),
          d.testId,
        );
      }
    };
    datedSection('details-memberships');
    section(
      'Programmes',
      arr<{ program: Ref; role: string | null; since: unknown; until: unknown } & Sourced>(e.programs).map(
        (p) => ({
          parts: [ref(p.program), `${p.role ? `, ${p.role}` : ''}${when(p.since, p.until)}`],
          sources: src(p),
        }),
      ),
    );
    section(
      'Exclusions',
      arr<{ program: Ref; date: string | null; cause: Ref } & Sourced>(e.exclusions).map((x) => ({
        parts: [
          'Excluded from ',
          ref(x.program),
          x.date ? ` (${x.date})` : '',
          ...(x.cause ? [' over ', ref(x.cause)] : []),
        ],
        sources: src(x),
      })),
    );
    const sanction = (
      s: {
        imposedBy?: Ref;
        target?: Ref;
        status: string;
        since: string | null;
        instrument: string | null;
        cause: Ref;
      } & Sourced,
    ): Fact => ({
      parts: [
        'On ',
        ref(s.target),
        `: ${s.status.toLowerCase()}${s.since ? ` since ${s.since}` : ''}${s.instrument ? `, ${s.instrument}` : ''}`,
        ...(s.cause ? [' over ', ref(s.cause)] : []),
      ],
      sources: src(s),
    });
    datedSection('details-sanctions');
    section(
      'Sanctions and embargoes imposed',
      arr<Parameters<typeof sanction>[0]>(e.sanctionsImposed).map(sanction),
    );
  }

  if (e.__typename === 'WeaponSystem') {
    const about: Fact[] = [];
    if (e.origin) about.push({ parts: ['Origin: ', ref(e.origin as Ref)], sources: whole });
    for (const m of arr<Ref>(e.makers)) about.push({ parts: ['Made by ', ref(m)], sources: whole });
    section('Origin and makers', about);
  }
  if (e.__typename === 'Alliance') {
    section(
      'Members',
      arr<{ member: Ref; since: unknown; until: unknown } & Sourced>(e.members).map((m) => ({
        parts: [ref(m.member), when(m.since, m.until)],
        sources: src(m),
      })),
    );
  }
  if (e.__typename === 'Program' && e.leader) {
    section('Leader', [{ parts: [ref(e.leader as Ref)], sources: whole }]);
  }
  if (e.__typename === 'Organization' && e.country) {
    section('Country', [{ parts: [ref(e.country as Ref)], sources: whole }]);
  }
  if (e.__typename === 'Person') {
    section(
      'Offices',
      arr<{ title: string; of: Ref; since: unknown; until: unknown } & Sourced>(e.offices).map((o) => ({
        parts: [`${o.title}, `, ref(o.of), when(o.since, o.until)],
        sources: src(o),
      })),
    );
  }

  const disagreements = arr<{
    field: string;
    shown: string | null;
    claims: Array<{ value: string; sources: SourceRef[] }>;
  }>(e.disagreements);
  return { properties, disagreements, facts };
}
