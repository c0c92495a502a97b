"""Mono WAV files <-> float32 numpy arrays, with atomic writes and integrity checks."""

from __future__ import annotations

import os
import struct
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


PCM, IEEE_FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
"""WAV format tags: integer samples, float samples, and the extensible header naming either."""
_PCM_WIDTHS = (1, 2, 3, 4)
"""Bytes per integer sample we read (3: 24-bit)."""
_PCM_TYPES = {1: np.uint8, 2: np.dtype("<i2"), 4: np.dtype("<i4")}
_FLOAT_TYPES = {4: np.dtype("<f4"), 8: np.dtype("<f8")}


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read a WAV of integer (8, 16, 24 or 32 bit) or float (32 or 64 bit) samples, any
    number of channels -> (float32 mono samples in [-1, 1], rate_hz); raise WavError.

    Recordings come from anywhere (an editor saves 32-bit float, a phone 24-bit stereo), so
    this reads the RIFF chunks itself: Python's wave module knows 16-bit integer PCM only.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise WavError(f"{path}: {(exc.strerror or str(exc)).lower()}") from exc
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError(f"{path}: not a WAV file")
    chunks = _chunks(data)
    if b"fmt " not in chunks or len(chunks[b"fmt "][0]) < 16 or b"data" not in chunks:
        raise WavError(f"{path}: truncated or empty (no format or no samples)")
    fmt, (raw, complete) = chunks[b"fmt "][0], chunks[b"data"]
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]  # the sub-format GUID starts with the tag
    width = block_align // channels if channels else 0  # bytes per sample as stored
    known = width in _PCM_WIDTHS if tag == PCM else tag == IEEE_FLOAT and width in _FLOAT_TYPES
    if channels < 1 or rate <= 0 or not known:
        raise WavError(f"{path}: unsupported format (tag {tag}, {channels} ch, {bits} bit, "
                       f"{rate} Hz)")
    if not complete or len(raw) < block_align:
        raise WavError(f"{path}: truncated or empty ({len(raw)} bytes of samples)")
    raw = raw[:len(raw) // block_align * block_align]
    return _samples(raw, tag, width).reshape(-1, channels).mean(axis=1, dtype=np.float32), rate


def _chunks(data: bytes) -> dict[bytes, tuple[bytes, bool]]:
    """RIFF chunk id -> (its bytes, whether all of them were present)."""
    chunks: dict[bytes, tuple[bytes, bool]] = {}
    pos = 12
    while pos + 8 <= len(data):
        name, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = data[pos + 8:pos + 8 + size]
        chunks.setdefault(name, (body, len(body) == size))
        pos += 8 + size + size % 2  # chunks are padded to an even length
    return chunks


def _samples(raw: bytes, tag: int, width: int) -> np.ndarray:
    """Interleaved sample bytes -> float32 in [-1, 1]."""
    if tag == IEEE_FLOAT:
        return np.frombuffer(raw, _FLOAT_TYPES[width]).astype(np.float32)
    if width == 3:  # 24-bit: widen to 32 by putting each sample in the top three bytes
        wide = np.zeros((len(raw) // 3, 4), np.uint8)
        wide[:, 1:] = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        return wide.view("<i4").reshape(-1).astype(np.float32) / 2.0 ** 31
    samples = np.frombuffer(raw, _PCM_TYPES[width]).astype(np.float32)
    if width == 1:  # 8-bit WAV is unsigned
        return (samples - 128.0) / 128.0
    return samples / 2.0 ** (8 * width - 1)
