import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { loadTypeDefs } from '../../src/graphql/schema';
import { propertyKeys, selectsField } from '../../src/graphql/selected-fields';

const schema = buildSchema(loadTypeDefs());

/** What a resolver's info holds about the operation: the schema, the operation and its fragments by name. */
function infoOf(query: string) {
  const doc = parse(query);
  const operation = doc.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation) throw new Error('no operation');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return { schema, operation, fragments };
}

describe('propertyKeys: the entity properties an operation can read', () => {
  it("lists the stored properties entity types' fields read anywhere, fragments included", () => {
    const keys = propertyKeys(
      infoOf(`query { deal(id: "x") { orderYear tivDelivered buyer { ...Party } ... on Deal { condition } } }
        fragment Party on Country { iso2 sources { id } }`),
    );
    expect(keys).toEqual({
      keys: ['aliases', 'id', 'iso2', 'name', 'orderYear', 'sipriStatus', 'sourceIds', 'tivTotal'],
      parties: true,
    });
  });

  it('leaves out what is no property: connection fields, relations, object fields, root fields', () => {
    const keys = propertyKeys(
      infoOf(`query($b: ID!) { deals(filter: { buyer: $b }, first: 20) {
        totalCount edges { cursor node { id status value { amount } seller { id name } system { id }
          deliveries { year tiv } announcedBy { person { description } } } } pageInfo { hasNextPage endCursor } } }`),
    );
    expect(keys).toEqual({
      keys: ['aliases', 'description', 'id', 'name', 'sourceIds', 'status', 'valueAmount', 'valueCurrency'],
      parties: true,
    });
  });

  it('reads no party ids when no party field is selected, and keeps the fields of every entity type', () => {
    const keys = propertyKeys(
      infoOf(`{ search(text: "s") { __typename id ... on Organization { kind }
        ... on WeaponSystem { category origin { iso2 } } } }`),
    );
    expect(keys).toEqual({
      keys: ['aliases', 'category', 'id', 'iso2', 'kind', 'name', 'sourceIds'],
      parties: false,
    });
  });

  it('always brings what every entity record needs, and never a meta field', () => {
    const keys = propertyKeys(infoOf('{ search(text: "s") { __typename id } }'));
    expect(keys).toEqual({ keys: ['aliases', 'id', 'name', 'sourceIds'], parties: false });
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
    expect(first?.keys).toContain('valueAmount');
    expect(first?.keys).toContain('valueCurrency');
    expect(first?.keys).not.toContain('value');
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
