#!/usr/bin/env bash
# Runs memprof's libFuzzer targets (docs/hardening.md), one after another,
# one job each (the fuzzers share the machine).
#
#   fuzz/run.sh [SECONDS]          each target for SECONDS (default 60)
#   MP_FUZZ_RUNS=N fuzz/run.sh [S] each target for N executions, or S seconds
#                                  if that comes first
#   MP_FUZZ_TARGETS="fuzz_log" ... only these targets
#   fuzz/run.sh --corpus-check DIR build into DIR and run each target once
#                                  over its seed corpus (-runs=0): the ctest
#                                  fuzz.libfuzzer_corpus
#
# Builds the targets with clang (-fsanitize=fuzzer,address,undefined) into
# build-fuzz/ (or $MP_FUZZ_BUILD). New inputs go to build-fuzz/fuzz/work/T,
# crashes to build-fuzz/fuzz/crashes/T/; the seeds in fuzz/corpus/T are
# read, never written. Prints executions and crashes per target; exits 1
# if any target crashed, 77 if clang or libFuzzer is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
targets=(${MP_FUZZ_TARGETS:-fuzz_log fuzz_options fuzz_suppress})

check=0
if [ "${1:-}" = --corpus-check ]; then
  check=1
  build=${2:?usage: fuzz/run.sh --corpus-check BUILD_DIR}
else
  build=${MP_FUZZ_BUILD:-build-fuzz}
  secs=${1:-60}
fi

# libFuzzer comes with clang's runtime (Debian: clang, libclang-rt-*-dev).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' > "$probe/p.c"
if ! command -v clang >/dev/null 2>&1; then
  echo "memprof: fuzz: SKIP: clang is not installed (Debian: apt-get install clang)" >&2
  exit 77
fi
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  echo "memprof: fuzz: SKIP: clang cannot link libFuzzer (Debian: libclang-rt-dev)" >&2
  exit 77
fi

mkdir -p "$build"
if ! { cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMP_FUZZ=ON -DMP_TESTS=OFF -DMP_BENCH=OFF &&
       cmake --build "$build" -j2 --target "${targets[@]}"; } > "$build/fuzz-build.log" 2>&1; then
  tail -30 "$build/fuzz-build.log" >&2
  echo "memprof: fuzz: the build failed (full output in $build/fuzz-build.log)" >&2
  exit 1
fi

# ASan and UBSan stop at the first report; libFuzzer reports it as a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

crashed=0
for t in "${targets[@]}"; do
  exe=$build/fuzz/$t
  seeds=$src/fuzz/corpus/$t
  if [ $check = 1 ]; then
    if ! "$exe" -runs=0 "$seeds" > "$build/fuzz/$t.corpus.log" 2>&1; then
      tail -40 "$build/fuzz/$t.corpus.log" >&2
      echo "memprof: fuzz: $t failed on its corpus" >&2
      crashed=1
    else
      echo "$t: $(ls "$seeds" | wc -l) corpus inputs, no crash"
    fi
    continue
  fi
  work=$build/fuzz/work/$t crashes=$build/fuzz/crashes/$t
  mkdir -p "$work" "$crashes"
  limit=(-max_total_time="$secs")
  [ -n "${MP_FUZZ_RUNS:-}" ] && limit+=(-runs="$MP_FUZZ_RUNS")
  log=$build/fuzz/$t.log
  start=$(date +%s)
  rc=0
  "$exe" "${limit[@]}" -close_fd_mask=3 -print_final_stats=1 \
         -artifact_prefix="$crashes/" "$work" "$seeds" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  ncrash=$(find "$crashes" -type f | wc -l)
  echo "$t: ${execs:-?} executions in $(( $(date +%s) - start )) s, exit $rc," \
       "$ncrash crash file(s) in $crashes, corpus $(ls "$work" | wc -l) (log: $log)"
  [ $rc = 0 ] && [ "$ncrash" = 0 ] || crashed=1
done
exit $crashed
