import { createHash, type Hash } from 'node:crypto';
import type { PartyResolver } from '../resolve-party';
import { mapRow, type SipriRow } from './map-row';
import type { Register } from './read-register';

/**
 * A fingerprint of an export's content: its rows as the importer reads them (line numbers aside, and
 * parties by the names they resolve to), so the same release saved with other line endings, another
 * encoding or other spellings ("Türkiye", "Air-defence systems") is recognised as already imported,
 * and a re-import writes nothing.
 */
export class RowHasher {
  private readonly hash: Hash = createHash('sha256');

  /** `supplier`, `recipient`: the names of the parties the row's resolve to. */
  update(row: SipriRow, supplier: string, recipient: string): void {
    // The line number is where a row stands, not what it says.
    this.hash.update(JSON.stringify({ ...row, line: 0, supplier, recipient }));
    this.hash.update('\n');
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Reads a whole export to fingerprint it (a pass without writing anything), as the importer would. */
export async function registerFingerprint(register: Register, parties: PartyResolver): Promise<string> {
  const hasher = new RowHasher();
  for await (const line of register.lines) {
    const mapped = mapRow(register.variant.layout, line);
    if (!mapped.ok) continue;
    const [seller, buyer] = [parties.resolve(mapped.row.supplier), parties.resolve(mapped.row.recipient)];
    if (seller && buyer) hasher.update(mapped.row, seller.name, buyer.name);
  }
  return hasher.digest();
}
