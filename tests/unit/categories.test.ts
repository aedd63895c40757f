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

  it('derives every lookup field from id, name and aliases without duplicates', () => {
    const f = nameFields('TUR', 'Turkey', ['Türkiye', 'Turkiye', 'Turkey', ' ']);
    expect(f.aliases).toEqual(['Türkiye', 'Turkiye']);
    expect(f.nameKeys).toEqual(['tur', 'turkey', 'turkiye']);
    expect(f.nameKeysText).toBe('tur turkey turkiye');
    expect(f.searchText).toBe('Turkey | Türkiye | Turkiye');
  });
});
