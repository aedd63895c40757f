import { loadCountryTable, PartyResolver } from '../../src/import/resolve-party';
import { mapRow } from '../../src/import/sipri/map-row';

describe('SIPRI party names', () => {
  const resolver = new PartyResolver(loadCountryTable(), new Set(['nato']));

  it('resolves states to ISO 3166 alpha-3 through SIPRI spellings and aliases', () => {
    const ids = [
      'Turkiye',
      'Türkiye',
      'Turkey',
      'UAE',
      'DR Congo',
      "Cote d'Ivoire",
      'Viet Nam',
      'eSwatini',
      'Bosnia-Herzegovina',
      'Libya GNC',
      'Kosovo',
    ].map((n) => resolver.resolve(n)?.id);
    expect(ids).toEqual(['TUR', 'TUR', 'TUR', 'ARE', 'COD', 'CIV', 'VNM', 'SWZ', 'BIH', 'LBY', 'XKX']);
    expect(resolver.resolve('Russia')).toMatchObject({
      label: 'Country',
      id: 'RUS',
      iso2: 'RU',
      historical: false,
    });
  });

  it('resolves states that no longer exist to their ISO 3166-3 codes', () => {
    expect(resolver.resolve('Soviet Union')).toMatchObject({ label: 'Country', id: 'SUN', historical: true });
    expect(
      ['Yugoslavia', 'Czechoslovakia', 'East Germany (GDR)'].map((n) => resolver.resolve(n)?.id),
    ).toEqual(['YUG', 'CSK', 'DDR']);
  });

  it('turns * and ** names into organisations and unknown parties into one organisation each', () => {
    expect(resolver.resolve('Houthi rebels (Yemen)*')).toMatchObject({
      label: 'Organization',
      id: 'houthi-rebels-yemen',
      name: 'Houthi rebels (Yemen)',
      kind: 'non_state_group',
      countryId: 'YEM',
    });
    // The alliance already holds the id `nato`: the organisation takes its own.
    expect(resolver.resolve('NATO**')).toMatchObject({
      id: 'nato-organization',
      kind: 'international_organization',
    });
    expect(resolver.resolve('United Nations**')).toMatchObject({
      id: 'united-nations',
      kind: 'international_organization',
    });
    expect(resolver.resolve('unknown supplier(s)')).toMatchObject({ id: 'unknown-supplier', kind: 'other' });
    expect(resolver.resolve('unknown recipient(s)')).toMatchObject({
      id: 'unknown-recipient',
      kind: 'other',
    });
  });

  it('resolves de facto states SIPRI lists without a * to states with user-assigned codes', () => {
    expect(
      ['Northern Cyprus', 'Somaliland', 'Abkhazia', 'South Ossetia', 'Transnistria', 'Kosovo'].map((n) => {
        const p = resolver.resolve(n);
        return p?.label === 'Country' ? p.id : undefined;
      }),
    ).toEqual(['XNC', 'XSL', 'XAB', 'XSO', 'XTR', 'XKX']);
  });

  it('reaches one group through the spellings of different releases, and its country', () => {
    const hor = ['Libya HoR*', 'HoR (Libya)*'].map((n) => resolver.resolve(n));
    expect(hor.map((p) => p?.id)).toEqual(['libya-hor', 'libya-hor']);
    expect(hor[1]).toMatchObject({
      name: 'Libya HoR',
      aliases: ['HoR (Libya)*', 'HoR (Libya)'],
      countryId: 'LBY',
    });
    const pij = ['PIJ (Israel/Palestine)*', 'Palestinian Islamic Jihad (Israel/Palestine)*'].map((n) =>
      resolver.resolve(n),
    );
    expect(pij.map((p) => p?.id)).toEqual(['pij-israel-palestine', 'pij-israel-palestine']);
    expect(resolver.resolve('Hamas (Palestine)*')).toMatchObject({ countryId: 'PSE' });
    expect(resolver.resolve('Syria rebels*')).toMatchObject({ countryId: 'SYR' });
    expect(resolver.resolve('unknown rebel group*')).toMatchObject({ countryId: undefined });
    expect(resolver.resolve('African Union**')).toMatchObject({ countryId: undefined });
  });

  it('does not invent a party for a name it does not know', () => {
    expect(resolver.resolve('Atlantis')).toBeUndefined();
  });
});

describe('SIPRI old-layout rows', () => {
  const fields = {
    Recipient: 'India',
    Supplier: 'Russia',
    'Year of order': '(2018)',
    'Year of order ?': '',
    'Number ordered': '5',
    'Number ordered ?': '?',
    'Weapon designation': 'S-400 Triumf',
    'Weapon description': 'SAM system',
    'Number delivered': '3',
    'Number delivered ?': '',
    'Year(s) of delivery': '2021-2023',
    status: 'New',
    Comments: '',
    'SIPRI TIV per unit': '65',
    'SIPRI TIV for total order': '325',
    'SIPRI TIV of delivered weapons': '195',
  };

  it('keeps the totals of a row that spans several delivery years, not a guessed split', () => {
    const m = mapRow('trade-register', { line: 20, fields });
    expect(m.ok && m.row).toMatchObject({
      orderYear: 2018,
      orderYearEstimated: true,
      quantity: 5,
      quantityEstimated: true,
      tivOrder: 325,
      deliveredTotal: 3,
      tivDeliveredTotal: 195,
      deliveries: [
        { year: 2021, quantity: undefined, tiv: undefined },
        { year: 2022, quantity: undefined, tiv: undefined },
        { year: 2023, quantity: undefined, tiv: undefined },
      ],
    });
  });

  it('uses the deal id when an old export carries one', () => {
    const m = mapRow('trade-register', { line: 21, fields: { ...fields, 'SIPRI AT Database ID': '32127' } });
    expect(m.ok && m.row.sipriId).toBe('32127');
  });
});
