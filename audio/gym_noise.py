"""Synthetic gym noise for tests and benchmarks: music-ish chords, babble, metal clanks.

No recordings of a gym can be shipped here; this mix puts energy where a gym's does (a steady
harmonic bed with a beat, speech-band noise that swells like voices, sharp clanks), which is
what makes a closed-grammar decoder hear commands that were never said.
"""

from __future__ import annotations

import numpy as np

RATE_HZ = 16_000


def gym_noise(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Float32 at 16 kHz, peak 0.5."""
    n = int(seconds * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    music = np.zeros(n, np.float32)
    for k, f0 in enumerate(rng.choice([110, 147, 165, 196, 220], 3)):
        beat = 0.5 + 0.5 * (np.sin(2 * np.pi * 2.0 * t + k) > 0)
        for h in range(1, 6):
            music += beat * np.sin(2 * np.pi * f0 * h * t) / h
    babble = np.convolve(rng.normal(size=n), np.ones(8) / 8, "same")
    babble *= 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6)) ** 2
    clanks = np.zeros(n, np.float32)
    for _ in range(max(1, int(seconds))):
        i = rng.integers(0, max(1, n - 4000))
        clanks[i:i + 4000] += np.sin(2 * np.pi * 2500 * t[:4000]) * np.exp(-t[:4000] * 40) * 3
    mix = music / np.std(music) + babble / np.std(babble) + clanks
    return (mix / np.max(np.abs(mix)) * 0.5).astype(np.float32)


def with_noise(speech: np.ndarray, snr_db: float | None, rng: np.random.Generator) -> np.ndarray:
    """Speech (float, 16 kHz) with 0.6 s before and 1.2 s after, gym noise at ``snr_db`` below
    the speech's power (None: none), as int16."""
    gap = np.zeros(int(0.6 * RATE_HZ), np.float32)
    x = np.concatenate([gap, speech, gap, gap])
    if snr_db is not None:
        noise = gym_noise(len(x) / RATE_HZ + 0.01, rng)[:len(x)]  # whole samples, never short
        p_s = np.mean(speech ** 2)
        noise *= np.sqrt(p_s / (np.mean(noise ** 2) * 10 ** (snr_db / 10)))
        x = x + noise
    return (np.clip(x, -1, 1) * 32767).astype(np.int16)
