import { exportLinks } from '../../web/explorer/export-links';
import { kindOf, KIND_COLOURS } from '../../web/explorer/graph-view';
import { formatValue, isWebUrl } from '../../web/explorer/side-panel';

describe('explorer helpers', () => {
  it('formats property values for the side panel', () => {
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(false)).toBe('no');
    expect(formatValue(null)).toBe('');
    expect(formatValue(['Türkiye', 'Turkiye'])).toBe('Türkiye, Turkiye');
    expect(formatValue(2017)).toBe('2017');
    expect(formatValue({ amount: 2.5e9, currency: 'USD' })).toBe('{"amount":2500000000,"currency":"USD"}');
    // Markup stays text: the panel sets it with textContent.
    expect(formatValue('<script>x</script>')).toBe('<script>x</script>');
  });

  it('takes the kind from the labels', () => {
    expect(kindOf(['Country'])).toBe('Country');
    expect(kindOf(['Imported', 'Deal'])).toBe('Deal');
    expect(kindOf(['Other'])).toBe('Other');
    expect(kindOf([])).toBe('Entity');
    expect(Object.keys(KIND_COLOURS)).toEqual(
      expect.arrayContaining([
        'Country',
        'Deal',
        'WeaponSystem',
        'Alliance',
        'Program',
        'Organization',
        'Person',
      ]),
    );
  });

  it('links the exports of a neighbourhood with the id encoded', () => {
    const links = exportLinks('tur-s-400-2017', 2);
    expect(links.map((l) => l.href)).toContain('/export/graphml?around=tur-s-400-2017&depth=2');
    expect(links.every((l) => l.download)).toBe(true);
    expect(exportLinks('a&b c', 1)[0]?.href).toBe('/export/cytoscape?around=a%26b+c&depth=1');
  });

  it('links only web addresses', () => {
    expect(isWebUrl('https://www.sipri.org/databases/armstransfers')).toBe(true);
    expect(isWebUrl('http://example.org/a b')).toBe(false);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('data:text/html,<b>x</b>')).toBe(false);
    expect(isWebUrl(null)).toBe(false);
  });
});
