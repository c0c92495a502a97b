"""Noise suppression CPU: RNNoise's layers by the speedup (native/rnnoise_linear.c) against
the library's own code, in the same run, on the same synthetic gym noise.

    python bench/denoise.py [--seconds 20] [--rounds 4] [--json]

Times rnnoise_process_frame alone (wall clock per 10 ms frame, the best of the rounds, the two
ways taken in turn so that a busy machine slows both) and checks that both give the same
output to the bit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import soxr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from audio import rnnoise_simd  # noqa: E402
from audio.denoise import RATE_HZ, RNNOISE_FRAME, RNNOISE_RATE_HZ, Denoiser  # noqa: E402
from audio.gym_noise import gym_noise  # noqa: E402


def denoise_all(denoiser: Denoiser, frames: np.ndarray, fast: bool) -> tuple[float, np.ndarray]:
    """Seconds per frame and the output, from a fresh RNNoise state."""
    start = time.perf_counter()
    out = rnnoise_simd.denoised_frames(denoiser._lib, frames, denoiser._simd, fast)
    return (time.perf_counter() - start) / len(frames), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    denoiser = Denoiser()
    if not denoiser.accelerated:
        print(f"the speedup is not in use: {rnnoise_simd.status}", file=sys.stderr)
        return 1
    noise = gym_noise(args.seconds, np.random.default_rng(1)).astype(np.float32)
    noise = soxr.resample(noise * 8000 / np.abs(noise).max(), RATE_HZ, RNNOISE_RATE_HZ)
    frames = noise[:len(noise) // RNNOISE_FRAME * RNNOISE_FRAME].reshape(-1, RNNOISE_FRAME)
    times: dict[bool, list[float]] = {False: [], True: []}
    outputs: dict[bool, np.ndarray] = {}
    for _ in range(args.rounds):
        for fast in (False, True):
            seconds, outputs[fast] = denoise_all(denoiser, frames, fast)
            times[fast].append(seconds)
    library, speedup = min(times[False]), min(times[True])
    result = {"machine": platform.processor() or platform.machine(), "frames": len(frames),
              "library_ms_per_frame": round(library * 1e3, 3),
              "speedup_ms_per_frame": round(speedup * 1e3, 3),
              "ratio": round(speedup / library, 2),
              "identical_output": bool(np.array_equal(outputs[False], outputs[True]))}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"RNNoise per 10 ms frame: library {result['library_ms_per_frame']} ms, speedup "
              f"{result['speedup_ms_per_frame']} ms (x{result['ratio']}); output identical: "
              f"{result['identical_output']}")
    return 0 if result["identical_output"] else 1


if __name__ == "__main__":
    sys.exit(main())
