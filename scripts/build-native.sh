#!/usr/bin/env bash
# Native speedups, built for this machine's CPU: the same results with less CPU. Optional:
# without them (no C compiler, a failed build) the unit runs on the stock libraries.
#   native/rnnoise_linear.c -> audio/librnnoise_linear.so (audio/rnnoise_simd.py)
set -euo pipefail
cd "$(dirname "$0")/.."
# -ffp-contract=off: no fused multiply-adds, so every sum rounds as the stock library's does.
cc -O3 -march=native -ffp-contract=off -fPIC -shared -o audio/librnnoise_linear.so \
    native/rnnoise_linear.c
echo "built audio/librnnoise_linear.so"
