#!/usr/bin/env node
// Fetches Neo4j Community from Maven Central and builds the launcher (neo4j/pom.xml).
// Runs from `npm install` (postinstall), so a fresh clone needs nothing installed by hand
// beyond Node, a JDK 17 and Maven. Set ARMSGRAPH_SKIP_NEO4J_INSTALL=1 when only a remote
// Neo4j (NEO4J_URI) will ever be used.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pomDir = path.join(root, 'neo4j');
const jar = path.join(pomDir, 'target', 'armsgraph-neo4j.jar');
const libDir = path.join(pomDir, 'target', 'lib');

function fail(message) {
  console.error(`\narmsgraph: ${message}\n`);
  process.exit(1);
}

if (process.env.ARMSGRAPH_SKIP_NEO4J_INSTALL === '1') {
  console.log('armsgraph: ARMSGRAPH_SKIP_NEO4J_INSTALL=1, not fetching the embedded Neo4j');
  process.exit(0);
}

const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
if (java.error) {
  fail(
    'java was not found. Install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) and run npm install again.',
  );
}
const mvnCheck = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
if (mvnCheck.error) {
  fail('mvn was not found. Install Maven (Debian: apt-get install maven) and run npm install again.');
}

const started = Date.now();
console.log('armsgraph: fetching Neo4j Community from Maven Central (neo4j/pom.xml)...');
const mvn = spawnSync('mvn', ['-B', '-q', '-f', path.join(pomDir, 'pom.xml'), 'package'], {
  stdio: 'inherit',
});
if (mvn.status !== 0) {
  fail(
    'fetching Neo4j with Maven failed (see the Maven output above). Check that Maven Central is reachable ' +
      '(proxy settings in ~/.m2/settings.xml) and run npm install again.',
  );
}
if (!fs.existsSync(jar) || !fs.existsSync(libDir)) {
  fail(`Maven finished but ${path.relative(root, jar)} or its lib/ folder is missing.`);
}
const jars = fs.readdirSync(libDir).filter((f) => f.endsWith('.jar')).length;
console.log(
  `armsgraph: embedded Neo4j ready (${jars} jars) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
