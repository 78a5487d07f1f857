#!/usr/bin/env bash
# The README's first command: example_churn under memprof run --stats
# finishes, succeeds, and prints what it did.
source "$(dirname "$0")/lib.sh"
example=$1

mp run --mode=off --stats -- "$example"
expect_status 0
expect_out_has "example_churn: inserted 200000 entries"
expect_out_has "example_churn: deleted 180000 entries; 20000 remain"
expect_out_has "example_churn: churned 200000 short-lived strings"
grep -q "checksum [0-9a-f]\{16\}$" "$TMP/out" || fail "no checksum line"
pass
