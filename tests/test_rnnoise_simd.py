"""RNNoise's layers computed by native/rnnoise_linear.c: the real librnnoise, flite's voice in
synthetic gym noise, and the speedup as scripts/build-native.sh built it (make setup)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from audio import rnnoise_simd
from audio.denoise import Denoiser, DenoiseSettings
from audio.gym_noise import with_noise
from audio.person_voice import DEFAULT_VOICE, render


def denoised(settings: DenoiseSettings, samples: np.ndarray) -> tuple[Denoiser, np.ndarray]:
    denoiser = Denoiser(settings)
    blocks = [denoiser.process(samples[i:i + 1600])[0] for i in range(0, len(samples), 1600)]
    return denoiser, np.concatenate(blocks)


def test_the_speedup_is_in_use_and_denoises_to_the_same_bit_as_the_library():
    speech = render("hold on", DEFAULT_VOICE).astype(np.float32) / 32768
    samples = with_noise(speech, 10, np.random.default_rng(3))
    fast, out_fast = denoised(DenoiseSettings(accelerate=True), samples)
    plain, out_plain = denoised(DenoiseSettings(accelerate=False), samples)
    assert fast.accelerated, rnnoise_simd.status
    assert not plain.accelerated
    assert fast.noisy and np.abs(out_fast).max() > 1000  # it did denoise speech in noise
    assert np.array_equal(out_fast, out_plain)


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip()


def test_loaded_too_late_the_library_runs_on_its_own_and_says_why():
    # The speedup can only take librnnoise's calls if it is loaded first (audio/denoise.py
    # does that); a process that loaded librnnoise itself keeps the library's code.
    out = run_python(
        "import ctypes\n"
        "from audio.denoise import Denoiser, find_library\n"
        "from audio import rnnoise_simd\n"
        "ctypes.CDLL(str(find_library()))\n"
        "d = Denoiser()\n"
        "print(d.accelerated, rnnoise_simd.status)\n")
    assert out == "False librnnoise was loaded before the speedup, which cannot take its calls"


def test_not_built_the_denoiser_still_works_and_says_how_to_build_it():
    out = run_python(
        "import numpy as np\n"
        "from pathlib import Path\n"
        "from audio import rnnoise_simd\n"
        "rnnoise_simd.LIBRARY = Path('/nonexistent/librnnoise_linear.so')\n"
        "from audio.denoise import Denoiser\n"
        "d = Denoiser()\n"
        "d.process(np.zeros(1600, np.int16))\n"
        "print(d.accelerated, rnnoise_simd.status)\n")
    assert out == "False not built (bash scripts/build-native.sh)"
