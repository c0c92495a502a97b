"""Priority playback queue over ONE sounddevice output stream, with a terminal fallback.

The stream runs all the time and its callback pulls from the queue, so a new sound starts at
the next callback block (128 frames = 5.8 ms at 22,050 Hz) and ``stop()`` silences at the
next block, mid-word. Rules, in order:

* ``Priority.TAP`` sounds (the wall-tap click) are mixed on top at once, never queued.
* A sound with a ``key`` replaces a queued sound with the same key and cuts a playing one
  ("four" replaces a stale "three").
* A sound with priority <= ``settings.preempt_at`` (``SAFETY``) cuts a playing lower one.
* Otherwise sounds wait, highest priority first, then oldest first; a sound still waiting
  after its ``max_age_s`` (coaching cues, counts) is dropped: late coaching is wrong coaching.

No device, or a device that vanishes (PortAudio doesn't notice: we watch for callbacks that
stop), is logged once; cue texts are then printed to the terminal while a supervisor thread
reopens the stream with backoff. Nothing here raises into the caller.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from .echo_cancel import PlaybackTap, stream_delay_s

log = logging.getLogger(__name__)


class Priority(IntEnum):
    """Lower value plays first."""

    TAP = 0
    """The wall-tap click: mixed on top immediately."""
    SAFETY = 1
    """Safety words ("stop", "rack the bar"): cut anything lower."""
    COUNT = 2
    """Rep counts; give them a key so a new count replaces a stale one."""
    CUE = 3
    """Coaching cues; dropped when they waited longer than ``cue_max_age_s``."""
    INFO = 4
    """Summaries, tips, announcements: wait their turn, never dropped."""


@dataclass(frozen=True)
class PlayerSettings:
    """Output stream and queue policy."""

    device: str | None = None
    """Output device name substring (e.g. "pulse", "USB"); None = system default."""
    sample_rate_hz: int = 22050
    """Stream rate; cues and earcons are rendered at this rate."""
    blocksize_frames: int = 128
    """Frames per callback: the worst-case wait before a new sound starts (5.8 ms here)."""
    latency: str | float = "low"
    """PortAudio suggested output latency: "low", "high" or seconds."""
    volume: float = 0.7
    """Initial linear gain 0..1 (headroom left for "louder")."""
    preempt_at: Priority = Priority.SAFETY
    """Sounds at this priority or more urgent cut a playing less urgent sound."""
    cue_max_age_s: float = 2.0
    """Coaching cues waiting longer than this (seconds) are dropped."""
    count_max_age_s: float = 1.5
    """Counts waiting longer than this (seconds) are dropped."""
    mute_tail_s: float = 0.3
    """on_speaking(False) comes this long (seconds) after the last sample: covers output
    buffering and room echo, so the microphone does not hear the unit's own voice."""
    stall_timeout_s: float = 3.0
    """No callback for this long (seconds) on an open stream means the device is gone
    (PulseAudio null sinks pause callbacks for ~1 s at start: keep well above that)."""
    reopen_min_s: float = 0.5
    """First retry delay (seconds) after a device failure; doubles up to reopen_max_s."""
    reopen_max_s: float = 30.0
    """Longest delay (seconds) between attempts to reopen the device."""
    fade_s: float = 0.004
    """Fade-out (seconds) when a sound is cut, so stopping mid-word doesn't click."""


LINES_KEPT = 16
"""Spoken lines remembered for said_within(): more than can play in a few seconds."""
DEFAULT_MAX_AGE = {Priority.CUE: "cue_max_age_s", Priority.COUNT: "count_max_age_s"}


@dataclass(eq=False)
class Sound:
    """One queued sound; also the handle ``play()`` returns (read-only for callers)."""

    samples: np.ndarray
    priority: Priority
    key: str | None
    text: str
    requested_at: float
    max_age_s: float | None
    seq: int
    pos: int = 0
    state: str = "queued"
    """queued | playing | done | cut | dropped | replaced | printed"""
    started_at: float | None = None
    """Clock time the first sample was handed to the stream callback."""
    done: threading.Event = field(default_factory=threading.Event)

    def _finish(self, state: str) -> None:
        self.state = state
        self.done.set()


def resolve_output_device(name: str | None) -> int | None:
    """Index of the first output device whose name contains ``name`` (case-insensitive)."""
    if name is None:
        return None
    import sounddevice as sd

    for idx, dev in enumerate(sd.query_devices()):
        if dev["max_output_channels"] > 0 and name.lower() in dev["name"].lower():
            return idx
    raise LookupError(f"no output device matching {name!r}")


class Player:
    """Plays numpy sounds by priority through one output stream; see the module docstring.

    ``on_speaking(True/False)`` is called from the player's supervisor thread when a line
    (not an earcon: a tone is never heard as words) is queued or starts, and ``mute_tail_s``
    after the last one ends; voice-in mutes the microphone on it. ``tap`` gets every block the
    stream plays, with when it plays: the echo canceller's reference.
    """

    def __init__(
        self,
        settings: PlayerSettings = PlayerSettings(),
        *,
        on_speaking: Callable[[bool], None] | None = None,
        stream_factory: Callable[..., Any] | None = None,
        printer: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
        supervise: bool = True,
        tap: PlaybackTap | None = None,
    ) -> None:
        self.settings = settings
        self._on_speaking = on_speaking
        self._tap = tap
        self._factory = stream_factory
        self._printer = printer
        self._clock = clock
        self._volume = float(np.clip(settings.volume, 0.0, 1.0))
        self._lock = threading.Lock()
        self._heap: list[tuple[int, int, Sound]] = []
        self._current: Sound | None = None
        self._overlays: list[Sound] = []
        self._lines: deque[Sound] = deque(maxlen=LINES_KEPT)  # spoken, for said_within()
        self._seq = itertools.count()
        self._stream: Any = None
        self._last_callback = clock()
        self._backoff = settings.reopen_min_s
        self._next_open = 0.0
        self._failure_logged = False
        self._speaking = False
        self._idle_since: float | None = None
        self._wake = threading.Event()
        self._closed = False
        self._fade = np.linspace(
            1.0, 0.0, max(1, int(settings.fade_s * settings.sample_rate_hz)), dtype=np.float32
        )
        self._open()
        self._thread: threading.Thread | None = None
        if supervise:
            self._thread = threading.Thread(target=self._supervise, name="player", daemon=True)
            self._thread.start()

    # -- public API -----------------------------------------------------------------------

    @property
    def output_ok(self) -> bool:
        """True while sound goes to a device; False while cues are printed instead."""
        return self._stream is not None

    @property
    def volume(self) -> float:
        """Linear gain 0..1, applied from the next callback block."""
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = float(np.clip(value, 0.0, 1.0))

    def play(
        self,
        samples: np.ndarray,
        *,
        priority: Priority = Priority.CUE,
        key: str | None = None,
        text: str = "",
        requested_at: float | None = None,
        max_age_s: float | None = -1.0,
    ) -> Sound:
        """Queue ``samples`` (float32 mono at the stream rate); returns its handle at once.

        ``text`` is what gets printed when there is no device. ``requested_at`` (clock time)
        is when the coach asked, for age checks; default now. ``max_age_s`` -1 = the default
        for the priority, None = never dropped.
        """
        now = self._clock()
        if max_age_s is not None and max_age_s < 0:
            attr = DEFAULT_MAX_AGE.get(Priority(priority))
            max_age_s = getattr(self.settings, attr) if attr else None
        snd = Sound(
            np.asarray(samples, dtype=np.float32).reshape(-1),
            Priority(priority),
            key,
            text,
            now if requested_at is None else requested_at,
            max_age_s,
            next(self._seq),
        )
        if self._stream is None:
            self._print(snd)
            return snd
        with self._lock:
            if snd.priority == Priority.TAP:
                self._overlays.append(snd)
            else:
                self._lines.append(snd)
                if key is not None:
                    self._remove_key_locked(key)
                cur = self._current
                if cur is not None and (
                    cur.key is not None
                    and cur.key == key
                    or (snd.priority <= self.settings.preempt_at and snd.priority < cur.priority)
                ):
                    self._cut_locked(cur)
                heapq.heappush(self._heap, (int(snd.priority), snd.seq, snd))
        self._wake.set()
        return snd

    def stop(self) -> None:
        """Silence everything from the next callback block and forget the queue."""
        with self._lock:
            if self._current is not None:
                self._cut_locked(self._current)
            for s in self._overlays:
                s._finish("cut")
            self._overlays = [s for s in self._overlays if s.text == "\0fade"]
            for _, _, s in self._heap:
                s._finish("cut")
            self._heap.clear()
        self._wake.set()

    def interrupt(self) -> None:
        """Cut the sound playing now (mid-word); queued sounds carry on."""
        with self._lock:
            if self._current is not None:
                self._cut_locked(self._current)
        self._wake.set()

    def said_within(self, seconds: float) -> list[str]:
        """The lines (not earcons) that were playing at some moment of the last ``seconds``:
        what the microphone may have heard of the unit's own voice."""
        since = self._clock() - seconds
        rate = self.settings.sample_rate_hz
        with self._lock:
            return [snd.text for snd in self._lines if snd.started_at is not None
                    and (snd.state == "playing" or snd.started_at + snd.pos / rate >= since)]

    @property
    def busy(self) -> bool:
        """Anything playing or queued."""
        with self._lock:
            return self._busy_locked()

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until nothing plays or waits (True) or the timeout passes (False)."""
        deadline = time.monotonic() + timeout_s
        while self.busy and self._stream is not None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        """Stop the supervisor and close the stream."""
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self.stop()
        self._close_stream(wait_s=2.0)

    def tick(self) -> float:
        """One supervisor step: speaking state, stall watchdog, reopen. Returns the wait (s)."""
        now = self._clock()
        wait = 0.25
        stream = self._stream
        if stream is not None and now - self._last_callback > self.settings.stall_timeout_s:
            self._fail(f"output stream stalled: no callback for {now - self._last_callback:.1f} s")
        elif stream is not None and not getattr(stream, "active", True):
            self._fail("output stream stopped")
        if self._stream is None and now >= self._next_open:
            self._open()
        if self._stream is None:
            wait = max(0.05, self._next_open - now)
        with self._lock:
            talking = self._current is not None or bool(self._heap)  # earcons are not words
        if talking:
            self._idle_since = None
            self._set_speaking(True)
        elif self._speaking:
            if self._idle_since is None:
                self._idle_since = now
            left = self.settings.mute_tail_s - (now - self._idle_since)
            if left <= 0:
                self._set_speaking(False)
            else:
                wait = min(wait, left)
        return wait

    # -- stream ---------------------------------------------------------------------------

    def _open(self) -> None:
        s = self.settings
        try:
            if self._factory is None:
                import sounddevice as sd

                factory: Callable[..., Any] = sd.OutputStream
                device: Any = resolve_output_device(s.device)
            else:
                factory, device = self._factory, s.device
            stream = factory(
                samplerate=s.sample_rate_hz,
                blocksize=s.blocksize_frames,
                channels=1,
                dtype="float32",
                latency=s.latency,
                device=device,
                callback=self._callback,
            )
            self._last_callback = self._clock()
            stream.start()
        except Exception as exc:  # PortAudioError, LookupError, OSError (no libportaudio)...
            self._fail(f"cannot open output device {s.device or 'default'!r}: {exc}")
            return
        self._stream = stream
        self._backoff = s.reopen_min_s
        if self._failure_logged:
            log.warning("audio output is back")
        self._failure_logged = False

    def _fail(self, why: str) -> None:
        if not self._failure_logged:  # log once per outage, not once per retry
            log.error("%s; printing cues to the terminal until it comes back", why)
            self._failure_logged = True
        self._close_stream()
        self._next_open = self._clock() + self._backoff
        self._backoff = min(self._backoff * 2, self.settings.reopen_max_s)
        with self._lock:  # what was waiting for the device is printed instead of lost
            pending = [s for _, _, s in sorted(self._heap)]
            self._heap.clear()
            self._current = None
            self._overlays.clear()
        for snd in pending:
            self._print(snd)

    def _close_stream(self, wait_s: float = 0.0) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return

        def close() -> None:
            try:
                stream.abort()
                stream.close()
            except Exception as exc:
                log.debug("closing stream: %s", exc)

        # A vanished device can hang close(): never block the caller or supervisor on it
        # for longer than wait_s (close() waits a little so PortAudio is not torn down under
        # a stream at interpreter exit).
        closer = threading.Thread(target=close, name="player-close", daemon=True)
        closer.start()
        closer.join(timeout=wait_s)

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Runs on the PortAudio thread: no logging, no allocation beyond one block, short lock.
        now = self._clock()
        self._last_callback = now
        out = np.zeros(frames, dtype=np.float32)
        finished = False
        with self._lock:
            filled = 0
            while filled < frames:
                cur = self._current
                if cur is None:
                    cur = self._current = self._next_locked(now)
                    if cur is None:
                        break
                if cur.pos == 0:
                    cur.started_at = now
                    cur.state = "playing"
                n = min(frames - filled, cur.samples.size - cur.pos)
                out[filled : filled + n] = cur.samples[cur.pos : cur.pos + n]
                cur.pos += n
                filled += n
                if cur.pos >= cur.samples.size:
                    cur._finish("done")
                    self._current = None
                    finished = True
            if self._overlays:
                keep = []
                for ov in self._overlays:
                    if ov.pos == 0:
                        ov.started_at = now
                        ov.state = "playing"
                    n = min(frames, ov.samples.size - ov.pos)
                    out[:n] += ov.samples[ov.pos : ov.pos + n]
                    ov.pos += n
                    if ov.pos < ov.samples.size:
                        keep.append(ov)
                    else:
                        ov._finish("done")
                        finished = True
                self._overlays = keep
        np.clip(out * self._volume, -1.0, 1.0, out=outdata[:, 0])
        if self._tap is not None:
            delay = stream_delay_s(time_info, "outputBufferDacTime")
            if delay is None:  # the host reports no times: its nominal latency
                delay = float(getattr(self._stream, "latency", 0.0) or 0.0)
            self._tap.played(outdata[:, 0], now + delay)
        if finished:
            self._wake.set()

    # -- queue internals (lock held) ------------------------------------------------------

    def _next_locked(self, now: float) -> Sound | None:
        while self._heap:
            _, _, snd = heapq.heappop(self._heap)
            if snd.max_age_s is not None and now - snd.requested_at > snd.max_age_s:
                snd._finish("dropped")
                continue
            return snd
        return None

    def _remove_key_locked(self, key: str) -> None:
        kept = []
        for item in self._heap:
            if item[2].key == key:
                item[2]._finish("replaced")
            else:
                kept.append(item)
        if len(kept) != len(self._heap):
            self._heap = kept
            heapq.heapify(self._heap)

    def _cut_locked(self, snd: Sound) -> None:
        # Fade the next few ms out on top instead of stopping dead (a hard cut clicks).
        tail = snd.samples[snd.pos : snd.pos + self._fade.size]
        if tail.size:
            fade = Sound(
                tail * self._fade[: tail.size], Priority.TAP, None, "\0fade", 0.0, None, -1
            )
            self._overlays.append(fade)
        snd._finish("cut")
        if self._current is snd:
            self._current = None

    def _busy_locked(self) -> bool:
        return (
            self._current is not None
            or bool(self._heap)
            or any(o.text != "\0fade" for o in self._overlays)
        )

    # -- supervisor -----------------------------------------------------------------------

    def _supervise(self) -> None:
        while not self._closed:
            try:
                wait = self.tick()
            except Exception:  # never let the supervisor die
                log.exception("player supervisor")
                wait = 1.0
            self._wake.wait(timeout=min(wait, self.settings.stall_timeout_s / 2))
            self._wake.clear()

    def _set_speaking(self, speaking: bool) -> None:
        if speaking == self._speaking:
            return
        self._speaking = speaking
        if self._on_speaking is not None:
            try:
                self._on_speaking(speaking)
            except Exception:
                log.exception("on_speaking callback failed")

    def _print(self, snd: Sound) -> None:
        snd._finish("printed")
        if snd.text and snd.text != "\0fade":
            try:
                self._printer(snd.text)
            except Exception:
                log.debug("printer failed", exc_info=True)
