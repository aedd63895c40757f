import { missingSchemaStatements, schemaStatements } from '../../src/db/constraints';

describe('missingSchemaStatements', () => {
  const statements = [
    'CREATE CONSTRAINT country_id_unique IF NOT EXISTS FOR (n:Country) REQUIRE n.id IS UNIQUE',
    'CREATE INDEX deal_status IF NOT EXISTS FOR (n:Deal) ON (n.status)',
    "CREATE FULLTEXT INDEX entity_search IF NOT EXISTS FOR (n:Entity) ON EACH [n.searchText] OPTIONS { indexConfig: { `fulltext.analyzer`: 'standard-folding' } }",
    'DROP INDEX tiv_rollup_system IF EXISTS',
  ];

  it('keeps every CREATE and no DROP on a database without schema', () => {
    expect(missingSchemaStatements(statements, new Set())).toEqual(statements.slice(0, 3));
  });

  it('keeps nothing when every object exists and no dropped one does', () => {
    const existing = new Set(['country_id_unique', 'deal_status', 'entity_search']);
    expect(missingSchemaStatements(statements, existing)).toEqual([]);
  });

  it('keeps only the missing CREATE and the DROP of an object still there', () => {
    const existing = new Set(['country_id_unique', 'entity_search', 'tiv_rollup_system']);
    expect(missingSchemaStatements(statements, existing)).toEqual([statements[1], statements[3]]);
  });

  it('always keeps a statement whose object it cannot name', () => {
    const other = 'CREATE INDEX FOR (n:Deal) ON (n.name)';
    expect(missingSchemaStatements([other], new Set(['deal_name']))).toEqual([other]);
  });

  it('names the object of every statement of the schema (none is resent at every start)', () => {
    const names = schemaStatements().map((s) => /^(?:CREATE|DROP) .*?(\w+) IF (?:NOT )?EXISTS/.exec(s)?.[1]);
    const existing = new Set(names.filter((n): n is string => n !== undefined));
    const creates = schemaStatements().filter((s) => s.startsWith('CREATE '));
    expect(existing.size).toBe(schemaStatements().length);
    expect(missingSchemaStatements(creates, existing)).toEqual([]);
  });
});
