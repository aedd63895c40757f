#!/usr/bin/env node
'use strict';
// The package's command-line tool; the TypeScript sources are compiled by `npm install` (prepare).
require('../dist/src/cli.js');
