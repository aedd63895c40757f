import {
  getNamedType,
  isAbstractType,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * graphql-jit (compiled-executor.ts) reads a field without a resolver as a plain property: where the
 * parent object holds a promise or a function there, graphql-js waited for it or called it, graphql-jit
 * answers null (or the function's text) without an error. Nothing in the types stops a resolver from
 * returning such an object, so this check does, under the tests: every resolver of the schema is
 * wrapped to look at what it returned, and each resolver-less field below it (through lists and
 * nested objects, down to the next field that has a resolver of its own) must hold a plain value.
 * Installed when config.env is 'test' (app.ts), so every GraphQL test is also a test of this rule.
 */
export function guardResolverValues(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = guarded(schema, `${type.name}.${field.name}`, field, resolve);
    }
  }
  return schema;
}

function guarded(
  schema: GraphQLSchema,
  path: string,
  field: GraphQLField<unknown, unknown>,
  resolve: GraphQLFieldResolver<unknown, unknown>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    if (isThenable(value)) return value.then((v) => checked(schema, path, field.type, v));
    return checked(schema, path, field.type, value);
  };
}

function checked(schema: GraphQLSchema, path: string, type: GraphQLOutputType, value: unknown): unknown {
  checkValue(schema, path, type, value, 0);
  return value;
}

/** How deep below one resolver the check follows plain values (connections nest edges, nodes, ...). */
const MAX_DEPTH = 8;

function checkValue(
  schema: GraphQLSchema,
  path: string,
  type: GraphQLOutputType,
  value: unknown,
  depth: number,
): void {
  if (value == null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) checkValue(schema, path, type, item, depth + 1);
    return;
  }
  const named = getNamedType(type);
  // An interface's or union's value names its type (the schema's resolveType reads __typename);
  // one that does not is checked against every type it could be.
  const typename = (value as { __typename?: unknown }).__typename;
  const concrete = typeof typename === 'string' ? schema.getType(typename) : undefined;
  const candidates: readonly GraphQLObjectType[] = isObjectType(named)
    ? [named]
    : isAbstractType(named)
      ? isObjectType(concrete)
        ? [concrete]
        : schema.getPossibleTypes(named)
      : [];
  for (const object of candidates) {
    for (const field of Object.values(object.getFields())) {
      if (field.resolve) continue;
      const held = (value as Record<string, unknown>)[field.name];
      if (isThenable(held) || typeof held === 'function') {
        throw new Error(
          `${path} returned an object whose ${object.name}.${field.name} holds a ${
            isThenable(held) ? 'promise' : 'function'
          }: that field has no resolver, and the compiled executor reads it as a plain value. ` +
            `Load it in a field resolver of ${object.name}.${field.name} instead.`,
        );
      }
      checkValue(schema, `${path} → ${object.name}.${field.name}`, field.type, held, depth + 1);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value != null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
