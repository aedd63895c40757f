#!/usr/bin/env python3
"""Builds data/m49-regions.csv (id, region, subregion, basis) from datasets/country-codes (PDDL).

Usage: python3 data/m49-regions.build.py path/to/country-codes.csv data/country-names.json > data/m49-regions.csv
One row per country id of data/country-names.json: its UN M49 region and sub-region ("Region Name",
"Sub-region Name"). States that no longer exist, and Kosovo (not in M49), get the region M49 gave them
or their successor by hand (basis "historical"/"successor"); a country without any (Antarctica) is left out.
"""
import csv
import json
import sys

BY_HAND = {
    'SUN': ('Europe', 'Eastern Europe', 'historical'),
    'CSK': ('Europe', 'Eastern Europe', 'historical'),
    'DDR': ('Europe', 'Western Europe', 'historical'),
    'YUG': ('Europe', 'Southern Europe', 'historical'),
    'YMD': ('Asia', 'Western Asia', 'historical'),
    'ANT': ('Americas', 'Latin America and the Caribbean', 'historical'),
    'XKX': ('Europe', 'Southern Europe', 'successor'),
}

codes = {r['ISO3166-1-Alpha-3']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8'))}
ids = [c['id'] for c in json.load(open(sys.argv[2], encoding='utf-8'))['countries']]
out = csv.writer(sys.stdout, lineterminator='\n')
out.writerow(['id', 'region', 'subregion', 'basis'])
for cid in sorted(ids):
    row = codes.get(cid)
    if row and row['Region Name']:
        out.writerow([cid, row['Region Name'], row['Sub-region Name'], 'm49'])
    elif cid in BY_HAND:
        out.writerow([cid, *BY_HAND[cid]])
