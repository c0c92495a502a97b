#!/usr/bin/env bash
# Native speedups, built for this machine's CPU: the same results to the bit with less CPU.
# Optional: without them (no C compiler, no network, a failed build) the unit runs on the
# stock libraries. Usage: scripts/build-native.sh [PYTHON]   (default .venv/bin/python)
#   native/rnnoise_linear.c -> librnnoise_linear.so in the audio package as PYTHON imports it
#     (audio/rnnoise_simd.py)
#   native/pocketsphinx-5.1.1.patch -> pocketsphinx 5.1.1+hinge1, built from PyPI's sources
#     and installed over the stock wheel (docs/voice.md, "Native speedups")
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
# -ffp-contract=off: no fused multiply-adds, so every sum rounds as the stock library's does.
# On ARM the baseline instruction set (NEON): an SD card moved from a Pi 5 to a Pi 4 still
# runs. Elsewhere this CPU's own: the vectors are 8 floats wide, and without AVX on x86 they
# are slower than the stock code.
case "$(uname -m)" in
    aarch64 | arm64) FLAGS=(-O3 -march=armv8-a -ffp-contract=off) ;;
    *) FLAGS=(-O3 -march=native -ffp-contract=off) ;;
esac

audio_dir=$("$PY" -I -c 'import audio, pathlib; print(pathlib.Path(audio.__file__).parent)')
cc "${FLAGS[@]}" -fPIC -shared -o "$audio_dir/librnnoise_linear.so" native/rnnoise_linear.c -lm
echo "built $audio_dir/librnnoise_linear.so"

if "$PY" -c 'import importlib.metadata as m, sys
sys.exit(m.version("pocketsphinx") != "5.1.1+hinge1")'; then
    echo "pocketsphinx 5.1.1+hinge1 already installed"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" -m pip download --quiet --no-deps --no-binary :all: pocketsphinx==5.1.1 -d "$work"
tar -xzf "$work"/pocketsphinx-5.1.1.tar.gz -C "$work"
patch --quiet -d "$work"/pocketsphinx-5.1.1 -p1 < native/pocketsphinx-5.1.1.patch
CFLAGS="${FLAGS[*]}" "$PY" -m pip wheel --quiet --no-deps -w "$work"/wheel "$work"/pocketsphinx-5.1.1
"$PY" -m pip install --quiet --no-deps --force-reinstall "$work"/wheel/pocketsphinx-*.whl
echo "installed pocketsphinx 5.1.1+hinge1"
