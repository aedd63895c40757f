import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import {
  DEAL_CONDITIONS,
  DEAL_STATUSES,
  ENTITIES,
  ORGANIZATION_KINDS,
  RELATION_TYPES,
  RELATIONS,
  SANCTION_STATUSES,
  SOURCE_KINDS,
  relationKey,
  type RelationSpec,
} from '../../src/model';

/** The model (src/model) is the one declaration; the schema and the documentation must say the same. */

const root = path.resolve(__dirname, '../..');
const schema = parse(fs.readFileSync(path.join(root, 'schema.graphql'), 'utf8'));
const modelDoc = fs.readFileSync(path.join(root, 'docs/model.md'), 'utf8');

function enumValues(name: string): string[] {
  const def = schema.definitions.find(
    (d): d is EnumTypeDefinitionNode => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name,
  );
  if (!def) throw new Error(`schema.graphql has no enum ${name}`);
  return (def.values ?? []).map((v) => v.name.value);
}

/** The rows of docs/model.md's relationship table: type, from labels, to labels, property names. */
function documentedRelations(): Map<string, { from: string[]; to: string[]; props: string[] }> {
  const rows = new Map<string, { from: string[]; to: string[]; props: string[] }>();
  for (const line of modelDoc.split('\n')) {
    // Cells are split on unescaped pipes; `\|` separates alternatives inside a cell.
    const cells = line
      .replace(/\\\|/g, '¦')
      .split('|')
      .map((c) => c.trim());
    const type = /^`([A-Z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!type || cells.length < 4) continue;
    const [fromText, toText] = cells[2]!.split('→').map((s) => s.trim());
    const labels = (t: string | undefined) =>
      t === 'any entity' ? ['any entity'] : (t ?? '').split('¦').map((s) => s.trim());
    const props = [...cells[3]!.matchAll(/`([a-z][A-Za-z]*)`/g)].map((p) => p[1]!);
    rows.set(type, { from: labels(fromText), to: labels(toText), props });
  }
  return rows;
}

describe('the graph model', () => {
  it("schema.graphql's enums are the model's", () => {
    expect(enumValues('DealStatus')).toEqual([...DEAL_STATUSES]);
    expect(enumValues('SanctionStatus')).toEqual([...SANCTION_STATUSES]);
    expect(enumValues('DealCondition')).toEqual([...DEAL_CONDITIONS]);
    const kinds = Object.values(ENTITIES)
      .map((e) => e.kind)
      .filter((k) => k !== null);
    expect([...enumValues('EntityKind')].sort()).toEqual([...kinds].sort());
  });

  it("docs/model.md's relationship table lists every relation type with the model's ends and properties", () => {
    const documented = documentedRelations();
    expect([...documented.keys()].sort()).toEqual([...RELATION_TYPES].sort());
    for (const type of RELATION_TYPES) {
      const spec: RelationSpec = RELATIONS[type];
      const doc = documented.get(type)!;
      const sameLabels = (docLabels: string[], labels: readonly string[]) =>
        docLabels[0] === 'any entity'
          ? expect([...labels].sort()).toEqual([...Object.keys(ENTITIES)].sort())
          : expect([...docLabels].sort()).toEqual([...labels].sort());
      sameLabels(doc.from, spec.from);
      sameLabels(doc.to, spec.to);
      expect({ type, props: [...doc.props].sort() }).toEqual({ type, props: [...spec.props].sort() });
    }
  });

  it("docs/model.md states the model's deal statuses, organisation and source kinds", () => {
    const list = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(' \\| ');
    expect(modelDoc).toContain(`\`status\` = ${list(DEAL_STATUSES)}`);
    expect(modelDoc).toContain(`\`status\` = ${list(SANCTION_STATUSES)}`);
    expect(modelDoc).toContain(`\`kind\` = ${list(ORGANIZATION_KINDS)}`);
    expect(modelDoc).toContain(`\`kind\` = ${list(SOURCE_KINDS)}`);
  });

  it('a relationship key is TYPE:from:to: and its key parts in order, absent ones empty', () => {
    expect(relationKey('SELLER', 'sipri-1', 'RUS')).toBe('SELLER:sipri-1:RUS:');
    expect(relationKey('MEMBER_OF', 'TUR', 'nato', { since: '1952', until: null })).toBe(
      'MEMBER_OF:TUR:nato:1952',
    );
    expect(
      relationKey('SANCTIONS', 'USA', 'TUR', { status: 'IMPOSED', since: '2020-12-14', instrument: null }),
    ).toBe('SANCTIONS:USA:TUR:IMPOSED::2020-12-14');
  });
});
