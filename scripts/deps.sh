#!/usr/bin/env bash
# Installs the Debian packages memprof needs to build and test, if missing.
# Usage: scripts/deps.sh [extra-package ...]
set -euo pipefail

pkgs=(gcc g++ make cmake pkg-config libunwind-dev libdw-dev libzstd-dev libcunit1-dev
      zlib1g-dev golang-go
      python3 python3-jsonschema libxml2-utils sqlite3 git redis-server redis-tools
      libc6-dbg
      chromium fonts-dejavu-core  # the browser tests (tests/browser)
      valgrind                    # the leak-kind tests against memcheck (tests/integration/leakkinds)
      "$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "memprof: installing missing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
