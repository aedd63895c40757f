import { loadCountryTable } from '../../src/import/resolve-party';
import type { RegisterLine } from '../../src/import/sipri/read-register';
import { SipriMapper } from '../../src/import/sipri/sipri-mapper';

/** A line of the current layout: one deal and delivery year, from a small fixed vocabulary. */
function line(n: number): RegisterLine {
  const suppliers = ['United States', 'France', 'Russia', 'Hezbollah (Lebanon)*'];
  const recipients = ['India', 'Egypt', 'NATO**', 'Türkiye'];
  const designations = ['F-16C', 'Rafale', 'S-400 Triumf', 'Su-35', 'Mistral'];
  return {
    line: n + 13,
    fields: {
      'SIPRI AT Database ID': String(100_000 + n),
      Supplier: suppliers[n % suppliers.length] as string,
      Recipient: recipients[n % recipients.length] as string,
      Designation: designations[n % designations.length] as string,
      Description: 'a system',
      'Armament category': 'Aircraft',
      'Order date': String(1990 + (n % 30)),
      'Order date is estimate': 'No',
      'Numbers delivered': '2',
      'Numbers delivered is estimate': 'No',
      'Delivery year': String(1995 + (n % 30)),
      'Delivery year is estimate': 'No',
      Status: 'New',
      'SIPRI estimate': '10',
      'TIV deal unit': '10',
      'TIV delivery values': '20',
      'Local production': 'No',
    },
  };
}

describe('SipriMapper: what it keeps between rows', () => {
  it('grows with the export’s vocabulary, not with its rows', () => {
    const mapper = new SipriMapper('current', { systems: [], curated: [], takenIds: [] }, loadCountryTable());
    // Every combination of the vocabulary appears within the first 60 rows (lcm of 4, 4, 5, 30).
    for (let n = 0; n < 600; n++) expect(mapper.map(line(n)).ok).toBe(true);
    const afterVocabulary = mapper.retainedEntries();
    expect(afterVocabulary).toBeGreaterThan(0);
    for (let n = 600; n < 30_000; n++) mapper.map(line(n));
    expect(mapper.retainedEntries()).toBe(afterVocabulary);
  });

  it('keeps nothing of rows whose parties resolve to none (they are rejected)', () => {
    const mapper = new SipriMapper('current', { systems: [], curated: [], takenIds: [] }, loadCountryTable());
    for (let n = 0; n < 600; n++) mapper.map(line(n));
    const before = mapper.retainedEntries();
    for (let n = 0; n < 5_000; n++) {
      const l = line(n);
      l.fields.Supplier = `Atlantis ${n}`;
      expect(mapper.map(l).ok).toBe(false);
    }
    expect(mapper.retainedEntries()).toBe(before);
  });
});
