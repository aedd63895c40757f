#!/usr/bin/env bash
# `npm test`: the type check, lint and format check run beside jest instead of before it (they need
# no Neo4j, and jest, one test file at a time, leaves room on the cores: about a minute and a half
# less); the command fails when any of them fails. Arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.."
checks_log=$(mktemp)
(npm run --silent typecheck && npm run --silent lint && npm run --silent format:check) >"$checks_log" 2>&1 &
checks=$!
jest_status=0
node node_modules/jest/bin/jest.js "$@" || jest_status=$?
checks_status=0
wait "$checks" || checks_status=$?
cat "$checks_log"
rm -f "$checks_log"
echo "npm test: typecheck, lint and format check exited $checks_status, jest $jest_status"
[[ $checks_status -eq 0 && $jest_status -eq 0 ]]
