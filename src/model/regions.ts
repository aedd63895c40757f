import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { nameKey } from '../db/names';
import { projectRoot } from '../project-root';

/**
 * UN M49 regions and sub-regions of countries (Country.region, Country.subregion, the transfer tables'
 * SUPPLIER_REGION / RECIPIENT_REGION and their filters), read from the curated reference file
 * reference/countries.csv, the same rows the reference-data importer writes onto Country nodes, so
 * that a table grouped by region and a country's own region can never disagree.
 * States that no longer exist carry the region M49 gave them; parties that are not states (armed
 * groups, organisations, "unknown") have none.
 */
export interface CountryRegion {
  region: string;
  subregion: string;
}

let table: Map<string, CountryRegion> | undefined;

function regions(): Map<string, CountryRegion> {
  if (table) return table;
  const file = path.join(projectRoot(), 'reference', 'countries.csv');
  const rows = parse(fs.readFileSync(file, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as { country: string; region: string; subregion: string }[];
  table = new Map(
    rows.filter((r) => r.region !== '').map((r) => [r.country, { region: r.region, subregion: r.subregion }]),
  );
  return table;
}

/** The M49 region and sub-region of a country id, or undefined (not a state, or none). */
export function regionOf(countryId: string): CountryRegion | undefined {
  return regions().get(countryId);
}

/** Country id → region name, for queries that group by region. */
export function regionByCountry(): Record<string, string> {
  return Object.fromEntries([...regions()].map(([id, r]) => [id, r.region]));
}

/**
 * The ids of the countries in a region or sub-region, by its name in any case or accent ("asia",
 * "South-eastern Asia"); undefined when no region or sub-region has that name.
 */
export function countriesIn(name: string): string[] | undefined {
  const key = nameKey(name);
  const ids = [...regions()]
    .filter(([, r]) => nameKey(r.region) === key || nameKey(r.subregion) === key)
    .map(([id]) => id);
  return ids.length > 0 ? ids : undefined;
}
