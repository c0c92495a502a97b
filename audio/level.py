"""A recording's loudness brought to where the recogniser's thresholds were set.

The recogniser's levels are absolute: comfort noise at -65 dBFS, no speech below -50 dBFS, a
room louder than -50 dBFS counts as loud. They suit a microphone whose speech peaks around
-20 dBFS, as the unit's is set up to. A file made elsewhere can be 30 dB quieter (a phone at
arm's length): its commands drowned in the comfort noise (at most 1 of 8 understood at 30 dB
down, 8 of 8 brought back to level), so `hinge-coach listen --wav` judges each file at this
level.

>>> quiet = np.sin(np.arange(16_000) / 5).astype(np.float32) * 0.01
>>> round(peak_dbfs(quiet, 16_000)), round(peak_dbfs(to_standard_level(quiet, 16_000), 16_000))
(-43, -20)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW_S = 0.02
"""Loudness is measured over 20 ms windows, the recogniser's frame."""
BACKGROUND_WINDOW_S = 0.01
"""A recording's background is measured over 10 ms windows, to catch short pauses too."""
SILENCE_DBFS = -120.0
"""The level of digital silence, or of too little audio to measure."""


@dataclass(frozen=True)
class LevelSettings:
    """How far a recording's level is moved before it is judged."""

    peak_dbfs: float = -20.0
    """Level (dB full scale) of the loudest 20 ms after scaling."""
    max_gain_db: float = 30.0
    """Most a quiet recording is raised: room tone must not become talk."""
    max_cut_db: float = 20.0
    """Most a loud recording is lowered."""


def _window_power(samples: np.ndarray, rate_hz: int, window_s: float) -> np.ndarray:
    """Mean power of each whole window of float samples in [-1, 1]."""
    size = max(1, int(window_s * rate_hz))
    frames = np.asarray(samples, np.float32)[: len(samples) // size * size].reshape(-1, size)
    return (frames * frames).mean(axis=1)


def _dbfs(power: float) -> float:
    return max(SILENCE_DBFS, 10.0 * float(np.log10(power + 1e-12)))


def peak_dbfs(samples: np.ndarray, rate_hz: int) -> float:
    """Mean power of the loudest 20 ms window of float samples in [-1, 1], in dB full scale
    (SILENCE_DBFS for a recording shorter than a window)."""
    power = _window_power(samples, rate_hz, WINDOW_S)
    return _dbfs(float(power.max())) if len(power) else SILENCE_DBFS


def background_dbfs(samples: np.ndarray, rate_hz: int) -> float:
    """A whole recording's background: the mean power of its quietest tenth of 10 ms windows
    (speech seldom fills nine tenths of a clip), float samples in [-1, 1], in dB full scale."""
    power = _window_power(samples, rate_hz, BACKGROUND_WINDOW_S)
    return _dbfs(float(np.percentile(power, 10.0))) if len(power) else SILENCE_DBFS


def to_standard_level(samples: np.ndarray, rate_hz: int,
                      settings: LevelSettings | None = None) -> np.ndarray:
    """Float samples scaled so that their loudest 20 ms sits at ``settings.peak_dbfs``."""
    s = settings or LevelSettings()
    gain_db = float(np.clip(s.peak_dbfs - peak_dbfs(samples, rate_hz), -s.max_cut_db,
                            s.max_gain_db))
    return np.asarray(samples, np.float32) * np.float32(10.0 ** (gain_db / 20.0))
