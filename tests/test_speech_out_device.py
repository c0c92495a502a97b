"""Against a real virtual device: a PulseAudio null sink, recorded from its monitor with parec.

Checks content, order and truncation of what reached the sink; never wall-clock timing.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from audio.player import Player, PlayerSettings, Priority
from audio.speaker import Speaker, SpeakerSettings
from tests.pulse_fixture import PulseServer

RATE = 22050


def wait_for(pred, timeout_s: float = 15.0, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while not pred():
        if time.monotonic() > deadline:
            return False
        time.sleep(step_s)
    return True


class Recorder:
    """parec from virt_out.monitor to a raw s16le mono file at RATE."""

    def __init__(self, pulse: PulseServer, path: Path) -> None:
        self.path = path
        self._fh = path.open("wb")
        self._proc = subprocess.Popen(
            ["parec", "-d", "virt_out.monitor", "--raw", "--format=s16le", f"--rate={RATE}",
             "--channels=1", "--latency-msec=20"], stdout=self._fh, env=pulse.env)
        assert wait_for(lambda: path.stat().st_size > 0), "parec produced nothing"

    def stop(self) -> np.ndarray:
        time.sleep(0.3)  # let the sink's buffer drain into the monitor
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._fh.close()
        return np.fromfile(self.path, dtype="<i2").astype(np.float32) / 32768.0


def tone(freq: float, seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant(x: np.ndarray, frame: int = 1024) -> list[int]:
    """Dominant frequency (Hz, rounded to 50) of each loud frame, in order."""
    out = []
    freqs = np.fft.rfftfreq(frame, 1 / RATE)
    for i in range(0, x.size - frame, frame // 2):
        seg = x[i:i + frame]
        if np.sqrt(np.mean(seg**2)) > 0.05:
            f = freqs[np.argmax(np.abs(np.fft.rfft(seg * np.hanning(frame))))]
            out.append(int(round(f / 50) * 50))
    return out


def runs(seq: list[int]) -> list[int]:
    return [f for i, f in enumerate(seq) if i == 0 or seq[i - 1] != f]


@pytest.fixture
def player(pulse):
    p = Player(PlayerSettings(device="pulse", volume=1.0, stall_timeout_s=10.0))
    assert p.output_ok
    yield p
    p.close()


def test_interrupt_then_safety_on_real_device(pulse, player, tmp_path):
    rec = Recorder(pulse, tmp_path / "rec.raw")
    long = player.play(tone(440, 3.0), priority=Priority.CUE)
    assert wait_for(lambda: long.pos > RATE // 2)  # half a second of it handed over
    player.stop()
    stop_pos = long.pos
    safety = player.play(tone(1000, 0.4), priority=Priority.SAFETY)
    assert safety.done.wait(15)
    x = rec.stop()
    assert long.state == "cut" and stop_pos < long.samples.size
    seq = dominant(x)
    assert runs(seq) == [450, 1000]  # the cut tone, then the safety sound; nothing after
    frames_440 = seq.count(450) * 512
    assert frames_440 < 0.6 * long.samples.size  # the 3 s tone was cut early, mid-sound


def test_count_replacement_on_real_device(pulse, player, tmp_path):
    rec = Recorder(pulse, tmp_path / "rec.raw")
    cue = player.play(tone(440, 0.6), priority=Priority.CUE)
    assert wait_for(lambda: cue.pos > 0)  # counts queue behind a cue already playing
    stale = player.play(tone(650, 0.3), priority=Priority.COUNT, key="count")
    fresh = player.play(tone(850, 0.3), priority=Priority.COUNT, key="count")
    assert fresh.done.wait(15) and cue.state == "done"  # a count does not cut a cue
    x = rec.stop()
    assert stale.state == "replaced"
    seq = runs(dominant(x))
    assert 650 not in seq and seq == [450, 850]


def test_speaker_cue_reaches_the_sink(pulse, tmp_path):
    settings = SpeakerSettings(cache_dir=str(tmp_path / "cues"),
                               player=PlayerSettings(device="pulse", volume=1.0,
                                                     stall_timeout_s=10.0))
    with Speaker(settings) as spk:
        assert spk.player.output_ok
        spk.build(["Push your hips back slowly."])
        cue = spk.cache.get("Push your hips back slowly.")
        rec = Recorder(pulse, tmp_path / "rec.raw")
        snd = spk.say("Push your hips back slowly.")
        assert snd is not None and snd.done.wait(15) and snd.state == "done"
        x = rec.stop()
    loud = np.flatnonzero(np.abs(x) > 0.01)
    got = x[loud[0]: loud[-1] + 1]
    assert abs(got.size - cue.size) < 0.15 * cue.size  # all of it, once
    # The same waveform: correlation coefficient at the best small lag (onsets already align
    # to within a few ms; pulse resamples 22.05k -> 44.1k -> 22.05k, which changes little).
    ref = cue[np.flatnonzero(np.abs(cue) > 0.01)[0]:]
    n = min(got.size, ref.size) - 400
    best = max(np.corrcoef(got[200 + lag: 200 + lag + n], ref[200: 200 + n])[0, 1]
               for lag in range(-200, 200))
    assert best > 0.9
