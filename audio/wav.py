"""Mono WAV files <-> float32 numpy arrays, with atomic writes and integrity checks."""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np


class WavError(ValueError):
    """A WAV file is missing, truncated, empty or in a format we do not write."""


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] -> int16, clipped (never wraps around)."""
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def write_wav(path: str | os.PathLike[str], samples: np.ndarray, rate_hz: int) -> None:
    """Write mono 16-bit PCM atomically: a crash mid-write leaves the old file or none."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".wav", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            with wave.open(fh, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(int(rate_hz))
                w.writeframes(to_int16(np.asarray(samples, dtype=np.float32)).tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic on POSIX within one directory
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a mono or stereo 16-bit WAV -> (float32 mono samples, rate_hz); raise WavError."""
    try:
        size = os.path.getsize(path)
        with wave.open(os.fspath(path), "rb") as w:
            channels, width, rate, frames = (
                w.getnchannels(),
                w.getsampwidth(),
                w.getframerate(),
                w.getnframes(),
            )
            raw = w.readframes(frames)
    except (OSError, EOFError, wave.Error) as exc:
        raise WavError(f"{path}: {exc}") from exc
    if width != 2 or channels not in (1, 2) or rate <= 0:
        raise WavError(f"{path}: unsupported format ({channels} ch, {8 * width} bit, {rate} Hz)")
    # The header's frame count must match the data actually present: catches truncation.
    if frames == 0 or len(raw) != frames * channels * width or size < 44 + len(raw):
        raise WavError(f"{path}: truncated or empty ({len(raw)} bytes for {frames} frames)")
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels == 2:
        data = data.reshape(-1, 2).mean(axis=1)
    return data, rate
