#!/usr/bin/env bash
# Builds and runs the tests. Installs what is missing (Debian 12, apt-get) first.
# Usage: tools/run-tests.sh [MODE]
#   (none)          g++ 12, RelWithDebInfo, in build/: everything, the whole suite
#   --sanitize      clang-19, AddressSanitizer + UBSan, Debug, in build-asan/: the whole suite
#   --tsan          clang-19, ThreadSanitizer, RelWithDebInfo, in build-tsan/: builds the test
#                   executables labelled `tsan` (target ding_tsan_tests: the integration and
#                   stress tiers) and runs `ctest -L tsan`
#   --fuzz SECONDS  tools/fuzz.sh SECONDS: every libFuzzer target for SECONDS (clang-19, build-fuzz/)
# DING_STRESS_SECONDS (default 6) bounds each stress case. The DNS tier (label `dns`) needs root
# (network and mount namespaces); without it, it is skipped with a warning, unless
# CI_REQUIRE_DNS_TIER=1 (then it fails).
# CI (.ci/run) runs all four; the default and --sanitize together test both compilers.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-default}
case "$mode" in
  default|--sanitize|--tsan) ;;
  --fuzz) exec tools/fuzz.sh "${2:-60}" ;;
  *) echo "usage: $0 [--sanitize | --tsan | --fuzz SECONDS]" >&2; exit 2 ;;
esac

ctest_args=(--output-on-failure -j2 --timeout 300)
# The stress tier (label `stress`, in every mode) runs each case for this many seconds.
export DING_STRESS_SECONDS=${DING_STRESS_SECONDS:-6}
prefix=()
case "$mode" in
  default)
    tools/install-deps.sh g++-12
    build=build
    config=(-DCMAKE_CXX_COMPILER=g++-12 -DCMAKE_BUILD_TYPE=RelWithDebInfo)
    targets=(all)
    ;;
  --sanitize)
    tools/install-deps.sh clang-19 libclang-rt-19-dev llvm-19
    build=build-asan
    config=(-DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=Debug -DDING_SANITIZE=ON -DDING_BUILD_BENCH=ON)
    targets=(all)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/bin/llvm-symbolizer-19}
    ;;
  --tsan)
    tools/install-deps.sh clang-19 libclang-rt-19-dev llvm-19
    build=build-tsan
    config=(-DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDING_TSAN=ON
            -DDING_BUILD_EXAMPLES=OFF -DDING_BUILD_BENCH=OFF)
    targets=(ding_tsan_tests)
    ctest_args+=(-L tsan)
    # tools/tsan.supp: false positives of Boost.Asio itself (each one explained there).
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tools/tsan.supp ${TSAN_OPTIONS:-}"
    # ThreadSanitizer needs a memory layout that some kernels' ASLR (vm.mmap_rnd_bits > 28 on
    # older runtimes) does not give: probe, and run without ASLR (setarch -R) if that is what works.
    mkdir -p "$build"
    printf '#include <thread>\nint x; int main() { std::thread t([] { x = 1; }); t.join(); return x - 1; }\n' \
      >"$build/tsan_probe.cpp"
    clang++-19 -fsanitize=thread -o "$build/tsan_probe" "$build/tsan_probe.cpp"
    if ! "$build/tsan_probe" >/dev/null 2>&1; then
      if setarch "$(uname -m)" -R "$build/tsan_probe" >/dev/null 2>&1; then
        echo "ThreadSanitizer needs ASLR off on this kernel: running the tests under setarch -R"
        prefix=(setarch "$(uname -m)" -R)
      else
        echo "ThreadSanitizer does not run on this machine (even under setarch -R)" >&2
        exit 1
      fi
    fi
    ;;
esac

cmake -S . -B "$build" "${config[@]}" -DDING_BUILD_TESTS=ON
cmake --build "$build" -j2 --target "${targets[@]}"
"${prefix[@]}" ctest --test-dir "$build" "${ctest_args[@]}"
