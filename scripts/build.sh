#!/usr/bin/env bash
# Configures and builds memprof into ./build (or $MP_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MP_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=${MP_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
