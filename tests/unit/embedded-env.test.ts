import { childEnv } from '../../src/neo4j/embedded';

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
