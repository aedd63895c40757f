import path from 'node:path';
import { ConfigError, loadConfig, NODE_ENV_DEFAULTED } from '../../src/config';

describe('loadConfig', () => {
  it('uses the documented defaults when the environment is empty', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.neo4j.uri).toBeUndefined();
    expect(config.embedded.boltPort).toBe(7687);
    expect(config.embedded.dataDir).toBe(path.resolve(__dirname, '../../.neo4j/data'));
    expect(config.auth.writeToken).toBeUndefined();
    expect(config.auth.readToken).toBeUndefined();
  });

  it('keeps introspection on for the local tool (NODE_ENV unset) and off under an explicit production', () => {
    expect(loadConfig({}).env).toBe('production');
    expect(loadConfig({}).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ARMSGRAPH_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(loadConfig({ ARMSGRAPH_INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('gives the libraries an unset NODE_ENV as production (node-env), while the service still reads it as unset', () => {
    const saved = { ...process.env };
    const loadNodeEnv = () =>
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../../src/node-env');
      });
    try {
      delete process.env.NODE_ENV;
      delete process.env[NODE_ENV_DEFAULTED];
      loadNodeEnv();
      expect(process.env.NODE_ENV).toBe('production');
      expect(loadConfig(process.env).env).toBe('production');
      // Introspection follows only an explicit production, as before the libraries were told.
      expect(loadConfig(process.env).introspection).toBe(true);
      process.env.NODE_ENV = 'development';
      delete process.env[NODE_ENV_DEFAULTED];
      loadNodeEnv();
      expect(process.env.NODE_ENV).toBe('development');
      expect(process.env[NODE_ENV_DEFAULTED]).toBeUndefined();
    } finally {
      process.env = saved;
    }
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '5000',
      NEO4J_URI: 'neo4j+s://abc.databases.neo4j.io',
      NEO4J_USERNAME: 'analyst',
      NEO4J_PASSWORD: 'pw',
      NEO4J_DATABASE: 'arms',
      NEO4J_LOCAL_BOLT_PORT: '7777',
      NEO4J_LOCAL_DATA_DIR: '/tmp/x',
      ARMSGRAPH_WRITE_TOKEN: 'w',
      ARMSGRAPH_READ_TOKEN: 'r',
    });
    expect(config).toMatchObject({
      port: 5000,
      neo4j: {
        uri: 'neo4j+s://abc.databases.neo4j.io',
        username: 'analyst',
        password: 'pw',
        database: 'arms',
      },
      embedded: { boltPort: 7777, dataDir: '/tmp/x' },
      auth: { writeToken: 'w', readToken: 'r' },
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ NEO4J_URI: '', ARMSGRAPH_WRITE_TOKEN: ' ' }).neo4j.uri).toBeUndefined();
    expect(loadConfig({ ARMSGRAPH_WRITE_TOKEN: ' ' }).auth.writeToken).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer between 0 and 65535/],
    [{ NEO4J_URI: 'http://localhost:7474' }, /NEO4J_URI must start with bolt/],
    [{ NEO4J_LOCAL_HEAP: 'lots' }, /NEO4J_LOCAL_HEAP must be a size/],
  ])('rejects %p with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
