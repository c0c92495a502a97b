"""RNNoise's layers computed by native/rnnoise_linear.c: the real librnnoise, flite's voice in
synthetic gym noise, and the speedup as scripts/build-native.sh built it (make setup)."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

from assistant.doctor import check_denoise
from audio import rnnoise_simd
from audio.denoise import Denoiser, DenoiseSettings
from audio.gym_noise import with_noise
from audio.listen import decide_file
from audio.person_voice import DEFAULT_VOICE, render
from audio.recognizer import RecognizerSettings, make_recognizer
from audio.wav import write_wav


def denoised(settings: DenoiseSettings, samples: np.ndarray) -> tuple[Denoiser, np.ndarray]:
    denoiser = Denoiser(settings)
    blocks = [denoiser.process(samples[i:i + 1600])[0] for i in range(0, len(samples), 1600)]
    return denoiser, np.concatenate(blocks)


def hold_on_at_10_db() -> np.ndarray:
    speech = render("hold on", DEFAULT_VOICE).astype(np.float32) / 32768
    return with_noise(speech, 10, np.random.default_rng(3))


def test_the_float_layers_denoise_to_the_same_bit_as_the_library():
    samples = hold_on_at_10_db()
    fast, out_fast = denoised(DenoiseSettings(eight_bit=False), samples)
    plain, out_plain = denoised(DenoiseSettings(accelerate=False), samples)
    assert fast.mode == rnnoise_simd.FLOAT, rnnoise_simd.status
    assert plain.mode == rnnoise_simd.LIBRARY_CODE and not plain.accelerated
    assert fast.noisy and np.abs(out_fast).max() > 1000  # it did denoise speech in noise
    assert np.array_equal(out_fast, out_plain)


def eight_bit_built_here() -> bool:
    """scripts/build-native.sh builds the 8-bit layers for x86 with AVX2 and for ARM."""
    return (platform.machine() in ("aarch64", "arm64")
            or "avx2" in Path("/proc/cpuinfo").read_text().split())


def test_the_8_bit_layers_are_used_where_built_and_denoise_nearly_as_the_float_ones():
    samples = hold_on_at_10_db()
    eight, out_eight = denoised(DenoiseSettings(), samples)
    _, out_float = denoised(DenoiseSettings(eight_bit=False), samples)
    if not eight_bit_built_here():  # the float layers, then
        assert eight.mode == rnnoise_simd.FLOAT
        return
    assert eight.mode == rnnoise_simd.EIGHT_BIT, rnnoise_simd.status
    assert rnnoise_simd.status.startswith("in use: 8-bit layers")
    assert not np.array_equal(out_eight, out_float)  # computed otherwise...
    assert rnnoise_simd.snr(out_float, out_eight) > 25  # ...to nearly the same sound


def test_a_command_in_noise_is_heard_the_same_through_the_8_bit_layers(tmp_path):
    path = tmp_path / "hold_on_10dB.wav"
    write_wav(path, hold_on_at_10_db() / 32768, 16_000)
    heard = {}
    for eight_bit in (True, False):
        settings = RecognizerSettings(engine="pocketsphinx",
                                      denoise=DenoiseSettings(eight_bit=eight_bit))
        decision = decide_file(make_recognizer(settings), path)
        assert decision is not None and decision.denoised
        heard[eight_bit] = (decision.text, decision.intent and decision.intent.name)
    assert heard[True] == heard[False] == ("hold on", "pause")


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


def test_the_doctor_says_which_layers_compute_rnnoise():
    chosen = check_denoise(DenoiseSettings()).message
    kept_float = check_denoise(DenoiseSettings(eight_bit=False)).message
    assert "computed by the speedup's float layers" in kept_float
    wanted = "8-bit" if eight_bit_built_here() else "float"
    assert f"computed by the speedup's {wanted} layers" in chosen
