import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';

/** schema.graphql at the top level is the one schema file (design: GraphQL contract). */
export function loadTypeDefs(): string {
  return fs.readFileSync(path.join(projectRoot(), 'schema.graphql'), 'utf8');
}
