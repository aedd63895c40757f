import { createHash } from 'node:crypto';
import { canonicalCategory } from '../../db/categories';
import type { Layout, RegisterLine } from './read-register';

/** One row of an export, checked and normalised: a deal's facts and the deliveries the row states. */
export interface SipriRow {
  line: number;
  /** SIPRI AT Database ID; for old exports without one, `x` + a hash of the deal's defining fields. */
  sipriId: string;
  supplier: string;
  recipient: string;
  designation: string;
  description: string | undefined;
  category: string | undefined;
  orderYear: number;
  orderYearEstimated: boolean;
  /** Numbers ordered: only the old layout states it. */
  quantity: number | undefined;
  quantityEstimated: boolean | undefined;
  sipriStatus: 'New' | 'Second hand' | 'Second hand but modernized' | undefined;
  /** TIV per unit of this deal (second-hand and modernised units are valued lower than new ones). */
  tivUnit: number | undefined;
  /** TIV per unit of the system when new ("SIPRI estimate" column). */
  tivUnitNew: number | undefined;
  /** Old layout only: TIV of the whole order. */
  tivOrder: number | undefined;
  localProduction: boolean | undefined;
  comments: string | undefined;
  deliveries: SipriDelivery[];
  /** Old layout: totals over every delivery year when a row spans several years. */
  deliveredTotal: number | undefined;
  tivDeliveredTotal: number | undefined;
}

export interface SipriDelivery {
  year: number;
  quantity: number | undefined;
  quantityEstimated: boolean | undefined;
  yearEstimated: boolean | undefined;
  tiv: number | undefined;
}

export type Mapped = { ok: true; row: SipriRow } | { ok: false; line: number; reason: string };

class RowError extends Error {}

const STATUSES = new Map(
  (['New', 'Second hand', 'Second hand but modernized'] as const).map((s) => [
    s.toLowerCase().replace('modernised', 'modernized'),
    s,
  ]),
);

function required(fields: Record<string, string>, column: string): string {
  const v = fields[column];
  if (v === undefined || v === '') throw new RowError(`"${column}" is empty`);
  return v;
}

function optional(fields: Record<string, string>, column: string): string | undefined {
  const v = fields[column];
  return v === undefined || v === '' ? undefined : v;
}

/** "2017", "(2017)" (estimated in old exports): a plausible year. */
function year(text: string, column: string): { value: number; estimated: boolean } {
  const m = /^\(?(\d{4})\)?\??$/.exec(text);
  const value = Number(m?.[1]);
  if (!m || value < 1900 || value > 2100) throw new RowError(`"${column}" is not a year: "${text}"`);
  return { value, estimated: text.startsWith('(') || text.endsWith('?') };
}

function num(text: string | undefined, column: string): number | undefined {
  if (text === undefined) return undefined;
  const clean = text.replace(/^\((.*)\)$/, '$1').replace(/\?$/, '');
  const n = Number(clean);
  if (clean === '' || !Number.isFinite(n) || n < 0)
    throw new RowError(`"${column}" is not a number: "${text}"`);
  return n;
}

function yesNo(text: string | undefined, column: string): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'yes' || t === '?') return true;
  if (t === 'no') return false;
  throw new RowError(`"${column}" is neither Yes nor No: "${text}"`);
}

function status(text: string | undefined): SipriRow['sipriStatus'] {
  if (text === undefined) return undefined;
  const s = STATUSES.get(text.toLowerCase().replace('modernised', 'modernized'));
  if (!s) throw new RowError(`"Status" is not New, Second hand or Second hand but modernized: "${text}"`);
  return s;
}

function category(text: string | undefined): string | undefined {
  return text === undefined ? undefined : (canonicalCategory(text) ?? text);
}

/** SIPRI writes some designations with a dangling " -" or " --" (a blank variant name): not part of the name. */
export function cleanDesignation(text: string): string {
  return text.replace(/\s+-+$/, '').trim();
}

function mapCurrent(f: Record<string, string>, line: number): SipriRow {
  const id = required(f, 'SIPRI AT Database ID');
  if (!/^\d+$/.test(id)) throw new RowError(`"SIPRI AT Database ID" is not a number: "${id}"`);
  const order = year(required(f, 'Order date'), 'Order date');
  const delivered = num(optional(f, 'Numbers delivered'), 'Numbers delivered');
  const deliveryYear = year(required(f, 'Delivery year'), 'Delivery year');
  return {
    line,
    sipriId: id,
    supplier: required(f, 'Supplier'),
    recipient: required(f, 'Recipient'),
    designation: cleanDesignation(required(f, 'Designation')),
    description: optional(f, 'Description'),
    category: category(optional(f, 'Armament category')),
    orderYear: order.value,
    orderYearEstimated: yesNo(optional(f, 'Order date is estimate'), 'Order date is estimate') ?? false,
    quantity: undefined,
    quantityEstimated: undefined,
    sipriStatus: status(optional(f, 'Status')),
    tivUnit: num(optional(f, 'TIV deal unit'), 'TIV deal unit'),
    tivUnitNew: num(optional(f, 'SIPRI estimate'), 'SIPRI estimate'),
    tivOrder: undefined,
    localProduction: yesNo(optional(f, 'Local production'), 'Local production'),
    comments: undefined,
    deliveries: [
      {
        year: deliveryYear.value,
        quantity: delivered,
        quantityEstimated: yesNo(
          optional(f, 'Numbers delivered is estimate'),
          'Numbers delivered is estimate',
        ),
        yearEstimated: yesNo(optional(f, 'Delivery year is estimate'), 'Delivery year is estimate'),
        tiv: num(optional(f, 'TIV delivery values'), 'TIV delivery values'),
      },
    ],
    deliveredTotal: undefined,
    tivDeliveredTotal: undefined,
  };
}

/** "2019", "2019; 2021", "2019-2021" → the years listed. */
function deliveryYears(text: string | undefined): { years: number[]; estimated: boolean } {
  if (text === undefined) return { years: [], estimated: false };
  const years = new Set<number>();
  for (const part of text
    .split(/[;,]/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^\(?(\d{4})\)?\s*-\s*\(?(\d{4})\)?$/.exec(part);
    if (range) {
      for (let y = Number(range[1]); y <= Number(range[2]); y++) years.add(y);
    } else {
      years.add(year(part, 'Year(s) of delivery').value);
    }
  }
  return { years: [...years].sort(), estimated: /[(?]/.test(text) };
}

function mapTradeRegister(f: Record<string, string>, line: number): SipriRow {
  const supplier = required(f, 'Supplier');
  const recipient = required(f, 'Recipient');
  const designation = cleanDesignation(required(f, 'Weapon designation'));
  const order = year(required(f, 'Year of order'), 'Year of order');
  const quantity = num(optional(f, 'Number ordered'), 'Number ordered');
  const given = optional(f, 'SIPRI AT Database ID') ?? optional(f, 'Deal ID');
  // Old registers carry no deal id: one is derived from what defines the deal, stable across runs.
  const sipriId =
    given ??
    'x' +
      createHash('sha1')
        .update([supplier, recipient, designation, order.value, quantity ?? ''].join('|'))
        .digest('hex')
        .slice(0, 10);
  const delivered = num(optional(f, 'Number delivered'), 'Number delivered');
  const tivDelivered = num(optional(f, 'SIPRI TIV of delivered weapons'), 'SIPRI TIV of delivered weapons');
  const years = deliveryYears(optional(f, 'Year(s) of delivery'));
  const single = years.years.length === 1;
  const comments = optional(f, 'Comments');
  const rawStatus = optional(f, 'status') ?? optional(f, 'Status');
  return {
    line,
    sipriId,
    supplier,
    recipient,
    designation,
    description: optional(f, 'Weapon description'),
    category: category(optional(f, 'Armament category')),
    orderYear: order.value,
    orderYearEstimated: order.estimated || optional(f, 'Year of order ?') !== undefined,
    quantity,
    quantityEstimated: quantity === undefined ? undefined : optional(f, 'Number ordered ?') !== undefined,
    sipriStatus: status(rawStatus),
    tivUnit: num(optional(f, 'SIPRI TIV per unit'), 'SIPRI TIV per unit'),
    tivUnitNew: undefined,
    tivOrder: num(optional(f, 'SIPRI TIV for total order'), 'SIPRI TIV for total order'),
    localProduction:
      yesNo(optional(f, 'Local production'), 'Local production') ??
      (comments === undefined ? undefined : /licen[cs]ed production|local production/i.test(comments)),
    comments,
    // A row spanning several years does not say how many arrived in which: only the totals are known.
    deliveries: years.years.map((y) => ({
      year: y,
      quantity: single ? delivered : undefined,
      quantityEstimated: single ? optional(f, 'Number delivered ?') !== undefined : undefined,
      yearEstimated: years.estimated,
      tiv: single ? tivDelivered : undefined,
    })),
    deliveredTotal: single ? undefined : delivered,
    tivDeliveredTotal: single ? undefined : tivDelivered,
  };
}

/** Checks and normalises one line; a row that cannot be read is rejected with the reason. */
export function mapRow(layout: Layout, input: RegisterLine): Mapped {
  try {
    const broken = input.fields['#broken'];
    if (broken !== undefined) throw new RowError(broken);
    if (input.fields['#extra'] !== undefined) throw new RowError('more fields than the header has');
    const row =
      layout === 'current'
        ? mapCurrent(input.fields, input.line)
        : mapTradeRegister(input.fields, input.line);
    return { ok: true, row };
  } catch (err) {
    if (err instanceof RowError) return { ok: false, line: input.line, reason: err.message };
    throw err;
  }
}
