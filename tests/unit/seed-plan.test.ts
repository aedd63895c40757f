import path from 'node:path';
import { loadSeedPlan, SeedError } from '../../src/seed/seed-plan';
import { editedSeed } from '../helpers/scratch-dir';

const seedDir = path.resolve(__dirname, '../../seed');

function seedError(dir: string): SeedError {
  try {
    loadSeedPlan(dir);
  } catch (err) {
    if (err instanceof SeedError) return err;
    throw err;
  }
  throw new Error('the broken seed was accepted');
}

describe('the curated seed', () => {
  it('validates, and every fact cites a source', () => {
    const plan = loadSeedPlan(seedDir);
    expect(plan.nodes.length).toBeGreaterThan(20);
    const uncited = [...plan.nodes.filter((n) => n.label !== 'Source'), ...plan.relations].filter(
      (x) => !Array.isArray(x.props.sourceIds) || x.props.sourceIds.length === 0,
    );
    expect(uncited).toEqual([]);
  });

  it('gives every relationship a unique MERGE key', () => {
    const keys = loadSeedPlan(seedDir).relations.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names the file, the entry and the reason for a bad value', () => {
    const err = seedError(editedSeed('deals.yaml', (t) => t.replace('orderYear: 2017', 'orderYear: "soon"')));
    expect(err.file).toBe('deals.yaml');
    expect(err.entry).toMatch(/^deals\[0\] \(tur-s-400-2017\) field orderYear$/);
    expect(err.reason).toMatch(/number/i);
  });

  it('refuses a fact without a source', () => {
    const err = seedError(
      editedSeed('relations.yaml', (t) =>
        t.replace(
          "    since: '1952-02-18'\n    sources: [article-s400-turkey, nato-member-countries]\n",
          "    since: '1952-02-18'\n    sources: []\n",
        ),
      ),
    );
    expect(err).toMatchObject({ file: 'relations.yaml', reason: 'every fact cites at least one source' });
    expect(err.entry).toMatch(/memberships\[0\] \(TUR\)/);
  });

  it('refuses a reference to an entity no file defines, or of the wrong kind', () => {
    const missing = seedError(editedSeed('deals.yaml', (t) => t.replace('buyer: IND', 'buyer: XYZ')));
    expect(missing).toMatchObject({ file: 'deals.yaml', entry: 'deal ind-s-400-2018' });
    expect(missing.reason).toMatch(/buyer names "XYZ", which no seed file defines/);
    const wrongKind = seedError(
      editedSeed('deals.yaml', (t) =>
        t.replace('system: s-400\n    status: DELIVERING', 'system: nato\n    status: DELIVERING'),
      ),
    );
    expect(wrongKind.reason).toMatch(/"nato", a Alliance, but must be a WeaponSystem/);
  });

  it('refuses an unknown source id, an unknown field and invalid YAML', () => {
    expect(
      seedError(
        editedSeed('countries.yaml', (t) =>
          t.replace('sources: [article-s400-turkey]', 'sources: [nowhere]'),
        ),
      ).reason,
    ).toMatch(/names "nowhere"/);
    expect(
      seedError(
        editedSeed('alliances.yaml', (t) => t.replace('founded: 1949', 'founded: 1949\n    colour: blue')),
      ).reason,
    ).toMatch(/colour/);
    expect(seedError(editedSeed('people.yaml', (t) => t + '\n  - [unclosed')).reason).toMatch(
      /not valid YAML/,
    );
  });

  it('refuses a category that is not SIPRI’s', () => {
    const err = seedError(
      editedSeed('weapon-systems.yaml', (t) => t.replace('category: Aircraft', 'category: Spaceships')),
    );
    expect(err.reason).toMatch(/not a SIPRI armament category/);
  });
});
