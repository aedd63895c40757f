#!/usr/bin/env python3
"""Builds data/country-names.json from datasets/country-codes (data/country-codes.csv, PDDL).

Usage: python3 data/country-names.build.py path/to/country-codes.csv > data/country-names.json
Adds SIPRI's own spellings and the historical states SIPRI names (ISO 3166-3 codes) by hand.
"""
import csv
import json
import sys

NAME_COLUMNS = ['CLDR display name', 'official_name_en', 'UNTERM English Short', 'UNTERM English Formal']

# SIPRI's spellings that no column of country-codes.csv carries.
SIPRI_NAMES = {
    'BIH': ['Bosnia-Herzegovina'],
    'CZE': ['Czechia', 'Czech Republic'],
    'TUR': ['Turkiye', 'Türkiye', 'Turkey'],
    'ARE': ['UAE', 'United Arab Emirates'],
    'COD': ['DR Congo', 'Democratic Republic of the Congo'],
    'COG': ['Congo', 'Republic of the Congo'],
    'CIV': ["Cote d'Ivoire", 'Ivory Coast'],
    'KOR': ['South Korea'],
    'PRK': ['North Korea'],
    'VNM': ['Viet Nam', 'Vietnam'],
    'SWZ': ['eSwatini', 'Eswatini', 'Swaziland'],
    'FSM': ['Micronesia'],
    'LAO': ['Laos'],
    'SYR': ['Syria'],
    'IRN': ['Iran'],
    'RUS': ['Russia'],
    'MDA': ['Moldova'],
    'TZA': ['Tanzania'],
    'BOL': ['Bolivia'],
    'VEN': ['Venezuela'],
    'BRN': ['Brunei'],
    'CPV': ['Cabo Verde', 'Cape Verde'],
    'TLS': ['Timor-Leste', 'East Timor'],
    'MKD': ['North Macedonia', 'Macedonia', 'Macedonia (FYROM)'],
    'PSE': ['Palestine'],
    'TWN': ['Taiwan'],
    'GBR': ['United Kingdom', 'UK'],
    'USA': ['United States', 'USA'],
    'ESH': ['Western Sahara'],
    'MMR': ['Myanmar', 'Burma'],
    'LBY': ['Libya', 'Libya GNC', 'Libya GNA'],
}

# States that no longer exist, with their ISO 3166-3 codes (SIPRI names them for older deals).
HISTORICAL = [
    {'id': 'SUN', 'iso2': 'SU', 'name': 'Soviet Union', 'aliases': ['USSR']},
    {'id': 'YUG', 'iso2': 'YU', 'name': 'Yugoslavia', 'aliases': ['Serbia and Montenegro', 'Federal Republic of Yugoslavia']},
    {'id': 'CSK', 'iso2': 'CS', 'name': 'Czechoslovakia', 'aliases': []},
    {'id': 'DDR', 'iso2': 'DD', 'name': 'East Germany', 'aliases': ['East Germany (GDR)', 'German Democratic Republic', 'GDR']},
    {'id': 'YMD', 'iso2': 'YD', 'name': 'South Yemen', 'aliases': ["People's Democratic Republic of Yemen"]},
    {'id': 'ANT', 'iso2': 'AN', 'name': 'Netherlands Antilles', 'aliases': []},
]

# Sub-national, disputed or de facto states SIPRI lists as suppliers or recipients without a `*`, with
# user-assigned ISO 3166 codes (alpha-3 X.., alpha-2 X.), so their rows import like any state's.
EXTRA = [
    {'id': 'XKX', 'iso2': 'XK', 'name': 'Kosovo', 'aliases': []},
    {'id': 'XNC', 'iso2': 'XC', 'name': 'Northern Cyprus', 'aliases': ['Turkish Republic of Northern Cyprus', 'TRNC']},
    {'id': 'XSL', 'iso2': 'XS', 'name': 'Somaliland', 'aliases': ['Republic of Somaliland']},
    {'id': 'XAB', 'iso2': 'XA', 'name': 'Abkhazia', 'aliases': []},
    {'id': 'XSO', 'iso2': 'XO', 'name': 'South Ossetia', 'aliases': []},
    {'id': 'XTR', 'iso2': 'XT', 'name': 'Transnistria', 'aliases': ['Trans-Dniester', 'Transdniestria', 'Pridnestrovie']},
]


def main() -> None:
    countries = []
    with open(sys.argv[1], encoding='utf-8') as f:
        for row in csv.DictReader(f):
            iso3 = row['ISO3166-1-Alpha-3'].strip()
            if not iso3:
                continue
            names = [row[c].strip() for c in NAME_COLUMNS if row.get(c, '').strip()]
            names += SIPRI_NAMES.get(iso3, [])
            name = SIPRI_NAMES.get(iso3, names)[0]
            aliases = []
            for n in names:
                if n != name and n not in aliases:
                    aliases.append(n)
            countries.append({'id': iso3, 'iso2': row['ISO3166-1-Alpha-2'].strip(), 'name': name, 'aliases': aliases})
    for extra in EXTRA:
        countries.append(dict(extra))
    for h in HISTORICAL:
        countries.append({**h, 'historical': True})
    countries.sort(key=lambda c: c['id'])
    json.dump({
        'attribution': 'Derived from datasets/country-codes (https://github.com/datasets/country-codes), '
                       'ODC Public Domain Dedication and Licence (PDDL); SIPRI spellings and historical '
                       'states (ISO 3166-3) added by armsgraph.',
        'countries': countries,
    }, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write('\n')


main()
