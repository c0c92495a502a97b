"""Any block of device samples -> 16 kHz mono int16, in a stream (soxr keeps filter state)."""

from __future__ import annotations

import numpy as np
import soxr

TARGET_RATE_HZ = 16_000
"""The rate every recogniser here takes."""


def to_mono_float(block: np.ndarray) -> np.ndarray:
    """(frames,) or (frames, channels) int16/float -> float32 mono in [-1, 1]."""
    data = np.asarray(block)
    if data.dtype == np.int16:
        data = data.astype(np.float32) / 32768.0
    else:
        data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        data = data.mean(axis=1)
    return data


def float_to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] -> int16, clipped rather than wrapped."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)


class StreamResampler:
    """Resample consecutive blocks without clicks at block edges.

    >>> r = StreamResampler(48_000)
    >>> out = r.process(np.zeros(4800, dtype=np.int16))
    >>> out.dtype, abs(len(out) + len(r.flush()) - 1600) <= 1
    (dtype('int16'), True)
    """

    def __init__(self, in_rate_hz: int, out_rate_hz: int = TARGET_RATE_HZ) -> None:
        self.in_rate_hz = int(in_rate_hz)
        self.out_rate_hz = int(out_rate_hz)
        self._stream = (None if self.in_rate_hz == self.out_rate_hz else
                        soxr.ResampleStream(self.in_rate_hz, self.out_rate_hz, 1,
                                            dtype="float32", quality="HQ"))

    def process(self, block: np.ndarray) -> np.ndarray:
        """One block of device samples -> int16 mono at out_rate_hz (may be empty)."""
        mono = to_mono_float(block)
        if self._stream is not None:
            mono = self._stream.resample_chunk(mono)
        return float_to_int16(mono)

    def flush(self) -> np.ndarray:
        """The samples soxr still holds; call once at the end of a stream."""
        if self._stream is None:
            return np.zeros(0, dtype=np.int16)
        return float_to_int16(self._stream.resample_chunk(np.zeros(0, np.float32), last=True))


def resample_all(samples: np.ndarray, in_rate_hz: int,
                 out_rate_hz: int = TARGET_RATE_HZ) -> np.ndarray:
    """A whole signal at once -> int16 mono at out_rate_hz."""
    mono = to_mono_float(samples)
    if in_rate_hz != out_rate_hz:
        mono = soxr.resample(mono, in_rate_hz, out_rate_hz, quality="HQ")
    return float_to_int16(mono)
