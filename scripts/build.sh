#!/usr/bin/env bash
# Configures and builds memprof into ./build (or $MP_BUILD_DIR).
# Usage: scripts/build.sh [cmake -D options...] [-- target...]
# The build's output goes to <build>/build.log; on failure its end is shown.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MP_BUILD_DIR:-build}
opts=() targets=()
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then shift; targets=("$@"); break; fi
  opts+=("$1"); shift
done
mkdir -p "$build"
echo "memprof: building in $build (log: $build/build.log)" >&2
if ! { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${MP_BUILD_TYPE:-RelWithDebInfo}" "${opts[@]}" &&
       cmake --build "$build" -j"$(nproc)" ${targets[@]:+--target "${targets[@]}"}; } \
     > "$build/build.log" 2>&1; then
  tail -40 "$build/build.log" >&2
  echo "memprof: the build failed (full output in $build/build.log)" >&2
  exit 1
fi
