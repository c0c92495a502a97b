"""Noise suppression CPU: RNNoise's layers by the speedup (native/rnnoise_linear.c), float
and 8-bit, against the library's own code, in the same run, on the same synthetic gym noise.

    python bench/denoise.py [--seconds 20] [--rounds 4] [--json]

Times rnnoise_process_frame alone (wall clock per 10 ms frame, the best of the rounds, the ways
taken in turn so that a busy machine slows each), checks that the float layers give the
library's output to the bit and says how close the 8-bit layers' output is (signal to
difference, dB), if they were built for this CPU.
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


def denoise_all(denoiser: Denoiser, frames: np.ndarray, mode: int) -> tuple[float, np.ndarray]:
    """Seconds per frame and the output, from a fresh RNNoise state."""
    start = time.perf_counter()
    out = rnnoise_simd.denoised_frames(denoiser._lib, frames, denoiser._simd, mode)
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
    modes = {"library": rnnoise_simd.LIBRARY_CODE, "speedup": rnnoise_simd.FLOAT}
    if denoiser.mode == rnnoise_simd.EIGHT_BIT:
        modes["eight_bit"] = rnnoise_simd.EIGHT_BIT
    times: dict[str, list[float]] = {name: [] for name in modes}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, mode in modes.items():
            seconds, outputs[name] = denoise_all(denoiser, frames, mode)
            times[name].append(seconds)
    best = {name: min(seconds) for name, seconds in times.items()}
    result: dict[str, object] = {
        "machine": platform.processor() or platform.machine(), "frames": len(frames),
        **{f"{name}_ms_per_frame": round(seconds * 1e3, 3) for name, seconds in best.items()},
        "ratio": round(best["speedup"] / best["library"], 2),
        "identical_output": bool(np.array_equal(outputs["library"], outputs["speedup"]))}
    if "eight_bit" in best:
        result["eight_bit_ratio"] = round(best["eight_bit"] / best["library"], 2)
        result["eight_bit_snr_db"] = round(rnnoise_simd.snr(outputs["library"],
                                                            outputs["eight_bit"]), 1)
    if args.json:
        print(json.dumps(result))
    else:
        eight_bit = (f"; 8-bit layers {result['eight_bit_ms_per_frame']} ms "
                     f"(x{result['eight_bit_ratio']}), {result['eight_bit_snr_db']} dB from the "
                     "library's output" if "eight_bit" in best
                     else "; 8-bit layers not built for this CPU")
        print(f"RNNoise per 10 ms frame: library {result['library_ms_per_frame']} ms, float "
              f"speedup {result['speedup_ms_per_frame']} ms (x{result['ratio']}, output "
              f"identical: {result['identical_output']}){eight_bit}")
    return 0 if result["identical_output"] else 1


if __name__ == "__main__":
    sys.exit(main())
