#!/usr/bin/env bash
# Builds everything and runs the whole test suite (ctest).
# Usage: tools/run-tests.sh [--sanitize]   (--sanitize: AddressSanitizer + UBSan, in build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh

build=build preset_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan preset_args=(-DCMAKE_BUILD_TYPE=Debug -DDING_SANITIZE=ON -DDING_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$build" "${preset_args[@]}" -DDING_BUILD_TESTS=ON
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 --timeout 300
