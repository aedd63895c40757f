import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { propertyKeys, selectsField } from '../../src/graphql/selected-fields';

/** What a resolver's info holds about the operation: the operation and its fragments by name. */
function infoOf(query: string) {
  const doc = parse(query);
  const operation = doc.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new Error('no operation');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return { operation, fragments };
}

describe('propertyKeys: the entity properties an operation can read', () => {
  it('lists every field name selected anywhere, fragments included, and what derived fields read', () => {
    const keys = propertyKeys(
      infoOf(`query { deal(id: "x") { orderYear tivDelivered buyer { ...Party } ... on Deal { condition } } }
        fragment Party on Country { iso2 sources { id } }`),
    );
    expect(keys).toEqual(
      [
        'aliases',
        'buyer',
        'condition',
        'deal',
        'id',
        'iso2',
        'name',
        'orderYear',
        'sipriStatus',
        'sourceIds',
        'sources',
        'tivDelivered',
        'tivTotal',
      ].sort(),
    );
  });

  it('always brings what every entity record needs, and never a meta field', () => {
    const keys = propertyKeys(infoOf('{ search(text: "s") { __typename id } }'));
    expect(keys).toEqual(['aliases', 'id', 'name', 'search', 'sourceIds']);
  });

  it('asks for every property when a field reads them all', () => {
    expect(propertyKeys(infoOf('{ deal(id: "x") { disagreements { field } } }'))).toBeNull();
    expect(
      propertyKeys(infoOf('{ deal(id: "x") { ...D } } fragment D on Deal { disagreements { field } }')),
    ).toBeNull();
  });

  it('answers the same for the same operation object (computed once per parsed document)', () => {
    const info = infoOf('{ deal(id: "x") { value { amount } } }');
    const first = propertyKeys(info);
    expect(first).toContain('valueAmount');
    expect(first).toContain('valueCurrency');
    expect(propertyKeys(info)).toBe(first);
  });
});

describe('selectsField', () => {
  it('finds a field at any depth, in fragments too', () => {
    const q =
      '{ neighborhood(id: "TUR") { nodes { id } ...E } } fragment E on Subgraph { edges { properties } }';
    expect(selectsField(infoOf(q), 'properties')).toBe(true);
    expect(selectsField(infoOf('{ neighborhood(id: "TUR") { nodes { id name } } }'), 'properties')).toBe(
      false,
    );
  });
});
