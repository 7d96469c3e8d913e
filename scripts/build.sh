#!/usr/bin/env bash
# Installs what is missing (apt-get, as root), then configures and builds recgrad into build/.
# Extra arguments go to CMake's configure step, e.g. -DRECGRAD_NATIVE=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"
