#!/usr/bin/env bash
# The whole test suite again, built with AddressSanitizer (with LeakSanitizer, its leak check at exit)
# and UndefinedBehaviorSanitizer into build-asan/: any report fails the test that triggered it.
# Left out: the walkthrough notebooks (tests/notebooks/CMakeLists.txt). They retrain the book's models
# at full size, about 4 minutes in a release build and several times that under the sanitizers, and
# the code they run (the recgrad program, the layers) is exercised here by the other tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# -O1, as the sanitizers' documentation advises: it compiles the xtensor templates much faster than -O3
# and keeps the reports' stack traces readable.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DRECGRAD_SANITIZE=ON \
  >/dev/null
cmake --build build-asan -j"$(nproc)"
# UBSan stops at the first report (the build also says -fno-sanitize-recover); ASan stops at its first
# report too, and LSan reports what is still allocated at exit. Each turns the exit code non-zero.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
ctest --test-dir build-asan --output-on-failure -j2
