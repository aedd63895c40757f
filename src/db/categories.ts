import { nameKey } from './names';

/**
 * SIPRI's armament categories, in their current spelling. Exports of the database spell some of
 * them differently ("Air-defence systems", "Air defense systems"); every writer and every filter
 * goes through canonicalCategory() so the spellings meet.
 */
export const SIPRI_CATEGORIES = [
  'Aircraft',
  'Air defence systems',
  'Anti-submarine warfare weapons',
  'Armoured vehicles',
  'Artillery',
  'Engines',
  'Missiles',
  'Naval weapons',
  'Satellites',
  'Sensors',
  'Ships',
  'Other',
] as const;

const categoryKey = (text: string) =>
  nameKey(text)
    .replace(/defense/g, 'defence')
    .replace(/armored/g, 'armoured');
const byKey = new Map(SIPRI_CATEGORIES.map((c) => [categoryKey(c), c]));

/** The canonical spelling of a SIPRI armament category, or undefined if it is not one. */
export function canonicalCategory(text: string): string | undefined {
  return byKey.get(categoryKey(text));
}
