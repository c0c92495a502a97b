"""Audio in: a sounddevice microphone, or a WAV file / array, as 16 kHz mono int16 blocks.

Every source has ``blocks()`` (an iterator of int16 arrays at 16 kHz) and ``close()``.

>>> src = ArraySource(np.zeros(48_000, dtype=np.int16), rate_hz=48_000, block_s=0.1)
>>> [len(b) for b in src.blocks()][:3]
[1600, 1600, 1600]
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .echo_cancel import CaptureClock, EchoCanceller, EchoCancelSettings, stream_delay_s
from .resample import TARGET_RATE_HZ, StreamResampler, resample_all
from .wav import read_wav

log = logging.getLogger(__name__)


class AudioSource(Protocol):
    """Anything that yields 16 kHz mono int16 blocks."""

    def blocks(self) -> Iterator[np.ndarray]: ...
    def close(self) -> None: ...


class ArraySource:
    """Samples already in memory, at any rate, cut into blocks."""

    def __init__(self, samples: np.ndarray, rate_hz: int = TARGET_RATE_HZ, block_s: float = 0.1,
                 tail_silence_s: float = 0.0) -> None:
        audio = resample_all(samples, rate_hz)
        tail = np.zeros(int(tail_silence_s * TARGET_RATE_HZ), dtype=np.int16)
        self.samples = np.concatenate([audio, tail])
        self.block = max(1, int(block_s * TARGET_RATE_HZ))
        self._closed = False

    def blocks(self) -> Iterator[np.ndarray]:
        for start in range(0, len(self.samples), self.block):
            if self._closed:
                return
            yield self.samples[start:start + self.block]

    def close(self) -> None:
        self._closed = True


class WavSource(ArraySource):
    """A WAV file as a source (resampled to 16 kHz mono); raises wav.WavError."""

    def __init__(self, path: str | os.PathLike[str], block_s: float = 0.1,
                 tail_silence_s: float = 0.0) -> None:
        data, rate = read_wav(path)
        super().__init__(data, rate, block_s, tail_silence_s)
        self.path = os.fspath(path)


@dataclass(frozen=True)
class MicrophoneSettings:
    """Which input device, and how hard to watch it."""

    device: str | None = None
    """Case-insensitive substring of the input device name; None is the system default."""
    rate_hz: int | None = None
    """Rate to open the device at; None is the device's own default rate."""
    channels: int = 1
    """Channels to open (averaged to mono)."""
    block_s: float = 0.0
    """Block length asked of the device, in seconds; 0 lets the host choose (the ALSA "pulse"
    device delivers about one fixed-size block per second when asked for small blocks)."""
    watchdog_s: float = 1.0
    """Window (seconds) over which frames must keep arriving."""
    min_frame_ratio: float = 0.5
    """Fewer than this share of the expected frames in a window means the device stalled."""
    backoff_s: float = 0.5
    """First wait (seconds) before reopening a lost device; doubles up to backoff_max_s."""
    backoff_max_s: float = 10.0
    """Longest wait between reopen attempts, in seconds."""
    rescan_devices: bool = True
    """When a plain reopen did not bring frames back, re-initialise PortAudio before the next
    one, so a replugged USB mic is seen again. That briefly disturbs the speaker's stream in
    the same process, so it is never the first thing tried."""
    echo_cancel: EchoCancelSettings = field(default_factory=EchoCancelSettings)
    """Taking the unit's own voice out of what the microphone hears."""


def find_input_device(name: str | None, devices: list[dict[str, Any]]) -> int | None:
    """Index of the first input device whose name contains ``name`` (None: default)."""
    if name is None:
        return None
    for index, dev in enumerate(devices):
        if dev.get("max_input_channels", 0) > 0 and name.lower() in dev["name"].lower():
            return index
    raise LookupError(f"no input device matching {name!r}")


class FrameWatchdog:
    """Counts frames against elapsed time; PortAudio does not notice an unplugged device.

    Timing starts at the first frame: some hosts (the ALSA "pulse" plugin) take a second or
    more to deliver anything after opening. No frame at all within startup_s is a stall too.
    """

    def __init__(self, rate_hz: float, window_s: float, min_ratio: float,
                 clock: Callable[[], float] = time.monotonic, startup_s: float = 3.0) -> None:
        self.rate_hz, self.window_s = rate_hz, window_s
        self.min_ratio, self.clock, self.startup_s = min_ratio, clock, startup_s
        self._opened = clock()
        self._since: float | None = None
        self._frames = 0
        self.healthy_windows = 0
        """Windows that ended with enough frames."""

    def add(self, frames: int) -> None:
        if self._since is None:
            self._since, self._frames = self.clock(), 0
            return  # the first block only starts the clock
        self._frames += frames

    def stalled(self) -> bool:
        """True once a whole window has passed with too few frames; starts a new window."""
        now = self.clock()
        if self._since is None:
            return now - self._opened >= self.startup_s
        elapsed = now - self._since
        if elapsed < self.window_s:
            return False
        ok = self._frames >= self.min_ratio * self.rate_hz * elapsed
        self._since, self._frames = now, 0
        self.healthy_windows += ok
        return not ok


class Microphone:
    """A sounddevice input stream that survives its device going away and coming back.

    ``blocks()`` yields 16 kHz mono int16 until ``close()``; it reopens the device with
    backoff when frames stop arriving, logging the loss and the recovery once each. With an
    ``echo_canceller`` the speaker's echo is taken out of the blocks first.
    """

    def __init__(self, settings: MicrophoneSettings | None = None,
                 stream_factory: Callable[..., Any] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 echo_canceller: EchoCanceller | None = None) -> None:
        self.settings = settings or MicrophoneSettings()
        self._factory = stream_factory
        self._clock = clock
        self._echo = echo_canceller
        # each block with the clock time its first sample reached the microphone
        self._queue: queue.Queue[tuple[np.ndarray, float]] = queue.Queue(maxsize=200)
        self._closed = threading.Event()
        self._stream: Any = None
        self.rate_hz: int = 0
        self.reopens = 0
        """How many times the device was reopened after a loss."""
        self.rescans = 0
        """How many of those reopens re-initialised PortAudio first."""
        self._reopens_in_a_row = 0  # reopens since frames last flowed for a whole window

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, _status: Any) -> None:
        delay = stream_delay_s(time_info, "inputBufferAdcTime")
        captured_at = self._clock() + (delay if delay is not None else -frames / self.rate_hz)
        # If the consumer is stuck, dropping is better than blocking the audio thread.
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait((indata.copy(), captured_at))

    def _open(self) -> None:
        import sounddevice as sd

        s = self.settings
        device = find_input_device(s.device, list(sd.query_devices()))
        info = sd.query_devices(device if device is not None else sd.default.device[0])
        self.rate_hz = int(s.rate_hz or info["default_samplerate"])
        factory = self._factory or sd.InputStream
        self._stream = factory(device=device, samplerate=self.rate_hz, channels=s.channels,
                               dtype="int16", blocksize=int(self.rate_hz * s.block_s),
                               callback=self._callback)
        self._stream.start()
        self._resampler = StreamResampler(self.rate_hz)
        self._capture_clock = CaptureClock(self.rate_hz)
        self._resampled = 0  # 16 kHz samples out of this stream so far
        self._watchdog = FrameWatchdog(self.rate_hz, s.watchdog_s, s.min_frame_ratio,
                                       self._clock)

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
                stream.close()
            except Exception:  # noqa: BLE001 - a vanished device fails to close; it is gone
                pass

    def _reopen(self, first: bool) -> bool:
        """Open the device, retrying with backoff until it works or close() is called.

        A reopen rescans the devices only if a plain one was already tried since frames last
        flowed (a replugged USB mic needs it; a stalled server or a busy host does not).
        """
        wait, logged = self.settings.backoff_s, False
        tries = self._reopens_in_a_row
        while not self._closed.is_set():
            try:
                if not first and self.settings.rescan_devices and tries > 0:
                    import sounddevice as sd

                    self.rescans += 1
                    sd._terminate()  # PortAudio lists devices only at initialisation
                    sd._initialize()
                tries += 1
                self._open()
                if logged or not first:
                    log.warning("microphone back (%s at %d Hz)", self.settings.device,
                                self.rate_hz)
                return True
            except Exception as exc:  # noqa: BLE001 - any failure means: not there yet
                if not logged:
                    log.warning("microphone unavailable (%s); retrying", exc)
                    logged = True
            self._closed.wait(wait)
            wait = min(wait * 2, self.settings.backoff_max_s)
        return False

    def _resampled_at(self, block: np.ndarray, captured_at: float) -> float:
        """When the next 16 kHz sample out of the resampler reached the microphone. Timed
        from the device's samples, not the resampler's output, which comes in lumps."""
        self._capture_clock.advance(len(block), captured_at)
        assert self._capture_clock.anchor_s is not None
        return self._capture_clock.anchor_s + self._resampled / TARGET_RATE_HZ

    def blocks(self) -> Iterator[np.ndarray]:
        if not self._reopen(first=True):
            return
        try:
            while not self._closed.is_set():
                try:
                    block, captured_at = self._queue.get(
                        timeout=max(0.2, self.settings.block_s * 4))
                    self._watchdog.add(len(block))
                    out = self._resampler.process(block)
                    if self._echo is not None:
                        at = self._resampled_at(block, captured_at)
                        self._resampled += len(out)
                        out = self._echo.process(out, at)
                    if len(out):
                        yield out
                except queue.Empty:
                    pass
                if self._watchdog.stalled():
                    log.warning("microphone stalled: frames stopped arriving; reopening")
                    self._close_stream()
                    self.reopens += 1
                    if not self._reopen(first=False):
                        return
                    self._reopens_in_a_row += 1
                elif self._watchdog.healthy_windows:
                    self._reopens_in_a_row = 0
        finally:
            self._close_stream()

    def close(self) -> None:
        self._closed.set()
