/**
 * The graph model: every node label, relationship type and closed list of values, declared once.
 * The data layer, the seed schema, the importers, the exports, the resolvers and docs/model.md
 * derive from it; a new relationship type starts here.
 */
export * from './enums';
export * from './nodes';
export * from './references';
export * from './relations';
