"""A simulated path from the unit's speaker to its microphone, for tests and benchmarks.

The direct sound (the speaker sits a few centimetres from the microphone) and the room's
reverberation: an exponentially decaying noise tail. No recording of the real unit's echo can
be made here; this is what an echo canceller has to learn in a plain room. UnitInRoom runs
the unit's own chain on it: player output to the reference tap, echo plus a person to the
microphone, the echo canceller, the recogniser muted as the player mutes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .echo_cancel import EchoCanceller, EchoCancelSettings, PlaybackTap
from .player import PlayerSettings
from .recognizer import Recognizer
from .resample import resample_all

RATE_HZ = 16_000
BLOCK = RATE_HZ // 10
"""The microphone's 100 ms blocks."""
LEAD_S = 0.5
"""Silence before each line."""
PLAYER_AHEAD_S = 0.1
"""How far ahead of the microphone the player has written its output."""


@dataclass(frozen=True)
class Room:
    """How the speaker's sound reaches the microphone."""

    delay_s: float = 0.03
    """From the moment the stream reports a sample played to its arrival at the microphone
    (conversion, the air, what the two streams' latency reports miss)."""
    reverberation_s: float = 0.4
    """Time for the reverberation to fall by 60 dB (RT60): a furnished room."""
    direct_to_reverberant_db: float = 6.0
    """Energy of the direct sound over that of the reverberation."""
    seed: int = 1
    """The reverberation tail's noise."""

    def impulse_response(self) -> np.ndarray:
        """Float64 at 16 kHz: silence for delay_s, the direct sound (1.0), then the tail."""
        rng = np.random.default_rng(self.seed)
        n = int(self.reverberation_s * RATE_HZ)
        tail = rng.normal(0, 1, n) * np.exp(-6.9 * np.arange(n) / n)  # 60 dB over RT60
        tail[0] = 0.0
        tail *= np.sqrt(10 ** (-self.direct_to_reverberant_db / 10) / np.sum(tail ** 2))
        tail[0] = 1.0
        return np.concatenate([np.zeros(int(self.delay_s * RATE_HZ)), tail])

    def echo(self, played: np.ndarray) -> np.ndarray:
        """What the microphone hears of ``played`` (float, 16 kHz), as long as ``played``."""
        return np.convolve(played, self.impulse_response())[:len(played)].astype(np.float32)


class UnitInRoom:
    """One unit hearing itself through a room. Time runs on across calls, as on a unit, so
    the echo canceller keeps what it learned of the room."""

    def __init__(self, recognizer: Recognizer, echo_db: float,
                 cancel: EchoCancelSettings | None, room: Room = Room(),
                 player: PlayerSettings | None = None) -> None:
        self.rec = recognizer
        self.player = player = player or PlayerSettings()
        self.tap = PlaybackTap(player.sample_rate_hz)
        self.canceller = None if cancel is None else EchoCanceller(self.tap, cancel)
        if self.canceller is not None:
            recognizer.echo_kept = self.canceller.kept_db
        self.room, self.gain = room, np.float32(10 ** (echo_db / 20))
        self.now_s = 0.0
        self._played = 0  # output samples handed to the tap

    def hear(self, text: str, played: np.ndarray, person: np.ndarray | None = None,
             person_at_s: float = 0.0) -> list[str]:
        """Intents obeyed while the unit says ``text`` (``played``: float at the player's
        rate) and a person says ``person`` (float, 16 kHz, or None) starting ``person_at_s``
        after the line does. The echo is ``echo_db`` above a person at the same level."""
        rate = self.player.sample_rate_hz
        line = resample_all((np.clip(played, -1, 1) * 32767).astype(np.int16), rate)
        line_at = int(LEAD_S * RATE_HZ)
        mic = np.zeros(line_at + len(line) + 2 * RATE_HZ, np.float32)
        mic[line_at:line_at + len(line)] = line.astype(np.float32) / 32768
        mic = self.room.echo(mic) * self.gain
        if person is not None:
            at = line_at + int(person_at_s * RATE_HZ)
            # room for the endpointer to close the person's segment within this call
            end = at + len(person) + 3 * RATE_HZ // 2
            mic = np.concatenate([mic, np.zeros(max(0, end - len(mic)), np.float32)])
            mic[at:at + len(person)] += person
        pcm = (np.clip(mic, -1, 1) * 32767).astype(np.int16)
        muted_until = self.now_s + (line_at + len(line)) / RATE_HZ + self.player.mute_tail_s
        self.rec.own_speech = lambda seconds: [text]
        played_from = round((self.now_s + LEAD_S) * rate)
        obeyed = []
        for start in range(0, len(pcm), BLOCK):
            t = self.now_s + start / RATE_HZ
            self._play(played, played_from, until_s=t + PLAYER_AHEAD_S)
            block = pcm[start:start + BLOCK]
            if self.canceller is not None:
                block = self.canceller.process(block, t)
            self.rec.muted = t < muted_until
            if (d := self.rec.accept(block)) and d.intent:
                obeyed.append(d.intent.name)
        self.now_s += len(pcm) / RATE_HZ
        return obeyed

    def _play(self, played: np.ndarray, played_from: int, until_s: float) -> None:
        """Hand the tap the output stream's blocks up to ``until_s``: silence, and ``played``
        from sample ``played_from`` of the stream on."""
        rate, n = self.player.sample_rate_hz, self.player.blocksize_frames
        while self._played / rate < until_s:
            block = np.zeros(n, np.float32)
            at = self._played
            lo, hi = max(at, played_from), min(at + n, played_from + len(played))
            if lo < hi:
                block[lo - at:hi - at] = played[lo - played_from:hi - played_from]
            self.tap.played(block, at / rate)
            self._played += n
