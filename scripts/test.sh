#!/usr/bin/env bash
# The second README command: install what is missing, build memprof with
# warnings as errors, and run every test (CUnit suites and integration
# tests, all through ctest). Prints ctest's summary; exits non-zero on failure.
#
# Then a second build, build-asan (or $MP_ASAN_BUILD_DIR), with ASan and
# UBSan (MP_SANITIZE=address,undefined; docs/hardening.md), and the tests
# whose code runs sanitized there: the unit tests (label unit, without the
# timed ones labelled perf), the fuzz targets' corpus replays (fuzz) and
# the integration tests of the analyzer and the CLI (replay, report, dump,
# check, flamegraph, timeline, retention, cli), and the fault tests (fault:
# the shim, built with UBSan in trap mode here, under injected faults).
# Every sanitizer report stops the program, which fails its test.
# MP_TEST_ASAN=0 skips this part.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
MP_BUILD_DIR=${MP_BUILD_DIR:-build} scripts/build.sh -DMP_WERROR=ON -DMP_TESTS=ON
(cd "${MP_BUILD_DIR:-build}" && ctest --output-on-failure -j"$(nproc)" --timeout 900)

[ "${MP_TEST_ASAN:-1}" = 0 ] && exit 0
asan=${MP_ASAN_BUILD_DIR:-build-asan}
MP_BUILD_DIR=$asan scripts/build.sh -DMP_WERROR=ON -DMP_TESTS=ON -DMP_BENCH=OFF \
  -DMP_SANITIZE=address,undefined
cd "$asan"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --output-on-failure -j"$(nproc)" --timeout 900 \
        -L '^(unit|fuzz|replay|report|dump|check|flamegraph|timeline|retention|cli|fault)$' -LE '^perf$'
