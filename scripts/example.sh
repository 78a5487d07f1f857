#!/usr/bin/env bash
# The first README command: install what is missing, build memprof, and run
# it on a bundled example program, showing what memprof reports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
echo
echo "\$ build/bin/memprof run --mode=off --stats -- build/bin/example_churn"
exec build/bin/memprof run --mode=off --stats -- build/bin/example_churn
