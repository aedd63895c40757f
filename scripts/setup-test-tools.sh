#!/usr/bin/env bash
# Installs, from Debian, the real tools the tests use and npm cannot bring: python3-networkx (reads the
# exports back) and chromium (the explorer's browser test, driven by playwright-core; playwright's own
# browser download cannot work offline). Run by `npm test` (pretest); does nothing when both are there.
set -euo pipefail

missing=()
python3 -c 'import networkx' >/dev/null 2>&1 || missing+=(python3-networkx)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-tools: install ${missing[*]} (Debian/Ubuntu packages) and run the tests again." >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "setup-test-tools: installing ${missing[*]} with apt-get" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
