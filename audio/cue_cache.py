"""On-disk cache of rendered cues, keyed by (text, voice, rate, sample rate); survives restarts.

Example::

    cache = CueCache("/var/cache/hinge-coach/cues", "gmw/en-us", 165)
    cache.build(["Hips back.", "Stand tall."], progress=print_progress)
    samples = cache.get("Hips back.")  # a hit reads the WAV; a miss renders and stores it
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio.tts import Renderer, TtsError, Voice, shared_renderer
from audio.wav import WavError, read_wav, write_wav

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
"""Bump when rendering changes (trimming, resampling) so old entries are not reused."""

Progress = Callable[[int, int, str], None]
"""progress(done, total, text) after each cue of a build."""

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """0..999 as spoken words: 42 -> "forty two" (no hyphens: espeak reads them fine either way)."""
    if not 0 <= n <= 999:
        raise ValueError(f"{n} out of range 0..999")
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")


COUNT_WORDS: tuple[str, ...] = tuple(number_words(i) for i in range(1, 101))
"""one..one hundred: cached once, so counts and durations are composed, never rendered live."""


def normalize(text: str) -> str:
    """The cache key text: whitespace collapsed; case and punctuation kept (they change prosody)."""
    return " ".join(text.split())


def print_progress(done: int, total: int, text: str) -> None:
    """A one-line progress bar on stderr for install / first start."""
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\rRendering cues [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@dataclass(frozen=True)
class BuildReport:
    """What one ``CueCache.build`` did."""

    rendered: int
    """Cues rendered by the engine (misses)."""
    cached: int
    """Cues already on disk and valid (hits)."""
    failed: tuple[str, ...]
    """Texts the engine could not render."""


class CueCache:
    """Rendered cues on disk plus a small in-memory LRU; thread-safe.

    ``memory_items`` and ``memory_bytes`` bound the in-memory LRU; ``disk_files`` bounds the
    directory (the least recently used entries go first).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        voice: str = "gmw/en-us",
        rate_wpm: int = 165,
        *,
        sample_rate_hz: int = 22050,
        renderer: Renderer | None = None,
        memory_items: int = 512,
        memory_bytes: int = 16 * 2**20,
        disk_files: int = 2000,
    ) -> None:
        self.dir = Path(directory)
        self.voice = Voice(voice=voice, rate_wpm=int(rate_wpm), sample_rate_hz=sample_rate_hz)
        self.renderer: Renderer = renderer if renderer is not None else shared_renderer()
        self._mem: OrderedDict[str, np.ndarray] = OrderedDict()
        self._mem_items, self._mem_bytes, self._disk_files = memory_items, memory_bytes, disk_files
        self._lock = threading.Lock()
        self._reported_corrupt: set[str] = set()

    def with_rate(self, rate_wpm: int) -> CueCache:
        """A cache for the same directory, voice and engine at another speaking rate."""
        return CueCache(
            self.dir,
            self.voice.voice,
            rate_wpm,
            sample_rate_hz=self.voice.sample_rate_hz,
            renderer=self.renderer,
            memory_items=self._mem_items,
            memory_bytes=self._mem_bytes,
            disk_files=self._disk_files,
        )

    def key(self, text: str) -> str:
        """Hex digest naming the entry for ``text`` under this voice/rate/sample rate."""
        v = self.voice
        ident = f"{CACHE_FORMAT}\0{v.voice}\0{v.rate_wpm}\0{v.sample_rate_hz}\0{normalize(text)}"
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:32]

    def path(self, text: str) -> Path:
        """Where the WAV for ``text`` lives (it may not exist yet)."""
        return self.dir / f"{self.key(text)}.wav"

    def peek(self, text: str) -> np.ndarray | None:
        """Cached samples from memory or disk, or None; never calls the engine."""
        key = self.key(text)
        with self._lock:
            samples = self._mem.get(key)
            if samples is not None:
                self._mem.move_to_end(key)
        if samples is None:
            samples = self._load(key, text)
            if samples is None:
                return None
            self._remember(key, samples)
        with contextlib.suppress(OSError):  # recency for _prune_disk (atime may be off)
            os.utime(self.dir / f"{key}.wav")
        return samples

    def get(self, text: str) -> np.ndarray:
        """Samples for ``text``: a hit loads them, a miss renders and stores. Raises TtsError."""
        samples = self.peek(text)
        if samples is not None:
            return samples
        samples = self.renderer.render(normalize(text), self.voice)
        key = self.key(text)
        try:
            write_wav(self.dir / f"{key}.wav", samples, self.voice.sample_rate_hz)
            self._prune_disk()
        except OSError as exc:  # read-only or full disk: still speak, just don't persist
            log.warning("cue cache not writable (%s); keeping %r in memory only", exc, text)
        self._remember(key, samples)
        return samples

    def _prune_disk(self) -> None:
        """Keep at most disk_files entries, least recently used first out: every workout
        summary is a new sentence, and a unit runs for months."""
        entries = list(self.dir.glob("*.wav"))
        if len(entries) <= self._disk_files:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for path in entries[:len(entries) - self._disk_files]:
            path.unlink(missing_ok=True)

    def build(self, texts: Iterable[str], progress: Progress | None = None) -> BuildReport:
        """Render every text not yet cached; call ``progress`` after each one."""
        unique = list(dict.fromkeys(normalize(t) for t in texts if normalize(t)))
        rendered = cached = 0
        failed: list[str] = []
        for i, text in enumerate(unique, 1):
            if self.path(text).exists() and self.peek(text) is not None:
                cached += 1
            else:
                try:
                    self.get(text)
                    rendered += 1
                except TtsError as exc:
                    log.error("cannot render %r: %s", text, exc)
                    failed.append(text)
            if progress is not None:
                progress(i, len(unique), text)
        return BuildReport(rendered, cached, tuple(failed))

    def compose(self, parts: Sequence[str], gap_s: float = 0.06) -> np.ndarray:
        """Join cached pieces with short gaps: "you did" + "forty two" + "reps"."""
        gap = np.zeros(int(gap_s * self.voice.sample_rate_hz), dtype=np.float32)
        chunks: list[np.ndarray] = []
        for i, part in enumerate(parts):
            if i:
                chunks.append(gap)
            chunks.append(self.get(part))
        return np.concatenate(chunks) if chunks else gap[:0]

    def corrupt_entries(self) -> list[Path]:
        """WAV files in the cache directory that fail to load (for ``doctor``)."""
        bad = []
        for p in sorted(self.dir.glob("*.wav")):
            try:
                read_wav(p)
            except WavError:
                bad.append(p)
        return bad

    def _load(self, key: str, text: str) -> np.ndarray | None:
        path = self.dir / f"{key}.wav"
        if not path.exists():
            return None
        try:
            samples, rate = read_wav(path)
            if rate != self.voice.sample_rate_hz:
                raise WavError(f"{path}: {rate} Hz, expected {self.voice.sample_rate_hz}")
        except WavError as exc:
            if key not in self._reported_corrupt:  # log once per entry, then just re-render
                self._reported_corrupt.add(key)
                log.warning("corrupt cue cache entry for %r, re-rendering: %s", text, exc)
            path.unlink(missing_ok=True)
            return None
        return samples

    def _remember(self, key: str, samples: np.ndarray) -> None:
        samples.setflags(write=False)  # shared with the player thread: make it immutable
        with self._lock:
            self._mem[key] = samples
            self._mem.move_to_end(key)
            while len(self._mem) > self._mem_items or (
                    len(self._mem) > 1
                    and sum(a.nbytes for a in self._mem.values()) > self._mem_bytes):
                self._mem.popitem(last=False)
