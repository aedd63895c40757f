import { childEnv, jvmFlags } from '../../src/neo4j/embedded';

describe('the embedded Neo4j child environment', () => {
  it('keeps what the JVM needs and drops the service secrets', () => {
    const env = childEnv({
      PATH: '/usr/bin',
      JAVA_HOME: '/usr/lib/jvm/java-17',
      HOME: '/root',
      ARMSGRAPH_WRITE_TOKEN: 'analyst:secret',
      ARMSGRAPH_READ_TOKEN: 'reader',
      NEO4J_PASSWORD: 'pw',
      SOME_API_KEY: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
    });
    expect(env).toEqual({ PATH: '/usr/bin', JAVA_HOME: '/usr/lib/jvm/java-17', HOME: '/root' });
  });
});

describe("the embedded Neo4j JVM's flags", () => {
  it('compiles with the first JIT tier only in a JVM that stops with its command', () => {
    expect(jvmFlags({ heap: '1g', shortLived: true })).toContain('-XX:TieredStopAtLevel=1');
    expect(jvmFlags({ heap: '1g', shortLived: true })).toEqual(
      expect.arrayContaining(['-Xms1g', '-Xmx1g', '-XX:+ExitOnOutOfMemoryError']),
    );
  });

  it("keeps both tiers in a service's JVM", () => {
    expect(jvmFlags({ heap: '2g' }).some((f) => f.startsWith('-XX:TieredStopAtLevel'))).toBe(false);
    expect(
      jvmFlags({ heap: '2g', shortLived: false }).some((f) => f.startsWith('-XX:TieredStopAtLevel')),
    ).toBe(false);
  });
});
