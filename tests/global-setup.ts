import type { BrowserServer } from 'playwright-core';
import { startTestNeo4j, TEST_ENV } from './helpers/test-neo4j';
import { buildWebBundles, startTestBrowser, TEST_BROWSER_ENV } from './helpers/test-browser';
import type { EmbeddedNeo4j } from '../src/neo4j/embedded';

declare global {
  var __ARMSGRAPH_TEST_NEO4J__: (EmbeddedNeo4j & { dataDir: string }) | undefined;
  var __ARMSGRAPH_TEST_BROWSER__: BrowserServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  // The bundles and the browser are ready long before the JVM is: they cost the run no time.
  const [neo, browser] = await Promise.all([startTestNeo4j(), startTestBrowser(), buildWebBundles()]);
  globalThis.__ARMSGRAPH_TEST_NEO4J__ = neo;
  globalThis.__ARMSGRAPH_TEST_BROWSER__ = browser;
  // Test workers are started after this and inherit the environment.
  process.env[TEST_ENV.uri] = neo.connection.uri;
  process.env[TEST_ENV.password] = neo.connection.password;
  process.env[TEST_ENV.dataDir] = neo.dataDir;
  process.env[TEST_ENV.port] = neo.connection.uri.split(':').pop();
  if (browser) process.env[TEST_BROWSER_ENV] = browser.wsEndpoint();
}
