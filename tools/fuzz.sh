#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-19, ASan+UBSan, in build-fuzz/) and runs each one for
# SECONDS (default 60) from its seed corpus (fuzz/corpus/<target>/) and committed regressions
# (fuzz/regressions/<target>/). Prints execs/s and coverage (cov: edges, ft: features) per target.
# Fails if any target crashes, leaks, hits UB or times out; the input is left in
# build-fuzz/artifacts/ (commit it under fuzz/regressions/<target>/ once fixed).
# Usage: tools/fuzz.sh [SECONDS] [target ...]     (targets: see fuzz/CMakeLists.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
tools/install-deps.sh clang-19 libclang-rt-19-dev llvm-19

build=build-fuzz
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-19 \
  -DDING_BUILD_FUZZERS=ON -DDING_BUILD_TESTS=OFF -DDING_BUILD_EXAMPLES=OFF -DDING_BUILD_BENCH=OFF \
  -DDING_BUILD_SANDBOX=OFF >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=($(sed -n 's/^set(DING_FUZZ_TARGETS \(.*\))$/\1/p' fuzz/CMakeLists.txt))
fi
cmake --build "$build" -j2 --target "${targets[@]/#/ding_fuzz_}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build/artifacts"
failed=()
summary=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"   # libFuzzer adds what it finds here; the committed seeds stay untouched
  mkdir -p "$work" "fuzz/regressions/$t"
  max_len=4096
  [ "$t" = response_reader ] && max_len=20480   # room for a header block over the 16 KiB limit
  log="$build/$t.log"
  echo "== fuzz $t for ${seconds} s"
  if "$build/fuzz/ding_fuzz_$t" -max_total_time="$seconds" -timeout=10 -max_len="$max_len" \
       -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
       "$work" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    grep -E "ERROR|fuzz check failed|SUMMARY|Test unit written" "$log" | head -20 || true
  fi
  last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$work" -type f | wc -l)
  line=$(printf '%-16s %-6s execs/s %-8s execs %-10s cov: %-6s ft: %-6s corpus %s' \
    "$t" "$status" "${rate:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus")
  echo "$line"
  summary+=("$line")
done
echo "== fuzz summary (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $build/artifacts/, logs in $build/<target>.log)"
  exit 1
fi
