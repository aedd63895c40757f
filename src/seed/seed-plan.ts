import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { relationKey, type EntityLabel, type RelationType } from '../model';
import { nameFields } from '../db/names';
import { SeedFile } from './seed-schema';

/** A broken seed: which file, which entry, and why. Nothing is written when one is found. */
export class SeedError extends Error {
  override name = 'SeedError';
  constructor(
    readonly file: string,
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`${file}: ${entry}: ${reason}`);
  }
}

type Props = Record<string, string | number | boolean | string[] | null>;

export interface NodeWrite {
  label: EntityLabel | 'Claim';
  id: string;
  props: Props;
}

export interface RelWrite {
  type: RelationType;
  from: string;
  to: string;
  /** Stable identity of the relationship among parallel ones (MERGE key). */
  key: string;
  props: Props;
}

export interface SeedPlan {
  nodes: NodeWrite[];
  relations: RelWrite[];
  files: string[];
}

/** Where a reference came from, to report it precisely. */
interface Ref {
  id: string;
  file: string;
  entry: string;
  field: string;
  kinds?: EntityLabel[];
}

function drop<T extends object>(obj: T, ...keys: string[]): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(obj)) {
    if (keys.includes(k) || v === undefined) continue;
    out[k] = v as Props[string];
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): { entry: string; reason: string } {
  const [list, index] = issue.path;
  let entry = issue.path.join('.') || '(file)';
  if (typeof list === 'string' && typeof index === 'number') {
    const item = (data as Record<string, unknown[]>)[list]?.[index] as Record<string, unknown> | undefined;
    const named = item?.id ?? item?.country ?? item?.person ?? item?.by;
    entry = `${list}[${index}]${named ? ` (${String(named)})` : ''}`;
    const rest = issue.path.slice(2).join('.');
    if (rest) entry += ` field ${rest}`;
  }
  return { entry, reason: issue.message };
}

/** Reads and validates every seed file, checks every reference, and returns what to write. */
export function loadSeedPlan(dir: string): SeedPlan {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const nodes: NodeWrite[] = [];
  const relations: RelWrite[] = [];
  const refs: Ref[] = [];
  const kindOf = new Map<string, { label: EntityLabel; file: string }>();

  const addEntity = (
    label: EntityLabel,
    file: string,
    entry: { id: string; name: string; aliases?: string[] },
    props: Props,
  ) => {
    const seen = kindOf.get(entry.id);
    if (seen)
      throw new SeedError(file, `${label} ${entry.id}`, `id already used by a ${seen.label} in ${seen.file}`);
    kindOf.set(entry.id, { label, file });
    nodes.push({
      label,
      id: entry.id,
      props: { ...props, id: entry.id, ...nameFields(entry.id, entry.name, entry.aliases ?? []) },
    });
  };
  const rel = (type: RelationType, from: string, to: string, props: Props) =>
    relations.push({ type, from, to, key: relationKey(type, from, to, props), props });
  const ref = (file: string, entry: string, field: string, id: string, kinds?: EntityLabel[]) =>
    refs.push({ id, file, entry, field, ...(kinds ? { kinds } : {}) });

  for (const file of files) {
    let data: unknown;
    try {
      data = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      throw new SeedError(file, '(file)', `not valid YAML: ${(err as Error).message}`);
    }
    const parsed = SeedFile.safeParse(data ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const { entry, reason } = first ? describeIssue(first, data) : { entry: '(file)', reason: 'invalid' };
      throw new SeedError(file, entry, reason);
    }
    const seed = parsed.data;
    const cite = (entry: string, ids: string[]) =>
      ids.forEach((s) => ref(file, entry, 'sources', s, ['Source']));

    for (const s of seed.sources ?? [])
      addEntity('Source', file, s, { ...drop(s, 'id', 'name', 'aliases'), sourceIds: [] });
    for (const c of seed.countries ?? []) {
      addEntity('Country', file, c, {
        ...drop(c, 'id', 'name', 'aliases', 'sources'),
        kind: 'state',
        sourceIds: c.sources,
      });
      cite(`country ${c.id}`, c.sources);
    }
    for (const o of seed.organizations ?? []) {
      addEntity('Organization', file, o, {
        ...drop(o, 'id', 'name', 'aliases', 'sources', 'country'),
        countryId: o.country ?? null,
        sourceIds: o.sources,
      });
      cite(`organization ${o.id}`, o.sources);
      if (o.country) {
        ref(file, `organization ${o.id}`, 'country', o.country, ['Country']);
        rel('BASED_IN', o.id, o.country, { sourceIds: o.sources });
      }
    }
    for (const a of seed.alliances ?? []) {
      addEntity('Alliance', file, a, {
        ...drop(a, 'id', 'name', 'aliases', 'sources'),
        kind: 'military',
        sourceIds: a.sources,
      });
      cite(`alliance ${a.id}`, a.sources);
    }
    for (const w of seed.weaponSystems ?? []) {
      addEntity('WeaponSystem', file, w, {
        ...drop(w, 'id', 'name', 'aliases', 'sources', 'origin', 'makers'),
        sourceIds: w.sources,
      });
      cite(`weapon system ${w.id}`, w.sources);
      if (w.origin) {
        ref(file, `weapon system ${w.id}`, 'origin', w.origin, ['Country']);
        rel('ORIGIN', w.id, w.origin, { sourceIds: w.sources });
      }
      for (const m of w.makers) {
        ref(file, `weapon system ${w.id}`, 'makers', m, ['Organization']);
        rel('MADE_BY', w.id, m, { sourceIds: w.sources });
      }
    }
    for (const p of seed.programs ?? []) {
      addEntity('Program', file, p, {
        ...drop(p, 'id', 'name', 'aliases', 'sources', 'leader', 'develops'),
        sourceIds: p.sources,
      });
      cite(`program ${p.id}`, p.sources);
      if (p.leader) {
        ref(file, `program ${p.id}`, 'leader', p.leader, ['Country']);
        rel('LED_BY', p.id, p.leader, { sourceIds: p.sources });
      }
      for (const w of p.develops) {
        ref(file, `program ${p.id}`, 'develops', w, ['WeaponSystem']);
        rel('DEVELOPS', p.id, w, { sourceIds: p.sources });
      }
    }
    for (const p of seed.people ?? []) {
      addEntity('Person', file, p, { ...drop(p, 'id', 'name', 'aliases', 'sources'), sourceIds: p.sources });
      cite(`person ${p.id}`, p.sources);
    }
    for (const d of seed.deals ?? []) {
      const entry = `deal ${d.id}`;
      const props = drop(
        d,
        'id',
        'name',
        'aliases',
        'sources',
        'buyer',
        'seller',
        'system',
        'value',
        'claims',
        'announcedBy',
      );
      addEntity('Deal', file, d, {
        ...props,
        valueAmount: d.value?.amount ?? null,
        valueCurrency: d.value?.currency ?? null,
        sourceIds: d.sources,
      });
      cite(entry, d.sources);
      ref(file, entry, 'buyer', d.buyer, ['Country', 'Organization']);
      ref(file, entry, 'seller', d.seller, ['Country', 'Organization']);
      ref(file, entry, 'system', d.system, ['WeaponSystem']);
      rel('BUYER', d.id, d.buyer, { sourceIds: d.sources });
      rel('SELLER', d.id, d.seller, { sourceIds: d.sources });
      rel('COVERS', d.id, d.system, { sourceIds: d.sources });
      for (const c of d.claims) {
        cite(`${entry} claim ${c.field}`, c.sources);
        for (const sourceId of c.sources) {
          const claimId = `${d.id}:${c.field}:${sourceId}`;
          nodes.push({
            label: 'Claim',
            id: claimId,
            props: { id: claimId, field: c.field, value: JSON.stringify(c.value), sourceIds: [sourceId] },
          });
          rel('HAS_CLAIM', d.id, claimId, { sourceIds: [sourceId] });
        }
      }
      for (const a of d.announcedBy) {
        ref(file, `${entry} announcedBy`, 'person', a.person, ['Person']);
        cite(`${entry} announcedBy`, a.sources);
        rel('ANNOUNCED', a.person, d.id, {
          ...drop(a, 'person', 'sources'),
          sourceIds: a.sources,
        });
      }
    }

    // Relations: each with its own endpoints checked and its key chosen so parallel facts stay apart.
    const each = <T extends { sources: string[] }>(
      list: T[] | undefined,
      name: string,
      fn: (r: T, entry: string) => void,
    ) => (list ?? []).forEach((r, i) => (cite(`${name}[${i}]`, r.sources), fn(r, `${name}[${i}]`)));
    each(seed.memberships, 'memberships', (m, e) => {
      ref(file, e, 'country', m.country, ['Country']);
      ref(file, e, 'alliance', m.alliance, ['Alliance']);
      rel('MEMBER_OF', m.country, m.alliance, {
        since: m.since ?? null,
        until: m.until ?? null,
        sourceIds: m.sources,
      });
    });
    each(seed.participations, 'participations', (p, e) => {
      ref(file, e, 'participant', p.participant, ['Country', 'Organization']);
      ref(file, e, 'program', p.program, ['Program']);
      rel('PARTICIPATES_IN', p.participant, p.program, {
        ...drop(p, 'participant', 'program', 'sources'),
        sourceIds: p.sources,
      });
    });
    each(seed.exclusions, 'exclusions', (x, e) => {
      ref(file, e, 'country', x.country, ['Country']);
      ref(file, e, 'program', x.program, ['Program']);
      if (x.cause) ref(file, e, 'cause', x.cause, ['Deal']);
      rel('EXCLUDED_FROM', x.country, x.program, {
        date: x.date ?? null,
        causeDealId: x.cause ?? null,
        sourceIds: x.sources,
      });
    });
    each(seed.objections, 'objections', (o, e) => {
      ref(file, e, 'by', o.by, ['Country', 'Alliance', 'Organization']);
      ref(file, e, 'deal', o.deal, ['Deal']);
      rel('OBJECTED_TO', o.by, o.deal, { reason: o.reason ?? null, sourceIds: o.sources });
    });
    each(seed.sanctions, 'sanctions', (s, e) => {
      ref(file, e, 'by', s.by, ['Country', 'Organization', 'Alliance']);
      ref(file, e, 'target', s.target, ['Country', 'Organization']);
      if (s.cause) ref(file, e, 'cause', s.cause, ['Deal']);
      rel('SANCTIONS', s.by, s.target, {
        ...drop(s, 'by', 'target', 'cause', 'sources'),
        causeDealId: s.cause ?? null,
        sourceIds: s.sources,
      });
    });
    each(seed.interests, 'interests', (i, e) => {
      ref(file, e, 'country', i.country, ['Country']);
      ref(file, e, 'system', i.system, ['WeaponSystem']);
      rel('INTERESTED_IN', i.country, i.system, {
        ...drop(i, 'country', 'system', 'sources'),
        sourceIds: i.sources,
      });
    });
    each(seed.offices, 'offices', (o, e) => {
      ref(file, e, 'person', o.person, ['Person']);
      ref(file, e, 'of', o.of, ['Country', 'Organization']);
      rel('HOLDS_OFFICE', o.person, o.of, {
        ...drop(o, 'person', 'of', 'sources'),
        sourceIds: o.sources,
      });
    });
  }

  for (const r of refs) {
    const target = kindOf.get(r.id);
    if (!target)
      throw new SeedError(r.file, r.entry, `${r.field} names "${r.id}", which no seed file defines`);
    if (r.kinds && !r.kinds.includes(target.label)) {
      throw new SeedError(
        r.file,
        r.entry,
        `${r.field} names "${r.id}", a ${target.label}, but must be a ${r.kinds.join(' or ')}`,
      );
    }
  }
  return { nodes, relations, files };
}
