#!/usr/bin/env bash
# The second README command: install what is missing, build memprof with
# warnings as errors, and run every test (CUnit suites and integration
# tests, all through ctest). Prints ctest's summary; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
MP_BUILD_DIR=${MP_BUILD_DIR:-build} scripts/build.sh -DMP_WERROR=ON -DMP_TESTS=ON
cd "${MP_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)" --timeout 900
