"""The native speedups against the stock code, in the same run: the recogniser's CPU over the
same files, each way in its own process, taken in turn so that a busy machine slows both.

    python bench/native.py [--rounds 3] [--json]

Files: the 140 real people's clips in tests/data and 40 rendered commands and remarks (flite,
four CMU voices) in gym noise at 10 dB, which go through noise suppression. "speedups" is
pocketsphinx as scripts/build-native.sh builds it and RNNoise's float layers by
native/rnnoise_linear.c (DenoiseSettings(eight_bit=False)); "stock" is
HINGE_COACH_PLAIN_POCKETSPHINX=1 (the stock code paths, compiled the same) and
DenoiseSettings(accelerate=False); "eight_bit", where built, is the speedups with RNNoise's
8-bit layers, as the unit runs. Decoding CPU only (process time around decide_file; loading the
models is left out). Also checks that the speedups hear the same as the stock code, and counts
the files whose intent the 8-bit layers changed (obeyed as another command, or no longer or
newly obeyed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio import rnnoise_simd  # noqa: E402
from audio.denoise import DenoiseSettings  # noqa: E402
from audio.gym_noise import with_noise  # noqa: E402
from audio.listen import decide_file  # noqa: E402
from audio.person_voice import PEOPLE, render  # noqa: E402
from audio.recognizer import RecognizerSettings, make_recognizer  # noqa: E402
from audio.wav import write_wav  # noqa: E402

PLAIN_ENV = "HINGE_COACH_PLAIN_POCKETSPHINX"
SAID = ["hold on", "how many left", "give me a tip", "rest for ninety seconds", "keep going",
        "what muscles does this work", "three sets of eight", "slow down",
        "can you pass me the water bottle", "I think it is going to rain later"]


def write_files(folder: Path) -> list[Path]:
    """The clips in tests/data, and the rendered lines in gym noise written to ``folder``."""
    rng = np.random.default_rng(5)
    files = sorted((ROOT / "tests" / "data").glob("speech_commands/*/*.wav"))
    for voice in PEOPLE[:4]:
        for text in SAID:
            speech = render(text, voice).astype(np.float32) / 32768
            files.append(folder / f"{voice.name}-{len(files)}.wav")
            write_wav(files[-1], with_noise(speech, 10, rng), 16_000)
    return files


WAYS = ("stock", "speedups", "eight_bit")


def child(way: str, files: list[str]) -> None:
    """Decode ``files`` as the CLI does, computed ``way``, and print CPU seconds and what was
    heard."""
    denoise = DenoiseSettings(accelerate=way != "stock", eight_bit=way == "eight_bit")
    recognizer = make_recognizer(RecognizerSettings(engine="pocketsphinx", denoise=denoise))
    if way == "eight_bit" and recognizer.denoiser and \
            recognizer.denoiser.mode != rnnoise_simd.EIGHT_BIT:
        print(json.dumps(None))  # not built for this CPU
        return
    start = time.process_time()
    heard = []
    for path in files:
        decision = decide_file(recognizer, path)
        heard.append(None if decision is None else
                     [decision.text, decision.intent and decision.intent.name,
                      decision.confidence, decision.rejected])
    print(json.dumps({"cpu_s": time.process_time() - start, "heard": heard}))


def run(files: list[Path], way: str) -> dict | None:
    env = {k: v for k, v in os.environ.items() if k != PLAIN_ENV}
    if way == "stock":
        env[PLAIN_ENV] = "1"
    done = subprocess.run([sys.executable, __file__, "--child", way, *map(str, files)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder))
        cpu: dict[str, list[float]] = {way: [] for way in WAYS}
        heard: dict[str, list] = {}
        for _ in range(args.rounds):
            for way in WAYS:
                if (out := run(files, way)) is not None:
                    cpu[way].append(out["cpu_s"])
                    heard[way] = out["heard"]
    best = {way: min(seconds) for way, seconds in cpu.items() if seconds}
    result: dict[str, object] = {
        "machine": platform.processor() or platform.machine(), "files": len(files),
        **{f"{way}_cpu_s": round(seconds, 2) for way, seconds in best.items()},
        "ratio": round(best["speedups"] / best["stock"], 2),
        "same_decisions": heard["stock"] == heard["speedups"]}
    if "eight_bit" in best:
        result["eight_bit_ratio"] = round(best["eight_bit"] / best["stock"], 2)
        result["eight_bit_changed"] = sum(  # the intent obeyed (None: no speech, no intent)
            (a or [None, None])[1] != (b or [None, None])[1]
            for a, b in zip(heard["speedups"], heard["eight_bit"], strict=True))
    if args.json:
        print(json.dumps(result))
    else:
        eight_bit = (f"; with RNNoise's 8-bit layers {result['eight_bit_cpu_s']} s "
                     f"(x{result['eight_bit_ratio']}), {result['eight_bit_changed']} files obeyed "
                     "otherwise" if "eight_bit" in best else "")
        print(f"{len(files)} files: stock {result['stock_cpu_s']} s, speedups "
              f"{result['speedups_cpu_s']} s of CPU (x{result['ratio']}); "
              f"same decisions: {result['same_decisions']}{eight_bit}")
    return 0 if result["same_decisions"] else 1


if __name__ == "__main__":
    sys.exit(main())
