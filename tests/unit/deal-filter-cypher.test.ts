import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, type InputObjectTypeDefinitionNode } from 'graphql';
import { registerExport } from '../../src/cli/export-command';
import {
  cliFlag,
  compileDealFilter,
  DEAL_FILTER_FIELDS,
  dealFilterFromText,
  type DealFilter,
} from '../../src/db/deal-filter';
import { dealPageStatement } from '../../src/db/deal-queries';
import { dealSelectionStatements, declaredKeys, kindKeys } from '../../src/db/export-queries';
import { selectionFromParams } from '../../src/export/selection';
import { graphqlType } from '../../src/db/filter-fields';
import { TRANSFER_FILTER_FIELDS } from '../../src/db/transfer-totals';

/**
 * The Cypher the one compiled deal filter produces, without a database (in the manner of
 * @neo4j/graphql's tck tests): the statements of a page and of a filtered export, as snapshots, for
 * each field alone and for combinations; and for every combination of fields, that only the fields
 * given become predicates. tests/integration/query-plans.int.test.ts runs such statements under
 * PROFILE on the real Neo4j.
 */

/** A value for each field: what a client would send. */
const SAMPLE: Required<{ [K in keyof DealFilter]: NonNullable<DealFilter[K]> }> = {
  buyer: 'Turkey',
  seller: 'RUS',
  system: 's-400',
  status: ['PENDING', 'DELIVERING'],
  category: 'air-defense systems',
  orderedFrom: 2010,
  orderedTo: 2020,
  source: 'sipri-atdb',
  deliveredFrom: 2015,
  deliveredTo: 2018,
  condition: ['SECOND_HAND'],
  localProduction: false,
};
const NAMES = DEAL_FILTER_FIELDS.map((f) => f.name);

const filterOf = (names: readonly (keyof DealFilter)[]): DealFilter =>
  Object.fromEntries(names.map((n) => [n, SAMPLE[n]])) as DealFilter;

/** The statement as a snapshot shows it: one clause a line, without the indentation of the source. */
const tidy = (cypher: string) =>
  cypher
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');

/** The resolved ids an export passes for the parties given. */
const idsOf = (filter: DealFilter) =>
  Object.fromEntries(
    (['buyer', 'seller', 'system'] as const)
      .filter((p) => filter[p] !== undefined)
      .map((p) => [`${p}Id`, `${p}-id`]),
  );

/** `$x IS NULL OR`: a predicate that stands whether the field is given or not. */
const OPTIONAL_PREDICATE = new RegExp(`\\$(${NAMES.join('|')})(Id)? IS NULL OR`);

const COMBINATIONS: { name: string; fields: (keyof DealFilter)[] }[] = [
  { name: 'nothing', fields: [] },
  ...NAMES.map((n) => ({ name: n, fields: [n] })),
  { name: 'buyer and seller', fields: ['buyer', 'seller'] },
  { name: 'buyer, period and status', fields: ['buyer', 'orderedFrom', 'orderedTo', 'status'] },
  { name: 'system and delivery years', fields: ['system', 'deliveredFrom', 'deliveredTo'] },
  { name: 'period and category', fields: ['orderedFrom', 'orderedTo', 'category'] },
  { name: 'every field', fields: NAMES },
];

describe('the compiled deal filter (Cypher shape, no database)', () => {
  describe.each(COMBINATIONS)('filtered by $name', ({ fields }) => {
    const filter = filterOf(fields);

    it('a page in order-year order', () => {
      const s = dealPageStatement(filter, 'ORDER_YEAR_ASC', 20, null, { count: true });
      expect(tidy(s.cypher)).toMatchSnapshot();
      expect(Object.keys(s.params).sort()).toMatchSnapshot();
    });

    it('a page by id, without a count', () => {
      const s = dealPageStatement(filter, 'ID_ASC', 20, null, { count: false });
      expect(tidy(s.cypher)).toMatchSnapshot();
    });

    it("an export's node, edge and deal statements", () => {
      const s = dealSelectionStatements(filter, idsOf(filter));
      expect(tidy(s.nodes(kindKeys('node', [])).cypher)).toMatchSnapshot();
      expect(tidy(s.edges(declaredKeys('edge', ['key']), false).cypher)).toMatchSnapshot();
      expect(tidy(s.deals.cypher)).toMatchSnapshot();
      expect(s.deals.params).toMatchSnapshot();
    });
  });

  it('for every combination of fields, only those given become predicates, never `$x IS NULL OR`', () => {
    for (let mask = 0; mask < 1 << NAMES.length; mask++) {
      const fields = NAMES.filter((_, i) => mask & (1 << i));
      const filter = filterOf(fields);
      const c = compileDealFilter(filter, 'parameter');
      const text = c.conditions('d').join('\n');
      // One predicate per field given; the two delivery years share one.
      const delivered = fields.includes('deliveredFrom') && fields.includes('deliveredTo') ? 1 : 0;
      expect(c.conditions('d')).toHaveLength(fields.length - delivered);
      expect(c.conditions('d', { withoutLead: true })).toHaveLength(
        fields.length - delivered - (c.lead ? 1 : 0),
      );
      for (const n of NAMES) {
        const mentioned = new RegExp(`\\$${n}(Id)?\\b`).test(text);
        expect([n, mentioned]).toEqual([n, fields.includes(n)]);
      }
      // Every parameter a predicate names is given.
      for (const [, p] of text.matchAll(/\$(\w+)/g))
        expect(Object.keys({ ...c.params, ...idsOf(filter) })).toContain(p);
      const page = dealPageStatement(filter, mask % 2 ? 'ORDER_YEAR_DESC' : 'TIV_DELIVERED_DESC', 20, null);
      const exported = dealSelectionStatements(filter, idsOf(filter));
      for (const cypher of [
        page.cypher,
        exported.deals.cypher,
        exported.edges(kindKeys('edge', []), true).cypher,
      ])
        expect(cypher).not.toMatch(OPTIONAL_PREDICATE);
    }
  });

  it('starts a page and an export from the same anchor: the first party given, else every deal', () => {
    const cases: [DealFilter, RegExp][] = [
      [{ seller: 'RUS', system: 's-400' }, /^MATCH \(:Entity \{id: \$sellerId\}\)<-\[d_seller:SELLER/],
      [
        { system: 's-400', status: ['PENDING'] },
        /^MATCH \(:WeaponSystem \{id: \$systemId\}\)<-\[:VARIANT_OF\*0\.\.1\]-/,
      ],
      [
        { orderedFrom: 2000 },
        /^MATCH \(d:Deal\) WHERE coalesce\(d\.retired, false\) = false AND d\.orderYear >= \$orderedFrom /,
      ],
    ];
    for (const [filter, anchor] of cases) {
      expect(dealSelectionStatements(filter, idsOf(filter)).deals.cypher).toMatch(anchor);
      const page = dealPageStatement(filter, 'ID_ASC', 20, null, { count: false }).cypher;
      const exportAnchor = compileDealFilter(filter, 'parameter').anchor('d');
      expect(page).toContain(compileDealFilter(filter).anchor('d'));
      expect(exportAnchor.replace(/\$(\w+Id)/g, '$1')).toBe(compileDealFilter(filter).anchor('d'));
    }
  });

  it('checks values as the API always has: categories by spelling, ranges in order, empty names', () => {
    expect(compileDealFilter({ category: 'Air defense systems' }).params.category).toBe(
      'Air defence systems',
    );
    expect(() => compileDealFilter({ category: 'lasers' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
    expect(() => compileDealFilter({ orderedFrom: 2020, orderedTo: 2010 })).toThrow(
      /orderedFrom is after orderedTo/,
    );
    expect(() => compileDealFilter({ deliveredFrom: 2020, deliveredTo: 2010 })).toThrow(
      /deliveredFrom is after/,
    );
    expect(() => compileDealFilter({ buyer: '' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
    );
    // An empty list is no filter (as before: `status: []` selects every status).
    expect(compileDealFilter({ status: [] }).conditions('d')).toEqual([]);
    expect(compileDealFilter({ condition: ['SECOND_HAND_MODERNISED'] }).params.condition).toEqual([
      'Second hand but modernized',
    ]);
  });
});

describe('one table of filter fields', () => {
  it("is schema.graphql's DealFilter input, field for field and type for type", () => {
    const sdl = fs.readFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
    const input = parse(sdl).definitions.find(
      (d): d is InputObjectTypeDefinitionNode =>
        d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION && d.name.value === 'DealFilter',
    );
    expect((input?.fields ?? []).map((f) => [f.name.value, print(f.type)])).toEqual(
      DEAL_FILTER_FIELDS.map((f) => [f.name, f.graphql]),
    );
  });

  it("shares its fields' kinds with schema.graphql's TransferFilter, field for field and type for type", () => {
    const sdl = fs.readFileSync(path.join(__dirname, '..', '..', 'schema.graphql'), 'utf8');
    const input = parse(sdl).definitions.find(
      (d): d is InputObjectTypeDefinitionNode =>
        d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION && d.name.value === 'TransferFilter',
    );
    const sorted = (rows: string[][]) => [...rows].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(sorted((input?.fields ?? []).map((f) => [f.name.value, print(f.type)]))).toEqual(
      sorted(TRANSFER_FILTER_FIELDS.map((f) => [f.field, graphqlType(f.value, f.list)])),
    );
    // One declaration of a kind of value: the deal filter's system and the tables' are the same.
    const dealSystem = DEAL_FILTER_FIELDS.find((f) => f.name === 'system');
    expect(TRANSFER_FILTER_FIELDS.find((f) => f.field === 'system')?.value).toBe(dealSystem?.value);
  });

  it("reads a network export's filter from its text as the tables' filter declares it", () => {
    expect(
      selectionFromParams({
        network: 'true',
        supplier: 'RUS, USA',
        category: 'Aircraft',
        condition: 'SECOND_HAND',
        localProduction: 'false',
      }),
    ).toEqual({
      kind: 'network',
      args: {
        filter: {
          supplier: ['RUS', 'USA'],
          recipient: null,
          system: null,
          supplierRegion: null,
          recipientRegion: null,
          category: ['Aircraft'],
          condition: ['SECOND_HAND'],
          localProduction: false,
        },
        deliveredFrom: null,
        deliveredTo: null,
        minTiv: 0,
      },
    });
    expect(() => selectionFromParams({ network: 'true', condition: 'USED' })).toThrow(
      /Unknown condition USED/,
    );
    expect(() => selectionFromParams({ network: 'true', localProduction: 'maybe' })).toThrow(
      /localProduction must be true or false/,
    );
  });

  it('gives the export URL parameters: every field read from its text', () => {
    const text: Record<string, string> = {
      buyer: 'Turkey',
      seller: 'RUS',
      system: 's-400',
      status: 'PENDING,DELIVERING',
      category: 'air-defense systems',
      orderedFrom: '2010',
      orderedTo: '2020',
      source: 'sipri-atdb',
      deliveredFrom: '2015',
      deliveredTo: '2018',
      condition: 'SECOND_HAND',
      localProduction: 'false',
    };
    expect(Object.keys(text)).toEqual(NAMES);
    expect(dealFilterFromText(text)).toEqual(SAMPLE);
    expect(selectionFromParams(text)).toEqual({ kind: 'deals', filter: SAMPLE });
    expect(() => selectionFromParams({ status: 'LOST' })).toThrow(/Unknown status LOST/);
    expect(() => selectionFromParams({ condition: 'USED' })).toThrow(/Unknown condition USED/);
    expect(() => selectionFromParams({ deliveredTo: 'soon' })).toThrow(/deliveredTo must be an integer/);
    expect(() => selectionFromParams({ localProduction: 'yes' })).toThrow(
      /localProduction must be true or false/,
    );
  });

  it("gives the CLI's export options: one per field, named after it", () => {
    const program = new Command();
    registerExport(program);
    const command = program.commands.find((c) => c.name() === 'export');
    const flags = command?.options.map((o) => o.flags) ?? [];
    for (const f of DEAL_FILTER_FIELDS) expect(flags).toContain(cliFlag(f));
    expect(cliFlag(DEAL_FILTER_FIELDS.find((f) => f.name === 'deliveredFrom')!)).toBe(
      '--delivered-from <year>',
    );
    // Commander hands an option back under the field's own name.
    const parsed = command?.options.map((o) => o.attributeName()) ?? [];
    for (const f of DEAL_FILTER_FIELDS) expect(parsed).toContain(f.name);
  });
});
