import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserServer, type Download } from 'playwright-core';
import { projectRoot } from '../../src/project-root';

/**
 * The one Chromium of a test run. jest's globalSetup builds the explorer's bundles and starts Debian's
 * Chromium once, beside the test Neo4j (both while the JVM starts); every browser test file connects to
 * it and works in its own contexts. A launch per file cost 6-7 s on a loaded two-core machine, and
 * building the bundles per file another 10 s.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** Where globalSetup tells the test files the browser's endpoint (unset: no Chromium installed). */
export const TEST_BROWSER_ENV = 'ARMSGRAPH_TEST_BROWSER_WS';

/** For globalSetup: the bundles from the current sources (the pages are served from them). */
export async function buildWebBundles(): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(projectRoot(), 'scripts', 'build-web.js')]);
}

/** For globalSetup: Chromium as a server the test files connect to; undefined when it is not installed. */
export async function startTestBrowser(): Promise<BrowserServer | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined;
  return chromium.launchServer({ executablePath: CHROMIUM, args: ARGS });
}

/** The run's Chromium. close() on it ends this file's contexts and leaves the browser to the next file. */
export async function connectTestBrowser(): Promise<Browser> {
  const endpoint = process.env[TEST_BROWSER_ENV];
  if (!endpoint) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: run scripts/setup-test-tools.sh (npm test runs it first) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.connect(endpoint);
}

/**
 * A download's bytes. Over a connection to a browser server Playwright does not hand out the browser's
 * own path (download.path() throws): the file is saved into a scratch folder, read, and removed.
 */
export async function downloadBytes(download: Download): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'armsgraph-download-'));
  try {
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
