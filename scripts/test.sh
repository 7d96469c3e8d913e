#!/usr/bin/env bash
# The whole test suite, as CI runs it: build, then every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2
