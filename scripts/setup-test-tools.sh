#!/usr/bin/env bash
# Installs the tools the tests run as real readers and browsers, from Debian's own packages:
#   python3-networkx  NetworkX reads the GraphML, GEXF and node-link exports (tests/integration/exports*)
#   chromium          the explorer page's browser test (playwright-core drives Debian's Chromium)
#   fonts-liberation  text in that test's screenshots (a recommend of chromium, skipped below)
# Idempotent and fast when everything is there (one dpkg query); `npm test` runs it first (pretest).
# ARMSGRAPH_SKIP_TOOL_SETUP=1 skips it (a machine where someone else manages packages).
set -euo pipefail

PACKAGES=(
  python3-networkx
  chromium
  fonts-liberation
)

if [[ "${ARMSGRAPH_SKIP_TOOL_SETUP:-}" == "1" ]]; then
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-tools: missing ${missing[*]} and no apt-get here: install them (Debian/Ubuntu package names) or set ARMSGRAPH_SKIP_TOOL_SETUP=1" >&2
  exit 1
fi
SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
  else
    echo "setup-test-tools: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-test-tools: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# Try with the package lists there are; refresh them only when that fails (a fresh machine).
if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
  "${SUDO[@]}" apt-get update >/dev/null
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi
