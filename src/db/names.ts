/**
 * How names become lookup keys. Every writer (seeder, importer, mutations) stores these fields
 * through nameFields(), so that ids, names and aliases resolve the same way everywhere.
 */

/** Lowercase, accents folded, everything but letters and digits dropped: "Türkiye" → "turkiye", "S-400" → "s400". */
export function nameKey(text: string): string {
  // Plain ASCII (nearly every id, name and designation) has nothing to fold: lowercase letters and
  // digits kept, the rest dropped, without Unicode normalisation (an import keys several names a row).
  // Checked first, then keyed by two whole-string operations: a key built a character at a time
  // allocated a string per character (a bulk load keys millions of names).
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return foldedKey(text);
  return text.toLowerCase().replace(NOT_ASCII_KEY, '');
}

const NOT_ASCII_KEY = /[^a-z0-9]+/g;

/** nameKey of text beyond ASCII: accents folded by Unicode decomposition. */
function foldedKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ı/g, 'i') // dotless i (Turkish) has no decomposition
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface NameFields {
  name: string;
  aliases: string[];
  /** Keys of the id, the name and every alias. */
  nameKeys: string[];
  /** nameKeys joined by spaces: indexed as whole tokens by the full-text index. */
  nameKeysText: string;
  /** The name and aliases joined by " | ": indexed word by word (accent-folded) for search. */
  searchText: string;
}

export function nameFields(id: string, name: string, aliases: readonly string[] = []): NameFields {
  const cleanAliases = [...new Set(aliases.map((a) => a.trim()).filter((a) => a !== '' && a !== name))];
  const keys = [...new Set([id, name, ...cleanAliases].map(nameKey).filter((k) => k !== ''))];
  return {
    name,
    aliases: cleanAliases,
    nameKeys: keys,
    nameKeysText: keys.join(' '),
    searchText: [name, ...cleanAliases].join(' | '),
  };
}
