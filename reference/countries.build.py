#!/usr/bin/env python3
"""Builds reference/countries.csv: each state's UN M49 region and sub-region.

Usage: python3 reference/countries.build.py path/to/country-codes.csv > reference/countries.csv
Reads datasets/country-codes (PDDL), which carries the UN Statistics Division's M49 columns, and
data/country-names.json (the names the SIPRI importer gives countries, so both write the same name).
States that M49 does not code (historical states, Kosovo, Taiwan) are added by hand below, placed
in the region of their territory and marked estimate, with a note saying so.
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {
    c['id']: c['name']
    for c in json.load(open(os.path.join(HERE, '..', 'data', 'country-names.json'), encoding='utf-8'))['countries']
}

# iso3: (region, sub-region, intermediate region, note)
BY_HAND = {
    'SUN': ('Europe', 'Eastern Europe', '', 'Historical state (to 1991); M49 does not code it: placed with Eastern Europe, where its capital lay.'),
    'CSK': ('Europe', 'Eastern Europe', '', 'Historical state (to 1992); M49 does not code it: placed with its successors (Czechia, Slovakia).'),
    'DDR': ('Europe', 'Western Europe', '', 'Historical state (to 1990); M49 does not code it: placed with Germany.'),
    'YUG': ('Europe', 'Southern Europe', '', 'Historical state (to 2003 as the Federal Republic); M49 does not code it: placed with its successors.'),
    'YMD': ('Asia', 'Western Asia', '', 'Historical state (to 1990); M49 does not code it: placed with Yemen.'),
    'ANT': ('Americas', 'Latin America and the Caribbean', 'Caribbean', 'Dissolved 2010; M49 no longer codes it: placed with its successors.'),
    'XKX': ('Europe', 'Southern Europe', '', 'M49 does not code Kosovo: placed with Serbia.'),
}

out = csv.writer(sys.stdout, lineterminator='\n')
out.writerow(['country', 'name', 'm49', 'region', 'subregion', 'intermediateRegion', 'estimate', 'source', 'note'])
rows = []
for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    iso3 = r['ISO3166-1-Alpha-3'].strip()
    if not iso3 or not r['Region Name'].strip():
        continue  # Antarctica has no M49 region
    name = NAMES.get(iso3) or r['CLDR display name'] or r['official_name_en']
    rows.append([iso3, name, r['M49'].zfill(3), r['Region Name'], r['Sub-region Name'], r['Intermediate Region Name'], '', 'un-m49', ''])
for iso3, (region, sub, inter, note) in BY_HAND.items():
    rows.append([iso3, NAMES[iso3], '', region, sub, inter, 'true', 'un-m49', note])
for row in sorted(rows):
    out.writerow(row)
