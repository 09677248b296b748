#!/usr/bin/env bash
# Does a GPU pay off for learnburn's models? Fits and scores XGBoost and the tabular MLP on the
# CPU and on the CUDA GPU and prints CPU time / GPU time (benchmarks/gpu_check.py says how).
# On a machine without a CUDA GPU it says so and exits 0. Bounded to 8 minutes.
#
#   bash benchmarks/gpu_check.sh [--rows N]
#
# The MLP needs a CUDA build of torch: `make install TORCH=torch` (a CUDA build from PyPI)
# before running it on a GPU machine; a CPU build is reported and XGBoost is still compared.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    echo "no CUDA GPU on this machine (nvidia-smi -L lists none): nothing to compare"
    exit 0
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
if [ ! -x .venv/bin/python ]; then
    make install
fi
timeout 480 .venv/bin/python benchmarks/gpu_check.py "$@"
