import { canonicalCategory } from '../../src/db/categories';
import { nameFields, nameKey } from '../../src/db/names';

describe('canonicalCategory', () => {
  it.each([
    ['Air defence systems', 'Air defence systems'],
    ['Air-defence systems', 'Air defence systems'],
    ['air defense systems', 'Air defence systems'],
    ['Armored vehicles', 'Armoured vehicles'],
    ['SHIPS', 'Ships'],
  ])('reads %p as %p', (input, expected) => {
    expect(canonicalCategory(input)).toBe(expected);
  });

  it('answers undefined for what is not a SIPRI category', () => {
    expect(canonicalCategory('Spaceships')).toBeUndefined();
  });
});

describe('name keys', () => {
  it.each([
    ['Türkiye', 'turkiye'],
    ['Turkiye', 'turkiye'],
    ['S-400 Triumf', 's400triumf'],
    ['S400', 's400'],
    ['Côte d’Ivoire', 'cotedivoire'],
    ['Diyarbakır', 'diyarbakir'],
  ])('keys %p as %p', (input, key) => {
    expect(nameKey(input)).toBe(key);
  });

  it('keys plain ASCII as Unicode folding does, character for character', () => {
    // nameKey takes a shortcut for ASCII; this is the folding it must agree with.
    const folded = (text: string) =>
      text
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '');
    const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c)).join('');
    expect(nameKey(ascii)).toBe(folded(ascii));
    expect(nameKey(ascii)).toBe('0123456789abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz');
    for (const text of ['F-35A Lightning-2', 'sipri-12345', 'BDSL plus ', 'Mi-17 (Hip-H)', ''])
      expect(nameKey(text)).toBe(folded(text));
    // Past ASCII anywhere in the text, the whole text is folded.
    expect(nameKey('AB-Ü')).toBe('abu');
  });

  it('derives every lookup field from id, name and aliases without duplicates', () => {
    const f = nameFields('TUR', 'Turkey', ['Türkiye', 'Turkiye', 'Turkey', ' ']);
    expect(f.aliases).toEqual(['Türkiye', 'Turkiye']);
    expect(f.nameKeys).toEqual(['tur', 'turkey', 'turkiye']);
    expect(f.nameKeysText).toBe('tur turkey turkiye');
    expect(f.searchText).toBe('Turkey | Türkiye | Turkiye');
  });
});
