"""Text -> float32 mono samples with pyttsx3/espeak-ng, one engine on one thread.

pyttsx3 2.99 renders only the last queued utterance, is not thread-safe and cannot be
interrupted, so we only ever ask it for one ``save_to_file()`` per ``runAndWait()`` on a
single dedicated thread, and check that the WAV really was written.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np

from audio.wav import WavError, read_wav

log = logging.getLogger(__name__)

ESPEAK_RATE_HZ = 22050
"""espeak-ng's native output rate, as pyttsx3 writes it."""


@dataclass(frozen=True)
class Voice:
    """How cues sound; part of every cache key."""

    voice: str = "gmw/en-us"
    """espeak-ng voice id as pyttsx3 lists it, e.g. "gmw/en-us" or "gmw/en"."""
    rate_wpm: int = 165
    """Speaking rate in words per minute (espeak-ng default is 175)."""
    sample_rate_hz: int = 22050
    """Rate the samples are returned at; resampled with soxr when it is not 22050."""


class TtsError(RuntimeError):
    """The TTS engine could not render a cue (engine missing, broken, or wrote no audio)."""


class Renderer(Protocol):
    """Anything that turns text into mono float32 samples at ``voice.sample_rate_hz``."""

    def render(self, text: str, voice: Voice) -> np.ndarray: ...


def trim_silence(
    samples: np.ndarray, rate_hz: int, *, keep_s: float = 0.01, floor: float = 10 ** (-50 / 20)
) -> np.ndarray:
    """Cut leading silence (it delays the cue) and the long espeak end pause to ``keep_s``."""
    loud = np.flatnonzero(np.abs(samples) > floor)
    if loud.size == 0:
        return samples[:0]
    keep = int(keep_s * rate_hz)
    return samples[max(0, loud[0] - keep) : loud[-1] + 1 + 3 * keep]


class Pyttsx3Renderer:
    """Render with pyttsx3 (espeak-ng driver) on a private thread; safe to call from any thread.

    >>> r = Pyttsx3Renderer()
    >>> samples = r.render("Hips back.", Voice())  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        settle_s: float = 0.5,
        driver: str = "espeak",
        engine_factory: Callable[[], Any] | None = None,
    ) -> None:
        self._timeout_s = timeout_s
        self._settle_s = settle_s
        self._driver = driver
        self._factory = engine_factory
        self._engine: Any = None
        self._thread_id: int | None = None
        self._pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")
        self._tmpdir = Path(tempfile.mkdtemp(prefix="hinge-tts-"))
        self._n = 0

    def render(self, text: str, voice: Voice) -> np.ndarray:
        """Render ``text`` -> float32 mono at ``voice.sample_rate_hz``; raise TtsError."""
        text = " ".join(text.split())
        if not text:
            raise TtsError("nothing to say")
        if threading.get_ident() == self._thread_id:
            return self._render_here(text, voice)
        try:
            fut = self._pool.submit(self._render_here, text, voice)
        except RuntimeError as exc:  # pool shut down
            raise TtsError(f"renderer closed: {exc}") from exc
        try:
            return fut.result(timeout=self._timeout_s)
        except cf.TimeoutError as exc:
            raise TtsError(f"TTS took longer than {self._timeout_s} s") from exc

    def close(self) -> None:
        """Stop the engine thread and delete temporary files."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        for p in self._tmpdir.glob("*"):
            p.unlink(missing_ok=True)
        self._tmpdir.rmdir()

    # -- engine thread only ---------------------------------------------------------------

    def _make_engine(self) -> Any:
        self._thread_id = threading.get_ident()
        if self._factory is not None:
            return self._factory()
        try:
            import pyttsx3
            import pyttsx3.drivers.espeak as drv

            # The driver print()s "Audio saved to ..." on stdout; keep stdout clean for CLIs.
            drv.print = lambda *a, **k: log.debug(" ".join(map(str, a)))  # type: ignore[attr-defined]
            # Its run loop polls every 10 ms while espeak-ng synthesises a short cue in ~1 ms:
            # poll every 1 ms instead (the whole cue set renders ~3x faster).
            drv.time = SimpleNamespace(sleep=lambda s: time.sleep(min(s, 0.001)))
            return pyttsx3.init(self._driver)
        except Exception as exc:  # ImportError, OSError (no libespeak-ng), RuntimeError...
            raise TtsError(f"cannot start pyttsx3/{self._driver}: {exc}") from exc

    def _render_here(self, text: str, voice: Voice) -> np.ndarray:
        last: Exception | None = None
        for attempt in range(2):  # retry once, with a fresh engine: it may be wedged
            try:
                if self._engine is None or attempt:
                    self._engine = self._make_engine()
                return self._render_once(text, voice)
            except TtsError:
                raise
            except Exception as exc:
                last = exc
                log.warning("TTS attempt %d failed for %r: %s", attempt + 1, text, exc)
        raise TtsError(f"TTS failed twice for {text!r}: {last}") from last

    def _apply(self, eng: Any, voice: Voice) -> None:
        if self._factory is not None:  # a stand-in engine: the plain pyttsx3 API
            eng.setProperty("voice", voice.voice)
            eng.setProperty("rate", int(voice.rate_wpm))
            return
        # engine.setProperty() is queued and, with espeak-ng's asynchronous mode, a new rate
        # was silently ignored after the first render (measured: 120 and 220 wpm gave the same
        # WAV). Setting it on the driver and then synchronising makes it stick every time.
        import pyttsx3.drivers.espeak as drv
        from pyttsx3.drivers import _espeak

        drv.EspeakDriver.setProperty("voice", voice.voice)
        drv.EspeakDriver.setProperty("rate", int(voice.rate_wpm))
        _espeak.Synchronize()

    def _wait_for_wav(self, path: Path) -> tuple[np.ndarray, int]:
        # pyttsx3 reports no failure, and runAndWait() can return before espeak-ng's thread has
        # written the file (seen on first use): poll briefly until it parses, then give up.
        deadline = time.monotonic() + self._settle_s
        while True:
            try:
                return read_wav(path)
            except WavError as exc:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"engine wrote no valid WAV: {exc}") from exc
            time.sleep(0.002)

    def _render_once(self, text: str, voice: Voice) -> np.ndarray:
        eng = self._engine
        self._apply(eng, voice)
        self._n += 1
        path = self._tmpdir / f"cue{self._n}.wav"
        try:
            eng.save_to_file(text, os.fspath(path))
            eng.runAndWait()
            samples, rate = self._wait_for_wav(path)
        finally:
            path.unlink(missing_ok=True)
        samples = trim_silence(samples, rate)
        if samples.size == 0:
            raise RuntimeError("engine wrote only silence")
        if rate != voice.sample_rate_hz:
            import soxr

            samples = soxr.resample(samples, rate, voice.sample_rate_hz)
        return np.ascontiguousarray(samples, dtype=np.float32)


_shared: Pyttsx3Renderer | None = None
_shared_lock = threading.Lock()


def shared_renderer() -> Pyttsx3Renderer:
    """The process-wide renderer: espeak-ng keeps global state, so one engine per process."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Pyttsx3Renderer()
        return _shared
