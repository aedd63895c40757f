import { Kind, type GraphQLResolveInfo, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { PropertyKeys } from '../db/entities';

/**
 * Which entity properties an operation can read, so the data layer fetches those rather than every
 * property of every entity it returns (a deal, or a country with its aliases and search keys, is
 * several times the few fields a page or a lookup shows).
 *
 * The answer is per operation, not per field: entities fetched for one field are primed into the
 * request's loader and may serve any other field of the same operation, so the keys are every field
 * name the operation selects anywhere (fragments included), plus the properties that fields derived
 * from other properties read. A field that reads every property (Deal.disagreements) asks for all.
 * Apollo keeps one parsed document per query text, so the answer is computed once per query text.
 */

/** Fields whose resolvers read properties of another name (src/graphql/resolvers/*). */
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

const cache = new WeakMap<OperationDefinitionNode, PropertyKeys>();

type Info = Pick<GraphQLResolveInfo, 'operation' | 'fragments'>;

export function propertyKeys(info: Info): PropertyKeys {
  const cached = cache.get(info.operation);
  if (cached !== undefined) return cached;
  const selected = fieldNamesOf(info);
  let keys: PropertyKeys = null;
  if (![...ALL_PROPERTIES].some((f) => selected.has(f))) {
    const names = new Set<string>(ALWAYS);
    for (const name of selected) {
      if (!name.startsWith('__')) names.add(name);
      for (const derived of DERIVED[name] ?? []) names.add(derived);
    }
    keys = [...names].sort();
  }
  cache.set(info.operation, keys);
  return keys;
}

const fieldNames = new WeakMap<OperationDefinitionNode, ReadonlySet<string>>();

/** Every field name the operation selects, anywhere (fragments included). */
function fieldNamesOf(info: Info): ReadonlySet<string> {
  let names = fieldNames.get(info.operation);
  if (names) return names;
  const found = new Set<string>();
  const seenFragments = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        found.add(sel.name.value);
        if (sel.selectionSet) walk(sel.selectionSet);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet);
      } else if (!seenFragments.has(sel.name.value)) {
        seenFragments.add(sel.name.value);
        const fragment = info.fragments[sel.name.value];
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(info.operation.selectionSet);
  names = found;
  fieldNames.set(info.operation, names);
  return names;
}

/**
 * Whether the operation selects a field of this name anywhere: a conservative test, for data that
 * only one field reads (GraphNode.properties, GraphEdge.properties).
 */
export function selectsField(info: Info, name: string): boolean {
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
