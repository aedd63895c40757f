#!/usr/bin/env bash
# Runs every CLI example of README.md as written (the `npx armsgraph ...` lines of its sh blocks) in a
# scratch checkout of HEAD, as a user who just cloned would: `npx armsgraph serve` starts the embedded
# Neo4j, and the examples share it. The paths the examples name (path/to/export.csv, ...) are filled
# with a test fixture first. Each example must exit 0, and each file it writes must not be empty.
# Needs a built checkout (npm ci); .ci/run runs it after the typecheck, lint and format check, beside
# the two jest passes.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch=$(mktemp -d)
serve_pid=""
cleanup() {
  if [[ -n "$serve_pid" ]]; then
    # npx does not pass a SIGTERM on to the service it started: signal the whole process group (npx,
    # the service, and through the service's own shutdown its Neo4j), then wait until all are gone.
    kill -TERM -- "-$serve_pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 -- "-$serve_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# A checkout of HEAD; what `npm ci` makes there (node_modules, the Neo4j jars, the build) is linked
# from this one rather than made again.
git clone -q --no-hardlinks "$repo" "$scratch/armsgraph"
cd "$scratch/armsgraph"
ln -s "$repo/node_modules" node_modules
ln -s "$repo/neo4j/target" neo4j/target
ln -s "$repo/dist" dist

# The build and the Neo4j jars are linked from the checkout `npm ci` made (which ran the package's
# prepare and postinstall scripts): the first `npx armsgraph` would run both again for the scratch
# checkout, rebuilding the linked dist (a minute of tsc and esbuild on a loaded machine) while the test
# passes use it. npx still links and runs the package's bin as it would for the user.
export npm_config_ignore_scripts=true
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
export PORT NEO4J_LOCAL_BOLT_PORT NEO4J_LOCAL_DATA_DIR="$scratch/data" NEO4J_LOCAL_HEAP=1g NEO4J_LOCAL_PAGECACHE=256m
PORT=$(free_port)
NEO4J_LOCAL_BOLT_PORT=$(free_port)
export LOG_LEVEL=warn

# Its own process group (setsid), so that cleanup can stop npx and everything it started.
setsid npx armsgraph serve >"$scratch/serve.log" 2>&1 &
serve_pid=$!
# Starting the JVM takes seconds on an idle machine and minutes on a loaded one.
deadline=$((SECONDS + 600))
until curl -sf "localhost:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$serve_pid" 2>/dev/null || { cat "$scratch/serve.log" >&2; echo "readme-cli: serve died" >&2; exit 1; }
  if ((SECONDS > deadline)); then
    cat "$scratch/serve.log" >&2
    echo "readme-cli: the service was not ready after 600 s" >&2
    exit 1
  fi
  sleep 2
done

mkdir -p path/to
cp tests/fixtures/sipri/variant-trailing-semicolon.csv path/to/export.csv
cp tests/fixtures/sipri/variant-trailing-semicolon.csv export.csv
# An export without its preamble (the README's --generated/--scope example): the header row onwards.
sed -n '/^SIPRI AT Database ID,/,$p' tests/fixtures/sipri/releases/release-2025-01-03.csv >old.csv

# The examples: lines of ```sh blocks that start with `npx armsgraph`, without their comments.
mapfile -t examples < <(awk '/^```sh/{on=1;next} /^```/{on=0} on && /^npx armsgraph /' README.md |
  sed -E 's/[[:space:]]+#.*$//')
[[ ${#examples[@]} -ge 8 ]] || { echo "readme-cli: found only ${#examples[@]} examples in README.md" >&2; exit 1; }

passed=0
failed=0
for example in "${examples[@]}"; do
  set +e
  bash -c "$example" >"$scratch/out" 2>"$scratch/err"
  code=$?
  set -e
  ok=1
  [[ $code -eq 0 ]] || ok=0
  # Files the example writes (--out FILE or DIR, > FILE) must hold something.
  for target in $(grep -oE '(--out|>) [^ ]+' <<<"$example" | awk '{print $2}'); do
    if [[ -d "$target" ]]; then
      [[ -n "$(find "$target" -type f -size +0)" ]] || ok=0
    else
      [[ -s "$target" ]] || ok=0
    fi
  done
  if [[ $ok -eq 1 ]]; then
    passed=$((passed + 1))
    echo "ok   $example"
  else
    failed=$((failed + 1))
    echo "FAIL $example (exit $code)"
    sed 's/^/     /' "$scratch/err" | tail -5
  fi
done
echo "readme-cli: ${passed} of $((passed + failed)) examples ran as the README says"
[[ $failed -eq 0 ]]
