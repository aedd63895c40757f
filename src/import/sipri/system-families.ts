/**
 * Weapon-system families and common short names. SIPRI names each variant ("F-35A Lightning-2",
 * "F-35B Lightning-2", "AIM-120C AMRAAM"); analysts ask for the family ("F-35"). A designation whose
 * model number carries a variant suffix belongs to the family the bare model number names; the
 * importer links the variant to it (VARIANT_OF), so a deals filter or a search by the family finds
 * every variant, and the family reaches the curated system of that name (the seed's F-35, and
 * through it the F-35 programme).
 */

// "F-35A Lightning-2" → "F-35"; "Su-30MKI" → "Su-30"; "Mi-17V-5" → "Mi-17"; "S-400 Triumf" → none.
const VARIANT = /^([A-Za-z]{1,4}-\d{1,4})([A-Z][A-Za-z0-9-]*)(?:[\s/].*)?$/;

/** The family a designation is a variant of, or undefined when it names no variant. */
export function familyOf(designation: string): string | undefined {
  return VARIANT.exec(designation.trim())?.[1];
}

/** Short names analysts use for systems SIPRI spells in full. */
const SHORT_NAMES: Record<string, string[]> = {
  'Bayraktar TB-2': ['TB2', 'TB-2', 'Bayraktar TB2'],
  'Bayraktar Akinci': ['Akinci', 'Akıncı'],
};

export function shortNamesOf(designation: string): string[] {
  return SHORT_NAMES[designation] ?? [];
}
