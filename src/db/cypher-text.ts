/**
 * Values of the model spliced into Cypher text. Only constants of src/model pass through here (never
 * client text), so a statement's plan does not depend on a parameter the planner cannot see.
 */
export function cypherList(values: readonly string[]): string {
  for (const v of values)
    if (!/^[A-Za-z0-9_]+$/.test(v)) throw new Error(`not a model constant: ${JSON.stringify(v)}`);
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}
