import { exportLinks } from '../../web/explorer/export-links';
import { kindOf, KIND_COLOURS } from '../../web/explorer/graph-view';
import type { TotalRow } from '../../web/explorer/api';
import { claimText, formatValue, humanLabel, isWebUrl } from '../../web/explorer/side-panel';
import { csvTable, pivotByYear, shareText } from '../../web/explorer/tables-data';
import { releaseDate, releaseHistory, revisionField, valueText } from '../../web/explorer/release-history';
import {
  defaultState,
  formatState,
  networkArgs,
  parseState,
  registerExportQuery,
} from '../../web/explorer/url-state';

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

describe('explorer view state in the address', () => {
  it('round-trips every part of a view', () => {
    const s = defaultState();
    s.tab = 'register';
    s.focus = 'USA';
    s.depth = 2;
    s.group = 'system';
    s.expanded = ['tur-s-400-2017', 'nato'];
    s.groups = [{ key: 'BUYER:RUS', shown: 50 }];
    s.hidden = ['s-400'];
    s.typesOff = ['MEMBER_OF'];
    s.selected = 'group:BUYER:RUS';
    s.first = 400;
    s.pathTo = 'Russia';
    s.hops = 3;
    s.register = {
      filter: {
        buyer: 'India',
        seller: 'Russia',
        status: ['PENDING', 'DELIVERING'],
        orderedFrom: 2010,
        deliveredFrom: 2015,
        deliveredTo: 2020,
        condition: ['SECOND_HAND', 'SECOND_HAND_MODERNISED'],
        localProduction: false,
      },
      sort: 'TIV_DELIVERED_DESC',
      after: 'abc',
      page: 2,
    };
    s.tables = {
      by: 'RECIPIENT',
      byYear: true,
      filter: { supplier: 'Russia' },
      from: 2014,
      to: 2023,
      top: 15,
      chart: 'line',
    };
    s.network = {
      filter: { supplier: 'Russia', recipientRegion: 'Southern Asia' },
      from: 2015,
      to: 2024,
      minTiv: 2.5,
      focus: 'IND',
    };
    expect(parseState(formatState(s))).toEqual(s);
  });

  it("leaves defaults out and opens /?focus=<name> and the search form's ?q=", () => {
    expect(formatState(defaultState())).toBe('');
    expect(parseState('?focus=Turkey').focus).toBe('Turkey');
    expect(parseState('?q=Turkey').focus).toBe('Turkey');
    expect(formatState({ ...defaultState(), focus: 'TUR' })).toBe('?focus=TUR');
  });

  it('takes defaults for malformed values instead of failing', () => {
    const s = parseState(
      '?tab=nope&depth=9&group=x&first=-3&r.sort=DROP&t.top=0&r.orderedFrom=20x&g=junk,SELLER:IND*25',
    );
    expect(s.tab).toBe('graph');
    expect(s.depth).toBe(1);
    expect(s.group).toBe('partner');
    expect(s.first).toBe(defaultState().first);
    expect(s.register.sort).toBe('ORDER_YEAR_DESC');
    expect(s.register.filter.orderedFrom).toBeUndefined();
    expect(s.tables.top).toBe(defaultState().tables.top);
    expect(s.groups).toEqual([{ key: 'SELLER:IND', shown: 25 }]);
  });

  it('asks /export/deals.csv for exactly the register filter', () => {
    expect(registerExportQuery({ buyer: 'India', seller: 'Russia' })).toBe('buyer=India&seller=Russia');
    expect(
      registerExportQuery({ status: ['PENDING', 'COMPLETED'], orderedTo: 2020, category: 'Air defence' }),
    ).toBe('category=Air+defence&orderedTo=2020&status=PENDING%2CCOMPLETED');
    // The export's own parameter names (src/export/selection.ts), lists comma-separated.
    expect(
      registerExportQuery({
        buyer: 'IND',
        deliveredFrom: 2015,
        deliveredTo: 2020,
        condition: ['NEW', 'SECOND_HAND'],
        localProduction: true,
      }),
    ).toBe('buyer=IND&deliveredFrom=2015&deliveredTo=2020&condition=NEW%2CSECOND_HAND&localProduction=true');
  });

  it('drops unknown conditions and malformed network values', () => {
    const s = parseState('?r.condition=NEW,SOLD&r.localProduction=maybe&n.min=-1&n.from=99');
    expect(s.register.filter.condition).toEqual(['NEW']);
    expect(s.register.filter.localProduction).toBeUndefined();
    expect(s.network.minTiv).toBeUndefined();
    expect(s.network.from).toBeUndefined();
  });

  it("asks transferNetwork for the network's filter, as lists", () => {
    expect(networkArgs({ filter: { supplier: 'RUS' }, from: 2015, minTiv: 1 })).toEqual({
      filter: { supplier: ['RUS'] },
      deliveredFrom: 2015,
      deliveredTo: null,
      minTiv: 1,
    });
  });
});

describe('explorer release history', () => {
  const releases = new Map([
    ['2025-01-03', { id: 'sipri-atdb@2025-01-03', name: 'SIPRI AT Database (3 Jan 2025)', url: null }],
    ['2026-02-12', { id: 'sipri-atdb@2026-02-12', name: 'SIPRI AT Database (12 Feb 2026)', url: null }],
  ]);

  it('names fields and dates in words', () => {
    expect(revisionField('seller')).toBe('Supplier');
    expect(revisionField('delivery 2021')).toBe('Delivery in 2021');
    expect(revisionField('tivUnit')).toBe('TIV per unit (this deal, millions)');
    expect(releaseDate('2026-02-12')).toBe('12 Feb 2026');
    // A delivery's record in words, not as JSON.
    expect(valueText('{"quantity":24,"quantityEstimated":true,"yearEstimated":true,"tiv":1.2}')).toBe(
      '24 (estimate) delivered, year estimated, TIV 1.2',
    );
    expect(valueText('2015')).toBe('2015');
    expect(valueText(null)).toBe('not stated');
  });

  it('gives each revision the Sources of both releases, and the current release its own', () => {
    const facts = releaseHistory(
      {
        sipriRelease: '2026-02-12',
        sipriReleases: ['2025-01-03', '2026-02-12'],
        revisions: [
          {
            release: '2026-02-12',
            previousRelease: '2025-01-03',
            field: 'seller',
            old: '"FRA"',
            new: '"DEU"',
          },
          {
            release: '2026-02-12',
            previousRelease: '2025-01-03',
            field: 'delivery 2021',
            old: '2',
            new: null,
          },
        ],
      },
      releases,
    );
    expect(facts.map((f) => f.data?.kind)).toEqual(['current', 'releases', 'revision', 'revision']);
    expect(facts[0]?.sources.map((s) => s.id)).toEqual(['sipri-atdb@2026-02-12']);
    expect(facts[2]?.parts).toEqual(['Supplier: FRA (release of 3 Jan 2025) → DEU (release of 12 Feb 2026)']);
    expect(facts[3]?.parts[0]).toContain('2 (release of 3 Jan 2025) → not stated');
    expect(facts[3]?.sources.map((s) => s.id)).toEqual(['sipri-atdb@2025-01-03', 'sipri-atdb@2026-02-12']);
  });

  it('names the release of a retired deal, and a release the service does not list by its date', () => {
    const facts = releaseHistory(
      { sipriRelease: '2025-01-03', retiredReason: 'not in the release of 2027-01-01' },
      releases,
    );
    expect(facts.at(-1)?.sources).toEqual([
      { id: 'sipri-atdb@2027-01-01', name: 'SIPRI release of 1 Jan 2027', url: null },
    ]);
  });
});

describe('explorer TIV tables', () => {
  const row = (key: string, label: string, year: number | null, tiv: number, share = 0): TotalRow => ({
    key,
    label,
    entity: null,
    year: null,
    then: year === null ? null : { key: String(year), label: String(year), year },
    tivDelivered: tiv,
    deals: 1,
    share,
    cursor: '',
  });

  it("pivots rows × years for the table's groups, zeros where a year had none", () => {
    const p = pivotByYear(
      [
        row('RUS', 'Russia', 2019, 100),
        row('RUS', 'Russia', 2021, 50),
        row('FRA', 'France', 2020, 30),
        row('USA', 'United States', 2019, 9),
      ],
      ['RUS', 'FRA'],
    );
    expect(p.years).toEqual([2019, 2020, 2021]);
    expect(p.cells.get('RUS')?.get(2021)).toBe(50);
    expect(p.cells.has('USA')).toBe(false);
    expect(p.series.filter((x) => x.label === 'France')).toEqual([
      { label: 'France', year: 2019, tiv: 0 },
      { label: 'France', year: 2020, tiv: 30 },
      { label: 'France', year: 2021, tiv: 0 },
    ]);
  });

  it('writes the table shown as CSV, quoting what needs it', () => {
    const csv = csvTable('Supplier', [
      row('RUS', 'Russia', null, 1234.5, 0.612),
      row('X', 'Korea, "South"', null, 1, 0.001),
    ]);
    expect(csv.split('\r\n')).toEqual([
      'Supplier,key,tiv_delivered,share,deals',
      'Russia,RUS,1234.5,0.612,1',
      '"Korea, ""South""",X,1,0.001,1',
      '',
    ]);
    expect(shareText(0.6123)).toBe('61.2%');
  });
});

describe('explorer panel labels', () => {
  it('names properties as an analyst reads them', () => {
    expect(humanLabel('tivUnitNew')).toBe('TIV per unit when new (millions)');
    expect(humanLabel('sipriFirstSeen')).toBe('First in the SIPRI release of');
    expect(humanLabel('someNewField')).toBe('Some new field');
    expect(claimText('2014')).toBe('2014');
    expect(claimText('"2015-03-01"')).toBe('2015-03-01');
    expect(claimText('not json')).toBe('not json');
  });
});
