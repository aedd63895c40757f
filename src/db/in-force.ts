/**
 * When a dated fact (a membership, a sanction) holds: in a year Y when it began in or before Y and did
 * not end before Y. Dates are ISO strings of a year, month or day; a fact with no start date is taken
 * to hold from the start (the seed's older facts), one with no end to hold still. One rule, written
 * twice: for Cypher (queries) and for TypeScript (fields filtered from loaded items).
 */

const year = (date: string) => Number(date.slice(0, 4));

export function inForceIn(since: unknown, until: unknown, at: number): boolean {
  if (typeof since === 'string' && year(since) > at) return false;
  if (typeof until === 'string' && year(until) < at) return false;
  return true;
}

/** The Cypher condition that relationship (or node) `r` holds in the year expression `y`. */
export const inForceCypher = (r: string, y: string) =>
  `((${r}.since IS NULL OR toInteger(left(${r}.since, 4)) <= ${y}) AND (${r}.until IS NULL OR toInteger(left(${r}.until, 4)) >= ${y}))`;
