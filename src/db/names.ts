/**
 * How names become lookup keys. Every writer (seeder, importer, mutations) stores these fields
 * through nameFields(), so that ids, names and aliases resolve the same way everywhere.
 */

/** Lowercase, accents folded, everything but letters and digits dropped: "Türkiye" → "turkiye", "S-400" → "s400". */
export function nameKey(text: string): string {
  // Plain ASCII (nearly every id, name and designation) has nothing to fold: lowercase letters and
  // digits kept, the rest dropped, without Unicode normalisation (an import keys several names a row).
  let key = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return foldedKey(text);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) key += text[i];
    else if (c >= 0x41 && c <= 0x5a) key += String.fromCharCode(c + 0x20);
  }
  return key;
}

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
