"""Earcons generated with numpy: no asset files, any sample rate.

Each is built from pure, steady sine tones with smooth envelopes: no noise, no formant-like
glides, no syllable rhythm, so a speech recogniser has nothing word-like to latch on to.

>>> click = earcon("tap", 22050)
>>> len(click) <= 0.04 * 22050
True
"""

from __future__ import annotations

from functools import cache

import numpy as np

EARCON_NAMES: tuple[str, ...] = ("tap", "rep", "rest_over", "listening", "error")
"""Every earcon ``earcon()`` can make."""


def _tone(
    freq_hz: float, dur_s: float, rate: int, *, attack_s: float = 0.004, decay: float | None = None
) -> np.ndarray:
    """A sine with a raised-cosine attack/release (no clicks) and optional exponential decay."""
    n = int(dur_s * rate)
    t = np.arange(n, dtype=np.float64) / rate
    y = np.sin(2 * np.pi * freq_hz * t)
    if decay is not None:
        y *= np.exp(-t / decay)
    a = max(1, int(attack_s * rate))
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, a))
    y[:a] *= ramp
    y[-a:] *= ramp[::-1]
    return y


def _silence(dur_s: float, rate: int) -> np.ndarray:
    return np.zeros(int(dur_s * rate))


def _make(name: str, rate: int) -> np.ndarray:
    if name == "tap":
        # Wall-tap confirmation: a 25 ms high "tick", fast attack so it is felt as instant.
        y = _tone(3520.0, 0.025, rate, attack_s=0.0008, decay=0.006)
        peak = 0.9
    elif name == "rep":
        # Rep chime: two bell partials (a fifth apart) decaying together, 250 ms.
        y = _tone(1318.5, 0.25, rate, decay=0.08) + 0.5 * _tone(1975.5, 0.25, rate, decay=0.06)
        peak = 0.6
    elif name == "rest_over":
        # Triple beep at one steady pitch: the universal "time's up".
        beep = _tone(1760.0, 0.09, rate)
        gap = _silence(0.07, rate)
        y = np.concatenate([beep, gap, beep, gap, beep])
        peak = 0.6
    elif name == "listening":
        # Two rising pure tones: "I'm listening".
        y = np.concatenate([_tone(1046.5, 0.07, rate), _tone(1568.0, 0.09, rate)])
        peak = 0.5
    elif name == "error":
        # Two falling tones a tritone apart: unmistakably "no".
        y = np.concatenate(
            [_tone(740.0, 0.12, rate), _silence(0.03, rate), _tone(523.25, 0.16, rate)]
        )
        peak = 0.5
    else:
        raise KeyError(f"unknown earcon {name!r}; known: {', '.join(EARCON_NAMES)}")
    return (peak * y / np.max(np.abs(y))).astype(np.float32)


@cache
def earcon(name: str, rate: int = 22050) -> np.ndarray:
    """Samples (float32 mono, read-only) for earcon ``name`` at ``rate`` Hz; cached."""
    y = _make(name, int(rate))
    y.setflags(write=False)
    return y
