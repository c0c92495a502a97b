"""Where speech starts and ends in a 16 kHz stream: energy over a tracked noise floor + webrtc VAD.

Recognisers only see the speech segments this finds (plus a little audio either side), so
silence and steady noise cost no CPU and never reach a grammar that would name them a command.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
from pocketsphinx import Vad

FRAME_S = 0.02
"""Frame length in seconds; one of the lengths webrtc VAD accepts (10, 20 or 30 ms)."""
FRAME_SAMPLES = 320
"""Samples per frame at 16 kHz."""


@dataclass(frozen=True)
class EndpointSettings:
    """How speech is told from silence and noise."""

    margin_db: float = 9.0
    """A speech frame is at least this many dB above the tracked noise floor."""
    min_level_dbfs: float = -50.0
    """Frames quieter than this (dB full scale) are never speech."""
    vad_mode: int = 2
    """webrtc VAD aggressiveness, 0 (loose) to 3 (strict)."""
    start_s: float = 0.08
    """Speech this long within start_window_s opens a segment."""
    start_window_s: float = 0.14
    """Window, in seconds, over which start_s of speech is counted."""
    hangover_s: float = 0.28
    """Silence this long (seconds) after speech ends a segment."""
    preroll_s: float = 0.25
    """Audio kept from before the detected start (seconds): onsets are quiet."""
    max_segment_s: float = 6.0
    """A segment longer than this (seconds) is cut: nobody commands for that long."""
    floor_rise_db_per_s: float = 3.0
    """How fast the noise floor follows a louder background (dB per second)."""


class Endpointer:
    """Feed 20 ms frames; read in_speech, silence_s and the segment boundaries.

    >>> ep = Endpointer()
    >>> quiet = np.zeros(FRAME_SAMPLES, dtype=np.int16)
    >>> any(ep.push(quiet) for _ in range(50))
    False
    """

    def __init__(self, settings: EndpointSettings | None = None) -> None:
        self.settings = settings or EndpointSettings()
        self.forget()

    def forget(self) -> None:
        """Another room: reset(), and the noise floor and the VAD's own model of the noise
        start afresh too."""
        self._vad = Vad(self.settings.vad_mode, 16_000, FRAME_S)
        self.floor_db = -70.0
        self.reset()

    def reset(self) -> None:
        """Forget the current segment (the noise floor is kept: the room has not changed)."""
        s = self.settings
        self.in_speech = False
        self.silence_s = 0.0
        self.segment_s = 0.0
        self.speech_frames = 0
        self._recent: deque[bool] = deque(maxlen=max(1, round(s.start_window_s / FRAME_S)))
        self.preroll: deque[np.ndarray] = deque(maxlen=max(1, round(s.preroll_s / FRAME_S)))

    def is_speech(self, frame: np.ndarray) -> bool:
        """Loud enough above the floor and speech-like to webrtc; also updates the floor."""
        s = self.settings
        x = frame.astype(np.float32) / 32768.0
        level = 10.0 * np.log10(float(np.mean(x * x)) + 1e-10)
        loud = level >= s.min_level_dbfs and level >= self.floor_db + s.margin_db
        if not self.in_speech or not loud:
            # Track the background: fall at once, rise slowly, so speech does not raise it.
            if level < self.floor_db:
                self.floor_db = level
            else:
                self.floor_db = min(level, self.floor_db + s.floor_rise_db_per_s * FRAME_S)
        return loud and self._vad.is_speech(frame.astype(np.int16).tobytes())

    def push(self, frame: np.ndarray) -> str | None:
        """One frame in; "start" when a segment opens, "end" when it closes, else None."""
        s = self.settings
        speech = self.is_speech(frame)
        if not self.in_speech:
            self.preroll.append(frame)
            self._recent.append(speech)
            if sum(self._recent) * FRAME_S >= s.start_s - 1e-9:
                self.in_speech, self.silence_s = True, 0.0
                self.segment_s = len(self.preroll) * FRAME_S
                self.speech_frames = sum(self._recent)
                return "start"
            return None
        self.segment_s += FRAME_S
        if speech:
            self.silence_s = 0.0
            self.speech_frames += 1
        else:
            self.silence_s += FRAME_S
        if self.silence_s >= s.hangover_s - 1e-9 or self.segment_s >= s.max_segment_s:
            return "end"
        return None
