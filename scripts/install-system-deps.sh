#!/usr/bin/env bash
# System packages hinge-coach needs (Debian / Raspberry Pi OS). Idempotent: installs only
# what is missing, so `make demo` / `make test` can call it every time.
set -euo pipefail

packages=(
  espeak-ng          # the coach's voice (pyttsx3 drives it)
  flite              # CMU voices for the person's speech in tests, simulation and benchmarks
  festival festvox-kallpc16k festvox-us-slt-hts  # two more such voices for the benchmark
  libportaudio2      # sounddevice: microphone and speaker
  libspeexdsp1       # echo cancellation: a "stop" said while the coach talks
  sox                # resampling and inspecting WAVs in tests and benchmarks
  pulseaudio         # virtual audio devices for tests on machines without a sound card
  libasound2-plugins # ALSA <-> PulseAudio bridge for those tests
  alsa-utils         # aplay/arecord for checking a real unit
  python3-venv       # the project's virtual environment
  gcc libc6-dev patch cmake  # scripts/build-native.sh: the speedups, built for this CPU
  systemd            # systemd-analyze for checking the service unit
  shellcheck         # lints the Pi install scripts in the tests
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
