#!/usr/bin/env bash
# The first README command: install what is missing, build memprof, run a
# bundled example program under it, and show memprof's report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh -- memprof memprof_cli example_churn
log=build/example_churn.mpz
rm -f "$log" "$log".*
echo
echo "\$ build/bin/memprof run -o $log -- build/bin/example_churn"
build/bin/memprof run -o "$log" -- build/bin/example_churn
echo
# example_churn allocates through its own xmalloc: --alloc-fn names the callers.
echo "\$ build/bin/memprof report --top 3 --alloc-fn=xmalloc $log"
exec build/bin/memprof report --top 3 --alloc-fn=xmalloc "$log"
