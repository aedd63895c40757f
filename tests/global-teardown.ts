import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__ARMSGRAPH_TEST_BROWSER__?.close();
  const neo = globalThis.__ARMSGRAPH_TEST_NEO4J__;
  if (!neo) return;
  await neo.stop();
  fs.rmSync(neo.dataDir, { recursive: true, force: true });
}
