/** Reading the tabs' filter forms: one way for every tab. */

/** A four-digit year typed in field `key`, or undefined when it is empty or not a year. */
export function formYear(data: FormData, key: string): number | undefined {
  const v = String(data.get(key) ?? '').trim();
  return /^\d{4}$/.test(v) ? Number(v) : undefined;
}

/** The text fields of `keys` that are filled in, trimmed; empty ones are left out. */
export function formTexts<K extends string>(data: FormData, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = String(data.get(k) ?? '').trim();
    if (v !== '') out[k] = v;
  }
  return out;
}
