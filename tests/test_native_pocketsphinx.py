"""pocketsphinx as scripts/build-native.sh builds it (make setup): native/pocketsphinx-5.1.1.patch
scores codewords 32 at a time and indexes the grammar lattice's nodes. It must hear exactly
what the stock code hears: the CLI over real people's clips and rendered commands in gym
noise, with the speedups and with HINGE_COACH_PLAIN_POCKETSPHINX=1 (the stock code paths)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from audio.gym_noise import with_noise
from audio.person_voice import DEFAULT_VOICE, render
from audio.wav import write_wav

CLIPS = sorted(Path(__file__).parent.glob("data/speech_commands/*/*.wav"))


def listen(files: list[Path], plain: bool) -> list[str]:
    env = dict(os.environ)
    env.pop("HINGE_COACH_PLAIN_POCKETSPHINX", None)
    if plain:
        env["HINGE_COACH_PLAIN_POCKETSPHINX"] = "1"
    cli = [sys.executable, "-m", "assistant", "listen", "--json", "--wav", *map(str, files)]
    done = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_speedups_are_installed():
    assert importlib.metadata.version("pocketsphinx") == "5.1.1+hinge1"


def test_the_speedups_hear_exactly_what_the_stock_code_hears(tmp_path):
    rng = np.random.default_rng(21)
    noisy = []
    for i, text in enumerate(["hold on", "how many left", "give me a tip", "rest for ninety "
                              "seconds", "can you pass me the water bottle"]):
        speech = render(text, DEFAULT_VOICE).astype(np.float32) / 32768
        noisy.append(tmp_path / f"noisy{i}.wav")
        write_wav(noisy[-1], with_noise(speech, 10, rng), 16_000)
    files = CLIPS + noisy
    fast, plain = listen(files, plain=False), listen(files, plain=True)
    assert len(fast) == len(files)
    assert sum('"intent": null' not in row for row in fast) >= 20  # commands were understood
    assert fast == plain
