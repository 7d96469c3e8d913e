#!/usr/bin/env bash
# Installs recgrad's build and test dependencies from Debian 12 packages (run as root).
# Packages already present are skipped, so a second run costs a few seconds and no network.
set -euo pipefail

packages=(
  cmake g++ make ccache
  xtensor-dev xtl-dev libxsimd-dev   # tensors
  libopenblas-dev                    # BLAS under every matmul (cblas_sgemm/dgemm)
  nlohmann-json3-dev                 # configs, safetensors headers, metrics
  libcli11-dev                       # the recgrad command line
  libfmt-dev                         # messages and progress lines
  googletest libgtest-dev            # tests
  libbenchmark-dev                   # bench/
  jupyter-nbconvert python3-ipykernel python3-matplotlib python3-numpy  # notebooks/, run by the tests
  graphviz                           # draws the autograd graph in notebooks/01_autograd.ipynb
  pybind11-dev python3-dev python3-pytest  # the recgrad Python module (python/) and its tests
  libopenmpi-dev openmpi-bin         # data-parallel training: mpirun -np N recgrad train (train/distributed.h)
)
if [[ "${RECGRAD_FUZZ:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)  # libFuzzer for fuzz/ (scripts/fuzz.sh)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages (${missing[*]}); run this script as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
