"""Echo cancellation: the unit's own voice subtracted from what its microphone hears.

The speaker's output is kept as a reference (PlaybackTap, fed by the player's stream callback)
and speexdsp's adaptive echo canceller removes its echo from the microphone (EchoCanceller,
run on the microphone's blocks). That is what lets a person's "stop" said over a line be
understood: without it the line and the command are one segment of speech.

Both sides are timed by counting samples from an anchor (the stream's own latency report, or
the clock), never by each callback's clock reading: the adaptive filter needs the two
timelines to keep a fixed offset, and callbacks come with jitter, the microphone's in bursts.
The offset may still be off, by a sound server's buffer; EchoDelay finds it from the sound.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

RATE_HZ = 16_000
"""The microphone side runs at the recogniser's rate."""
FRAME = 160
"""speexdsp works in frames: 10 ms at 16 kHz."""
LOST_S = 1.0
"""A report this far (seconds) from the counted samples: the stream restarted."""
LATE_S = 0.02
"""A capture stream whose every report for a while was this late (seconds) lost samples."""
DELAY_AGREE_S = 0.005
"""Two echo delay estimates within this (seconds) agree."""
DELAY_MIN_S = 0.01
"""An echo less than this (seconds) after its reference may begin before it: moved."""
DELAY_CLEAR = 10.0
"""A cross-correlation peak this many times its mean is a clear echo."""
ACTIVE_RMS = 100.0
"""Below this level (int16 RMS) there is too little sound to correlate."""
MAX_OFFSET_S = 1.0
"""The reference is never moved further than this (seconds) from the reports: older output
than keep_s allows is gone. (Through the ALSA "pulse" device it had to move half a second
later: the echo came before the output's reports said it played.)"""
KEPT_FRAMES = 1000
"""Frames (10 ms) of energies kept for kept_db(): longer than any command."""
MAX_WAIT_S = 0.3
"""Microphone audio waits at most this long (seconds) for the speaker's output to be known;
beyond it the output stream is not running and the reference is silence."""

# speexdsp's ctl requests (speex_echo.h, speex_preprocess.h)
_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_DENOISE = 0
_PREPROCESS_SET_AGC = 2
_PREPROCESS_SET_NOISE_SUPPRESS = 18
_PREPROCESS_SET_ECHO_STATE = 24


class EchoCancelUnavailable(RuntimeError):
    """libspeexdsp is not installed."""


@dataclass(frozen=True)
class EchoCancelSettings:
    """Removing the unit's own voice from its microphone (speexdsp's echo canceller)."""

    enabled: bool = True
    """Subtract what the speaker plays from what the microphone hears."""
    filter_s: float = 0.25
    """Echo the adaptive filter can model (seconds): the offset between the two streams'
    timelines plus the room's reverberation. Measured on a simulated room (reverberation time
    0.4 s): 0.128 s left 19 dB of echo out, 0.25 s 23 dB, 0.5 s 11 dB (slower to learn)."""
    lead_s: float = 0.04
    """The reference is handed to the canceller this much (seconds) ahead of the moment its
    samples are estimated to play, so that an estimate a little late still has the echo come
    after its reference."""
    residual_suppression: bool = True
    """Also attenuate the echo the linear filter leaves (speexdsp's preprocessor)."""
    noise_suppression_db: int = -6
    """The preprocessor's noise suppression (negative dB); it must run for the residual
    suppression to, and the recogniser does its own noise suppression, so it is kept mild."""
    delay_window_s: float = 2.0
    """Audio (seconds) cross-correlated to find the echo's delay."""
    delay_search_s: float = 0.5
    """How far (seconds) before or after its reference an echo is looked for."""
    keep_s: float = 2.0
    """Played audio kept for reference (seconds): at least lead_s + filter_s + the output
    latency."""

    def validate(self) -> None:
        """Raise ValueError for settings that cannot work."""
        if not 0.01 <= self.filter_s <= 1.0:
            raise ValueError(f"filter_s = {self.filter_s}: must be 0.01 to 1 s")
        if not 0 <= self.lead_s < self.filter_s:
            raise ValueError(f"lead_s = {self.lead_s}: must be 0 to below filter_s")
        if self.keep_s < self.lead_s + self.filter_s + 0.5:
            raise ValueError(f"keep_s = {self.keep_s}: must cover lead_s + filter_s + 0.5 s")
        if self.noise_suppression_db > 0:
            raise ValueError(f"noise_suppression_db = {self.noise_suppression_db}: "
                             "must be 0 or below")


class SampleClock:
    """When each sample of a continuous stream is (was) at the converter: an anchor time plus
    samples counted since. Reports jitter and, through a sound server, wander (the ALSA
    "pulse" device's output by up to a quarter of a second while the count stayed true), so
    the timeline is anchored afresh only when one is off by more than LOST_S, a restart;
    smaller errors are EchoDelay's to find."""

    def __init__(self, rate_hz: float) -> None:
        self.rate_hz = rate_hz
        self.anchor_s: float | None = None
        self.count = 0

    def advance(self, frames: int, first_at_s: float) -> float:
        """Count ``frames`` whose first sample the stream reports at ``first_at_s``; returns
        that sample's time on the counted timeline."""
        counted = None if self.anchor_s is None else self.anchor_s + self.count / self.rate_hz
        if counted is None or abs(first_at_s - counted) > LOST_S:
            self.anchor_s, self.count, counted = first_at_s, 0, first_at_s
        self.count += frames
        return counted


class CaptureClock(SampleClock):
    """A SampleClock for a capture stream, whose reports come late but never early: a block
    is handed over after its samples were captured, in bursts through the ALSA "pulse" device,
    and a new PulseAudio stream lost samples in its first seconds (0.6 s behind after 4 s).
    So the earliest report wins at once, and the anchor moves later when every report for
    ``window_s`` was late by LATE_S or more: samples were lost."""

    def __init__(self, rate_hz: float, window_s: float = 1.0) -> None:
        super().__init__(rate_hz)
        self.window_s = window_s
        self._window_from = 0.0
        self._least_late = float("inf")

    def advance(self, frames: int, first_at_s: float) -> float:
        if self.anchor_s is None:
            self.anchor_s, self._window_from = first_at_s, first_at_s
        counted = self.anchor_s + self.count / self.rate_hz
        late = first_at_s - counted
        if late < 0:  # earlier than counted: the anchor was late
            self.anchor_s += late
            counted, late = first_at_s, 0.0
        self._least_late = min(self._least_late, late)
        if counted - self._window_from >= self.window_s:
            if self._least_late > LATE_S:
                self.anchor_s += self._least_late
                counted += self._least_late
            self._window_from, self._least_late = counted, float("inf")
        self.count += frames
        return counted


def stream_delay_s(time_info: Any, stamp: str) -> float | None:
    """How far the buffer's converter time (``stamp``: outputBufferDacTime or
    inputBufferAdcTime) is from now, from PortAudio's callback time info; None if the host
    gives none."""
    try:
        current, at = float(time_info.currentTime), float(getattr(time_info, stamp))
    except (AttributeError, TypeError, ValueError):
        return None
    if current <= 0 or at <= 0:
        return None
    return at - current


class PlaybackTap:
    """What the speaker played, and when: the echo canceller's reference.

    ``played()`` runs on the output stream's callback thread (cheap: one copy); ``between()``
    on the microphone's thread.
    """

    def __init__(self, rate_hz: int, keep_s: float = 2.0) -> None:
        self.rate_hz = rate_hz
        self._clock = SampleClock(rate_hz)
        self._blocks: deque[tuple[float, np.ndarray]] = deque()
        self._keep_s = keep_s
        self._lock = threading.Lock()
        self.played_until_s = float("-inf")
        """Clock time up to which the output is known."""

    def played(self, samples: np.ndarray, at_s: float) -> None:
        """``samples`` (float, -1..1) start reaching the speaker at clock time ``at_s``."""
        block = np.array(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            start = self._clock.advance(len(block), at_s)
            self._blocks.append((start, block))
            self.played_until_s = start + len(block) / self.rate_hz
            while self._blocks and self._blocks[0][0] < start - self._keep_s:
                self._blocks.popleft()

    def between(self, start_s: float, n: int) -> np.ndarray:
        """``n`` samples at 16 kHz of what played from clock time ``start_s`` (silence where
        nothing did), as int16."""
        times = start_s + np.arange(n) / RATE_HZ
        end_s = times[-1] if n else start_s
        with self._lock:
            near = [(t, b) for t, b in self._blocks
                    if t <= end_s and t + len(b) / self.rate_hz >= start_s]
        out = np.zeros(n, dtype=np.float32)
        for t, block in near:  # linear interpolation: the echo is band-limited by the room
            at = t + np.arange(len(block)) / self.rate_hz
            inside = (times >= at[0]) & (times <= at[-1] + 1 / self.rate_hz)
            out[inside] = np.interp(times[inside], at, block)
        return (np.clip(out, -1, 1) * 32767).astype(np.int16)


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise EchoCancelUnavailable(f"libspeexdsp not found ({exc}): "
                                    "install libspeexdsp1") from None
    p, i = ctypes.c_void_p, ctypes.c_int
    lib.speex_echo_state_init.restype = p
    lib.speex_echo_state_init.argtypes = [i, i]
    lib.speex_echo_state_destroy.argtypes = [p]
    lib.speex_echo_ctl.argtypes = [p, i, p]
    lib.speex_echo_cancellation.argtypes = [p, p, p, p]
    lib.speex_preprocess_state_init.restype = p
    lib.speex_preprocess_state_init.argtypes = [i, i]
    lib.speex_preprocess_state_destroy.argtypes = [p]
    lib.speex_preprocess_ctl.argtypes = [p, i, p]
    lib.speex_preprocess_run.argtypes = [p, p]
    return lib


class SpeexCanceller:
    """speexdsp's echo canceller (and optionally its residual echo suppressor) on 10 ms
    frames of 16 kHz int16."""

    def __init__(self, settings: EchoCancelSettings) -> None:
        self._lib = lib = _library()
        self._echo = lib.speex_echo_state_init(FRAME, round(settings.filter_s * RATE_HZ))
        rate = ctypes.c_int(RATE_HZ)
        lib.speex_echo_ctl(self._echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(rate))
        self._pre = None
        if settings.residual_suppression:
            self._pre = lib.speex_preprocess_state_init(FRAME, RATE_HZ)
            for request, value in ((_PREPROCESS_SET_DENOISE, 1), (_PREPROCESS_SET_AGC, 0),
                                   (_PREPROCESS_SET_NOISE_SUPPRESS,
                                    settings.noise_suppression_db)):
                lib.speex_preprocess_ctl(self._pre, request, ctypes.byref(ctypes.c_int(value)))
            lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_STATE, self._echo)
        self._out = np.zeros(FRAME, dtype=np.int16)

    def frame(self, mic: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One frame of the microphone with the echo of ``reference`` taken out: by the
        linear filter alone (a person's voice over the echo kept whole), and after the
        residual suppressor too (what the recogniser hears)."""
        mic, reference = np.ascontiguousarray(mic), np.ascontiguousarray(reference)
        self._lib.speex_echo_cancellation(self._echo, mic.ctypes.data, reference.ctypes.data,
                                          self._out.ctypes.data)
        linear = self._out.copy()
        if self._pre is not None:
            self._lib.speex_preprocess_run(self._pre, self._out.ctypes.data)
        return linear, self._out.copy()

    def __del__(self) -> None:
        lib = getattr(self, "_lib", None)
        if lib is None:
            return
        if self._pre is not None:
            lib.speex_preprocess_state_destroy(self._pre)
        lib.speex_echo_state_destroy(self._echo)


class EchoDelay:
    """Where the echo really is. The streams' reports put the reference near the echo, but
    through a sound server they miss its buffer (the ALSA "pulse" device's output reports
    strayed by a quarter of a second), so the microphone is cross-correlated with the
    reference (GCC-PHAT over ``delay_window_s``, every second of the unit talking) and the
    reference moved when two estimates in a row agree the echo sits outside the filter's good
    range; never by more than MAX_OFFSET_S in all."""

    def __init__(self, settings: EchoCancelSettings) -> None:
        self.settings = settings
        self.offset_s = 0.0
        """Added to the time of the reference handed to the canceller."""
        self._mic = np.zeros(0, dtype=np.float32)
        self._ref = np.zeros(0, dtype=np.float32)
        self._since = 0  # samples since the last estimate
        self._last: float | None = None  # the previous estimate's lag (seconds)

    def observe(self, mic: np.ndarray, reference: np.ndarray) -> None:
        """The microphone's samples and the reference as handed to the canceller for them."""
        keep = round(self.settings.delay_window_s * RATE_HZ)
        self._mic = np.concatenate([self._mic, mic.astype(np.float32)])[-keep:]
        self._ref = np.concatenate([self._ref, reference.astype(np.float32)])[-keep:]
        self._since += len(mic)
        if self._since >= RATE_HZ and len(self._mic) == keep:
            self._since = 0
            self._estimate()

    def _estimate(self) -> None:
        lag = self._lag_s()
        if lag is None:
            self._last = None
            return
        s = self.settings
        agrees = self._last is not None and abs(lag - self._last) < DELAY_AGREE_S
        self._last = lag
        low, high = DELAY_MIN_S, s.filter_s / 2
        if agrees and not low <= lag <= high:
            moved = float(np.clip(self.offset_s + s.lead_s - lag, -MAX_OFFSET_S, MAX_OFFSET_S))
            log.info("echo delay: the echo came %.0f ms after its reference; moved it by "
                     "%+.0f ms", 1000 * lag, 1000 * (moved - self.offset_s))
            self.offset_s = moved  # the echo lead_s after its reference again
            # what was heard before the move is aligned the old way: start afresh
            self._mic, self._ref, self._last = self._mic[:0], self._ref[:0], None

    def _lag_s(self) -> float | None:
        """How long after the reference the echo comes (seconds), or None if unclear."""
        mic, ref = self._mic, self._ref
        if np.sqrt(np.mean(ref ** 2)) < ACTIVE_RMS or np.sqrt(np.mean(mic ** 2)) < ACTIVE_RMS:
            return None
        n = 1 << int(np.ceil(np.log2(2 * len(mic))))
        cross = np.fft.rfft(mic, n) * np.conj(np.fft.rfft(ref, n))
        corr = np.fft.irfft(cross / (np.abs(cross) + 1e-9), n)
        reach = round(self.settings.delay_search_s * RATE_HZ)
        lags = np.concatenate([corr[-reach:], corr[:reach + 1]])  # -reach .. +reach
        best = int(np.argmax(np.abs(lags)))
        if np.abs(lags[best]) < DELAY_CLEAR * np.mean(np.abs(lags)):
            return None
        return (best - reach) / RATE_HZ


class EchoCanceller:
    """The microphone side: 16 kHz blocks in, the same with the speaker's echo taken out.

    Audio comes out in whole 10 ms frames once the output that may echo in them is known (the
    player writes only a little ahead of the speaker); the rest waits for the next block.
    """

    def __init__(self, tap: PlaybackTap, settings: EchoCancelSettings) -> None:
        self.tap = tap
        self.settings = settings
        self._cancel = SpeexCanceller(settings).frame
        self._clock = SampleClock(RATE_HZ)
        self.delay = EchoDelay(settings)
        # (microphone, output) energy of each recent frame the unit was talking in, or None
        self._energies: deque[tuple[float, float] | None] = deque(maxlen=KEPT_FRAMES)
        self._pending = np.zeros(0, dtype=np.int16)
        self._pending_at = 0.0

    def process(self, block: np.ndarray, first_at_s: float) -> np.ndarray:
        """``block`` (16 kHz int16) whose first sample reached the microphone at clock time
        ``first_at_s``."""
        at = self._clock.advance(len(block), first_at_s)
        if not len(self._pending):
            self._pending_at = at
        data = np.concatenate([self._pending, np.asarray(block, dtype=np.int16)])
        start, lead = self._pending_at, self.settings.lead_s + self.delay.offset_s
        known_s = self.tap.played_until_s - lead - start
        if known_s < len(data) / RATE_HZ - MAX_WAIT_S:  # the output is stopped or stalled
            known_s = len(data) / RATE_HZ
        whole = min(len(data), max(0, int(known_s * RATE_HZ))) // FRAME * FRAME
        self._pending = data[whole:]
        self._pending_at = start + whole / RATE_HZ
        if not whole:
            return data[:0]
        reach = round(self.settings.filter_s * RATE_HZ)  # how far back an echo can come from
        reference = self.tap.between(start + lead - reach / RATE_HZ, reach + whole)
        self.delay.observe(data[:whole], reference[reach:])
        out = []
        for i in range(0, whole, FRAME):
            mic, ref = data[i:i + FRAME], reference[reach + i:reach + i + FRAME]
            linear, cancelled = self._cancel(mic, ref)
            # Nothing played within the filter's reach: nothing to cancel, and the
            # preprocessor's touch on a voice alone cost commands (a person's "pause"
            # missed, "hold on" heard as "slower"), so the microphone passes as it is.
            if not reference[i:reach + i + FRAME].any():
                out.append(mic)
                self._energies.append(None)
                continue
            out.append(cancelled)
            self._energies.append((_energy(mic), _energy(linear)))
        return np.concatenate(out)

    def kept_db(self, seconds: float) -> float | None:
        """How much (dB) of what the microphone heard in its last ``seconds`` the canceller's
        linear filter left, over the frames the unit was talking in; None if it was not
        talking. The unit's voice alone keeps little; a person talking over it keeps their
        voice. (The residual suppressor after the filter also turns a person down while the
        unit talks, so it is not counted.)"""
        frames = list(self._energies)[-max(1, round(seconds * RATE_HZ / FRAME)):]
        talking = [e for e in frames if e is not None]
        if not talking:
            return None
        heard = sum(m for m, _ in talking)
        left = sum(o for _, o in talking)
        return 10 * float(np.log10((left + 1.0) / (heard + 1.0)))


def _energy(frame: np.ndarray) -> float:
    return float(np.dot(frame.astype(np.float64), frame))


def make_echo_canceller(settings: EchoCancelSettings, tap: PlaybackTap) -> EchoCanceller | None:
    """The echo canceller, or None (logged) if it is off or libspeexdsp is missing."""
    if not settings.enabled:
        return None
    try:
        return EchoCanceller(tap, settings)
    except EchoCancelUnavailable as exc:
        log.warning("no echo cancellation: stop and pause said while the coach talks will "
                    "not be heard (%s)", exc)
        return None
