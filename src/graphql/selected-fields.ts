import {
  getNamedType,
  isAbstractType,
  isInterfaceType,
  isLeafType,
  isObjectType,
  Kind,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { PropertyKeys } from '../db/entities';
import { DEAL_PARTY_FIELDS, ENTITY_LABELS } from '../model';

/**
 * Which entity properties an operation can read, so the data layer fetches those rather than every
 * property of every entity it returns (a deal, or a country with its aliases and search keys, is
 * several times the few fields a page or a lookup shows).
 *
 * The answer is per operation, not per field: entities fetched for one field are primed into the
 * request's loader and may serve any other field of the same operation, so the keys are the stored
 * properties that any entity type's fields read anywhere in the operation (fragments included). A
 * field of an entity type (the model's entity labels, and the interfaces and unions of them) reads
 * the property of its own name when it is a scalar or an enum (the resolvers' default), and the
 * properties DERIVED lists when it is derived from others; the other fields (Deal.buyer, a
 * connection's edges and cursors) are no properties, and each key would cost a property read per
 * entity, present or not. A field that reads every property (Deal.disagreements) asks for all.
 * Apollo keeps one parsed document per query text, so the answer is computed once per query text.
 */

/** Fields of entity types whose resolvers read properties of another name (src/graphql/resolvers/*). */
const DERIVED: Record<string, readonly string[]> = {
  sources: ['sourceIds'],
  tivDelivered: ['tivTotal'],
  condition: ['sipriStatus'],
  value: ['valueAmount', 'valueCurrency'],
};

/** Fields that read every property of their entity. */
const ALL_PROPERTIES = new Set(['disagreements']);

/** What toEntity and every resolver may read whatever the selection. */
const ALWAYS = ['id', 'name', 'aliases', 'sourceIds'];

/** Deal fields that read the deal's party ids (Deal.buyer, seller, system). */
const PARTY_FIELDS: ReadonlySet<string> = new Set(DEAL_PARTY_FIELDS);

const ENTITY_TYPES: ReadonlySet<string> = new Set(ENTITY_LABELS);

const cache = new WeakMap<OperationDefinitionNode, PropertyKeys>();

type Info = Pick<GraphQLResolveInfo, 'operation' | 'fragments' | 'schema'>;
type Operation = Pick<GraphQLResolveInfo, 'operation' | 'fragments'>;

export function propertyKeys(info: Info): PropertyKeys {
  const cached = cache.get(info.operation);
  if (cached !== undefined) return cached;
  const read = entityFieldsOf(info);
  const keys: PropertyKeys = read.all
    ? null
    : { keys: [...new Set([...ALWAYS, ...read.properties])].sort(), parties: read.parties };
  cache.set(info.operation, keys);
  return keys;
}

/** Whether values of this type are entity records: an entity type, or an interface or union of them. */
function isEntityType(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  if (ENTITY_TYPES.has(type.name)) return true;
  return isAbstractType(type) && schema.getPossibleTypes(type).some((t) => ENTITY_TYPES.has(t.name));
}

/** The stored properties the operation's fields of entity types read, and whether any reads parties. */
function entityFieldsOf(info: Info): { properties: Set<string>; parties: boolean; all: boolean } {
  const read = { properties: new Set<string>(), parties: false, all: false };
  eachField(info, info.schema, (name, parent, type) => {
    // An unknown field fails validation; meta fields (__typename) read no property.
    if (!parent || !type || !isEntityType(info.schema, parent)) return;
    if (ALL_PROPERTIES.has(name)) read.all = true;
    const derived = DERIVED[name];
    if (derived) for (const p of derived) read.properties.add(p);
    else if (isLeafType(type)) read.properties.add(name);
    if (PARTY_FIELDS.has(name)) read.parties = true;
  });
  return read;
}

/**
 * Calls `visit` for every field the operation selects, anywhere (inline fragments, and each named
 * fragment once). With a schema, `parent` is the type the field is selected on and `type` its own
 * named type, both undefined when the schema does not know the field.
 */
function eachField(
  info: Operation,
  schema: GraphQLSchema | undefined,
  visit: (name: string, parent: GraphQLNamedType | undefined, type: GraphQLNamedType | undefined) => void,
): void {
  const seenFragments = new Set<string>();
  const named = (name: string) => schema?.getType(name) ?? undefined;
  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        const field =
          parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        const type = field ? getNamedType(field.type) : undefined;
        visit(name, field ? parent : undefined, type);
        if (sel.selectionSet) walk(sel.selectionSet, type);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition ? named(sel.typeCondition.name.value) : parent);
      } else if (!seenFragments.has(sel.name.value)) {
        seenFragments.add(sel.name.value);
        const fragment = info.fragments[sel.name.value];
        if (fragment) walk(fragment.selectionSet, named(fragment.typeCondition.name.value));
      }
    }
  };
  walk(info.operation.selectionSet, schema?.getRootType(info.operation.operation) ?? undefined);
}

const fieldNames = new WeakMap<OperationDefinitionNode, ReadonlySet<string>>();

/** Every field name the operation selects, anywhere (fragments included). */
function fieldNamesOf(info: Operation): ReadonlySet<string> {
  let names = fieldNames.get(info.operation);
  if (names) return names;
  const found = new Set<string>();
  eachField(info, undefined, (name) => found.add(name));
  names = found;
  fieldNames.set(info.operation, names);
  return names;
}

/**
 * Whether the operation selects a field of this name anywhere: a conservative test, for data that
 * only one field reads (GraphNode.properties, GraphEdge.properties).
 */
export function selectsField(info: Operation, name: string): boolean {
  return fieldNamesOf(info).has(name);
}

/**
 * Whether the query selects `name` directly on this field's result (through fragments too), in any of
 * the field nodes merged into this resolution: an exact test, for work only that child field needs
 * (a connection's totalCount). selectsField above is the operation-wide one.
 */
export function selectsChildField(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  name: string,
): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    !!set &&
    set.selections.some((sel) => {
      if (sel.kind === Kind.FIELD) return sel.name.value === name;
      if (sel.kind === Kind.INLINE_FRAGMENT) return inSet(sel.selectionSet);
      if (seen.has(sel.name.value)) return false;
      seen.add(sel.name.value);
      return inSet(info.fragments[sel.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}
