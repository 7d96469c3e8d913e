#!/usr/bin/env bash
# Runs each libFuzzer target (fuzz/) for RECGRAD_FUZZ_SECONDS seconds (default 60) from its seed
# corpus in fuzz/corpus/<target>/. A crash, a leak, an exception other than the readers' own errors or
# a sanitizer report fails, and the input that caused it is kept as build-fuzz/crash-* (or leak-*).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${RECGRAD_FUZZ_SECONDS:-60}
RECGRAD_FUZZ=1 bash scripts/install-deps.sh
cmake -S fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz -j"$(nproc)"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for target in config tsv safetensors; do
  # new inputs the fuzzer finds go to a scratch corpus, so the seed corpus in the repository stays as is
  found=$(mktemp -d)
  log=build-fuzz/fuzz_$target.log
  if ! build-fuzz/bin/fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/ "$found" "fuzz/corpus/$target" >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz_$target: failed; the input is in build-fuzz/ (see $log)" >&2
    exit 1
  fi
  rm -rf "$found"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz_$target: $runs executions in ${seconds} s ($rate per second), clean"
done
