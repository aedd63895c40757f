#!/usr/bin/env node
'use strict';
// The package's command-line tool; the TypeScript sources are compiled by `npm install` (prepare).
// It calls main() itself: npm starts a bin through links of other names (npx, npm link, a global
// install), so the compiled module cannot tell from its own path that it is the entry point.
require('../dist/src/cli.js').main();
