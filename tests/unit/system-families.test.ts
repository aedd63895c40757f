import { familyOf, shortNamesOf } from '../../src/import/sipri/system-families';
import { cleanDesignation } from '../../src/import/sipri/map-row';

describe('weapon-system families', () => {
  it('puts variants in the family their bare model number names', () => {
    expect(
      [
        'F-35A Lightning-2',
        'F-35B Lightning-2',
        'Su-30MKI',
        'AIM-120C AMRAAM',
        'Mi-17V-5',
        'AH-64E Apache',
      ].map(familyOf),
    ).toEqual(['F-35', 'F-35', 'Su-30', 'AIM-120', 'Mi-17', 'AH-64']);
  });

  it('gives no family to a designation that names no variant', () => {
    expect(['S-400 Triumf', 'F-35', 'Mi-17', 'Bayraktar TB-2', 'BDSL+'].map(familyOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('knows the short names analysts use, and drops SIPRI trailing dashes', () => {
    expect(shortNamesOf('Bayraktar TB-2')).toEqual(expect.arrayContaining(['TB2', 'TB-2']));
    expect(['BDSL -', 'BDSL+ -', 'A-50EHI --'].map(cleanDesignation)).toEqual(['BDSL', 'BDSL+', 'A-50EHI']);
  });
});
