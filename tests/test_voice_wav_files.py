"""WAV files as people hand them over: any sample format, rate and channel count, some broken.

`hinge-coach listen --wav` decodes recordings made anywhere (an editor saves 32-bit float, a
recorder 24-bit stereo); a file it cannot read gets its own error line and the rest are still
decoded.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.wav import EXTENSIBLE, IEEE_FLOAT, PCM, WavError, read_wav

ROOT = Path(__file__).parent.parent
STOP_CLIP = sorted((ROOT / "tests/data/speech_commands/stop").glob("*.wav"))[0]


def riff(samples: np.ndarray, rate: int, tag: int, width: int, extensible: bool = False,
         extra_chunk: bytes = b"") -> bytes:
    """WAV bytes for (frames, channels) float samples in [-1, 1], stored as ``tag``/``width``."""
    channels = samples.shape[1]
    if tag == IEEE_FLOAT:
        data = samples.astype("<f4" if width == 4 else "<f8").tobytes()
    elif width == 1:
        data = np.round(samples * 127 + 128).astype(np.uint8).tobytes()
    else:
        ints = np.round(samples * (2 ** (8 * width - 1) - 1)).astype("<i4")
        data = ints.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()  # little-endian low bytes
    fmt = struct.pack("<HHIIHH", EXTENSIBLE if extensible else tag, channels, rate,
                      rate * channels * width, channels * width, 8 * width)
    if extensible:  # cbSize, valid bits, channel mask, then the sub-format GUID
        fmt += struct.pack("<HHI", 22, 8 * width, 0) + struct.pack("<H", tag) + bytes(14)
    body = b"WAVE" + extra_chunk + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data + bytes(len(data) % 2)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(channels: int = 1, rate: int = 16_000) -> np.ndarray:
    t = np.arange(rate // 10) / rate
    wave = 0.5 * np.sin(2 * np.pi * 440 * t)
    return np.stack([wave * (1 - 0.1 * c) for c in range(channels)], axis=1)


@pytest.mark.parametrize(("tag", "width", "channels", "extensible", "tolerance"), [
    (PCM, 1, 1, False, 1 / 100),
    (PCM, 2, 1, False, 1e-4),
    (PCM, 3, 2, False, 1e-6),
    (PCM, 4, 1, False, 1e-6),
    (IEEE_FLOAT, 4, 2, False, 1e-6),
    (IEEE_FLOAT, 8, 1, False, 1e-6),
    (PCM, 3, 1, True, 1e-6),
    (IEEE_FLOAT, 4, 6, True, 1e-6),
])
def test_every_common_sample_format_reads_as_the_same_sound(tmp_path, tag, width, channels,
                                                            extensible, tolerance):
    samples = tone(channels, 44_100)
    path = tmp_path / "x.wav"
    path.write_bytes(riff(samples, 44_100, tag, width, extensible))
    mono, rate = read_wav(path)
    assert rate == 44_100 and mono.dtype == np.float32
    assert np.abs(mono - samples.mean(axis=1)).max() < tolerance


def test_chunks_before_the_format_and_odd_lengths_are_skipped(tmp_path):
    samples = tone()
    path = tmp_path / "x.wav"
    path.write_bytes(riff(samples, 16_000, PCM, 2, extra_chunk=b"LIST\x03\x00\x00\x00abc\x00"))
    mono, _ = read_wav(path)
    assert np.abs(mono - samples[:, 0]).max() < 1e-4


@pytest.mark.parametrize(("damage", "message"), [
    (lambda b: b[: len(b) - 100], "truncated"),
    (lambda b: b[:36], "truncated or empty"),
    (lambda b: b.replace(struct.pack("<HH", PCM, 1), struct.pack("<HH", 7, 1), 1),
     "unsupported format"),  # mu-law
    (lambda b: b"ID3" + b[3:], "not a WAV file"),
])
def test_files_that_cannot_be_read_say_why(tmp_path, damage, message):
    path = tmp_path / "x.wav"
    path.write_bytes(damage(riff(tone(), 16_000, PCM, 2)))
    with pytest.raises(WavError, match=message):
        read_wav(path)


def test_listen_reads_any_format_and_reports_broken_or_missing_files_without_stopping(tmp_path):
    speech, rate = read_wav(STOP_CLIP)
    stereo = np.stack([speech, speech], axis=1)
    float_file, int24_file, broken = tmp_path / "f32.wav", tmp_path / "i24.wav", tmp_path / "b.wav"
    float_file.write_bytes(riff(stereo, rate, IEEE_FLOAT, 4))
    int24_file.write_bytes(riff(stereo, rate, PCM, 3, extensible=True))
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "listen", "--json", "--engine", "pocketsphinx",
         "--wav", str(STOP_CLIP), str(broken), str(tmp_path / "gone.wav"), str(float_file),
         str(int24_file)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["file"]).name for r in rows] == [STOP_CLIP.name, "b.wav", "gone.wav",
                                                    "f32.wav", "i24.wav"]
    assert [r["intent"] for r in rows] == ["stop", None, None, "stop", "stop"]
    assert "error" not in rows[0] and "truncated or empty" in rows[1]["error"]
    assert rows[2]["error"].endswith("gone.wav: no such file or directory")
    assert done.returncode == 1
    assert "b.wav" in done.stderr and "gone.wav" in done.stderr
    assert "Traceback" not in done.stderr
