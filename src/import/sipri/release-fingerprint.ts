import { createHash, type Hash } from 'node:crypto';
import { mapRow, type SipriRow } from './map-row';
import type { Register } from './read-register';

/**
 * A fingerprint of an export's content: its rows as the importer reads them (line numbers aside), so
 * the same release saved with other line endings, another encoding or another spelling of a category
 * is recognised as already imported, and a re-import writes nothing.
 */
export class RowHasher {
  private readonly hash: Hash = createHash('sha256');

  update(row: SipriRow): void {
    // The line number is where a row stands, not what it says.
    this.hash.update(JSON.stringify({ ...row, line: 0 }));
    this.hash.update('\n');
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Reads a whole export to fingerprint it (a pass without writing anything). */
export async function registerFingerprint(register: Register): Promise<string> {
  const hasher = new RowHasher();
  for await (const line of register.lines) {
    const mapped = mapRow(register.variant.layout, line);
    if (mapped.ok) hasher.update(mapped.row);
  }
  return hasher.digest();
}
