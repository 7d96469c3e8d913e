#!/usr/bin/env bash
# The whole test suite, as CI runs it: build, then every test through ctest, then each libFuzzer target
# for a bounded time (scripts/fuzz.sh; RECGRAD_FUZZ_SECONDS, default 60), then the suite again under
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize.sh). The cheaper
# checks come first, so a broken build or test fails in minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2
bash scripts/fuzz.sh
bash scripts/sanitize.sh
