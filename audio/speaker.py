"""The coach's voice: the facade the runtime uses, the --wav-out timeline and ``say`` CLI.

Example::

    spk = Speaker(SpeakerSettings(), on_speaking=mic.set_muted)
    spk.build(coach_texts, progress=print_progress)   # install / first start
    spk.earcon("tap")                                  # the wall-tap click, mixed in at once
    spk.say("four", priority=Priority.COUNT, key="count")
    spk.say("Hips back, spine long, knees soft.")      # coaching cue, dropped if late
    spk.say(("you did", "twelve", "reps"), priority=Priority.INFO)  # composed from pieces
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from audio.cue_cache import COUNT_WORDS, BuildReport, CueCache, Progress, normalize
from audio.earcons import EARCON_NAMES, earcon
from audio.echo_cancel import PlaybackTap
from audio.player import Player, PlayerSettings, Priority, Sound
from audio.tts import Renderer, TtsError, Voice, shared_renderer
from audio.wav import write_wav

log = logging.getLogger(__name__)

__all__ = [
    "EARCON_NAMES",
    "Priority",
    "Problem",
    "Speaker",
    "SpeakerSettings",
    "doctor_check",
    "render_timeline",
    "say_cli",
]


def default_cache_dir() -> str:
    """$HINGE_COACH_CUE_CACHE, else $XDG_CACHE_HOME/hinge-coach/cues, else ~/.cache/..."""
    if env := os.environ.get("HINGE_COACH_CUE_CACHE"):
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "hinge-coach", "cues")


@dataclass(frozen=True)
class SpeakerSettings:
    """Voice, cache and output settings for the Speaker."""

    cache_dir: str = field(default_factory=default_cache_dir)
    """Directory of rendered cue WAVs; keep it on persistent storage."""
    voice: str = "gmw/en-us"
    """espeak-ng voice id (see ``espeak-ng --voices``, as pyttsx3 names them)."""
    rate_wpm: int = 165
    """Initial speaking rate, words per minute."""
    rate_step_wpm: int = 20
    """How much "slower"/"faster" changes the rate, words per minute."""
    min_rate_wpm: int = 100
    """Slowest allowed rate, words per minute."""
    max_rate_wpm: int = 260
    """Fastest allowed rate, words per minute."""
    volume_step: float = 1.41
    """Factor "louder"/"quieter" multiplies/divides the gain by (1.41 = 3 dB)."""
    min_volume: float = 0.05
    """Quietest gain "quieter" goes down to (never fully mute by voice)."""
    tts_retry_s: float = 60.0
    """After the TTS engine failed, seconds before trying it again (printing meanwhile)."""
    player: PlayerSettings = PlayerSettings()
    """Output stream and queue policy."""


@dataclass(frozen=True)
class Problem:
    """One thing ``hinge-coach doctor`` reports."""

    component: str
    """Which part: "audio-output", "tts" or "cue-cache"."""
    message: str
    """What is wrong, in one line."""
    fix: str
    """What to do about it, in one line."""


class _RenderWorker:
    """One background thread for renders: urgent jobs (a say() miss) before bulk re-renders."""

    URGENT, BULK = 0, 1

    def __init__(self) -> None:
        self._q: queue.PriorityQueue[tuple[int, int, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._seq = itertools.count()
        self._thread = threading.Thread(target=self._run, name="cue-render", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None], urgency: int = URGENT) -> None:
        self._q.put((urgency, next(self._seq), job))

    def idle(self) -> bool:
        return self._q.unfinished_tasks == 0

    def join(self) -> None:
        self._q.join()

    def close(self) -> None:
        self._q.put((99, next(self._seq), None))
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while True:
            _, _, job = self._q.get()
            try:
                if job is None:
                    return
                job()
            except Exception:
                log.exception("cue render job failed")
            finally:
                self._q.task_done()


Text = str | Sequence[str]
"""A cue: one string, or pieces composed from the cache ("you did", "twelve", "reps")."""


class Speaker:
    """Says cues and plays earcons without ever blocking or raising into the coach.

    Thread-safe. ``say()`` plays a cached cue at once; an uncached one is rendered on a
    background thread and then played (its age still counts from the ``say()`` call).
    """

    def __init__(
        self,
        settings: SpeakerSettings | None = None,
        *,
        on_speaking: Callable[[bool], None] | None = None,
        stream_factory: Callable[..., Any] | None = None,
        renderer: Renderer | None = None,
        printer: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
        supervise: bool = True,
        tap: PlaybackTap | None = None,
    ) -> None:
        self.settings = settings = settings or SpeakerSettings()
        self._printer = printer
        self._clock = clock
        self._renderer = renderer if renderer is not None else shared_renderer()
        self.cache = CueCache(
            settings.cache_dir,
            settings.voice,
            settings.rate_wpm,
            sample_rate_hz=settings.player.sample_rate_hz,
            renderer=self._renderer,
        )
        self.player = Player(
            settings.player,
            on_speaking=on_speaking,
            stream_factory=stream_factory,
            printer=printer,
            clock=clock,
            supervise=supervise,
            tap=tap,
        )
        self._worker = _RenderWorker()
        self._known: list[str] = list(COUNT_WORDS)
        self._tts_down_until = -1.0
        self._rate_gen = 0

    # -- speaking -------------------------------------------------------------------------

    def say(
        self, text: Text, priority: Priority = Priority.CUE, key: str | None = None
    ) -> Sound | None:
        """Speak ``text``; returns the queued Sound at once if cached, else None (rendering)."""
        requested = self._clock()
        label = text if isinstance(text, str) else " ".join(text)
        try:
            if self._clock() < self._tts_down_until:
                self._print(label)
                return None
            cache = self.cache
            samples = self._peek(cache, text)
            if samples is not None:
                return self.player.play(
                    samples, priority=priority, key=key, text=label, requested_at=requested
                )
            self._worker.submit(
                lambda: self._render_and_play(cache, text, label, priority, key, requested)
            )
        except Exception:  # the coach must never see an exception from its voice
            log.exception("say(%r) failed", label)
            self._print(label)
        return None

    def earcon(self, name: str) -> Sound | None:
        """Play earcon ``name`` at once, mixed on top of any speech (short pure tones)."""
        try:
            samples = earcon(name, self.settings.player.sample_rate_hz)
            return self.player.play(samples, priority=Priority.TAP, text=f"[{name}]")
        except Exception:
            log.exception("earcon(%r) failed", name)
            return None

    def stop(self) -> None:
        """Silence now (next audio block) and drop everything queued."""
        self.player.stop()

    def interrupt(self) -> None:
        """Cut what is playing now; queued sounds carry on."""
        self.player.interrupt()

    def louder(self) -> float:
        """Raise the gain one step (3 dB); returns the new gain 0..1."""
        self.player.volume = self.player.volume * self.settings.volume_step
        return self.player.volume

    def quieter(self) -> float:
        """Lower the gain one step (3 dB), not below ``min_volume``; returns the new gain."""
        self.player.volume = max(
            self.settings.min_volume, self.player.volume / self.settings.volume_step
        )
        return self.player.volume

    def slower(self) -> int:
        """Speak ``rate_step_wpm`` slower; returns the new rate (words per minute)."""
        return self.set_rate(self.cache.voice.rate_wpm - self.settings.rate_step_wpm)

    def faster(self) -> int:
        """Speak ``rate_step_wpm`` faster; returns the new rate (words per minute)."""
        return self.set_rate(self.cache.voice.rate_wpm + self.settings.rate_step_wpm)

    def set_rate(self, rate_wpm: int) -> int:
        """Switch to another rate; known cues re-render in the background (misses first)."""
        s = self.settings
        rate = int(min(max(rate_wpm, s.min_rate_wpm), s.max_rate_wpm))
        if rate != self.cache.voice.rate_wpm:
            self.cache = cache = self.cache.with_rate(rate)
            self._rate_gen += 1
            gen = self._rate_gen
            for text in list(self._known):
                self._worker.submit(
                    lambda t=text: self._prerender(cache, t, gen), _RenderWorker.BULK
                )
        return rate

    # -- cache ----------------------------------------------------------------------------

    def build(self, texts: Iterable[str] = (), progress: Progress | None = None) -> BuildReport:
        """Render every cue not yet cached (plus the count words); blocking, with progress."""
        self._known = list(dict.fromkeys([*self._known, *(normalize(t) for t in texts)]))
        return self.cache.build(self._known, progress=progress)

    def wait_rendered(self) -> None:
        """Block until background renders are done (tests, CLI)."""
        self._worker.join()

    def close(self) -> None:
        """Stop sound, the render thread and the player (the shared TTS engine stays up)."""
        self.player.stop()
        self._worker.close()
        self.player.close()

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _peek(cache: CueCache, text: Text) -> np.ndarray | None:
        if isinstance(text, str):
            return cache.peek(text)
        parts = [cache.peek(p) for p in text]
        if any(p is None for p in parts):
            return None
        return cache.compose(text)  # all pieces cached: compose() only concatenates

    def _render_and_play(
        self,
        cache: CueCache,
        text: Text,
        label: str,
        priority: Priority,
        key: str | None,
        requested: float,
    ) -> None:
        try:
            samples = cache.get(text) if isinstance(text, str) else cache.compose(text)
        except TtsError as exc:
            # Broken engine: earcons still work; print cues and retry the engine later.
            log.error("TTS failed (%s); printing cues for %.0f s", exc, self.settings.tts_retry_s)
            self._tts_down_until = self._clock() + self.settings.tts_retry_s
            self._print(label)
            return
        self.player.play(samples, priority=priority, key=key, text=label, requested_at=requested)

    def _prerender(self, cache: CueCache, text: str, gen: int) -> None:
        if gen == self._rate_gen and self._clock() >= self._tts_down_until:
            try:
                cache.get(text)
            except TtsError as exc:
                log.warning("re-render of %r failed: %s", text, exc)

    def _print(self, text: str) -> None:
        try:
            self._printer(text)
        except Exception:
            log.debug("printer failed", exc_info=True)


# -- simulation timeline ------------------------------------------------------------------

TimelineItem = (
    tuple[float, Literal["say", "earcon"], str]
    | tuple[float, Literal["say", "earcon"], str, Priority, str | None]
)
"""(virtual seconds, kind, text or earcon name[, priority, key]); priority defaults to INFO."""


def render_timeline(
    items: Iterable[TimelineItem],
    path: str | os.PathLike[str],
    *,
    settings: SpeakerSettings | None = None,
    cache: CueCache | None = None,
) -> float:
    """Write one WAV of a simulated session, played the way the live Player would play it.

    Speech queues behind speech (setup steps follow one another), except that SAFETY cuts
    what is sounding and a same-key sound (a new count) replaces the one sounding; cues and
    counts that would start later than their max age are dropped, as live. The queue is
    first-come first-served where the live one also orders by priority: close enough for
    listening to a session. Earcons are mixed on top at their exact time. Returns seconds.
    """
    settings = settings or SpeakerSettings()
    player = settings.player
    rate = player.sample_rate_hz
    cache = cache or CueCache(
        settings.cache_dir, settings.voice, settings.rate_wpm, sample_rate_hz=rate
    )
    max_age_s = {Priority.CUE: player.cue_max_age_s, Priority.COUNT: player.count_max_age_s}
    fade = int(player.fade_s * rate)
    placed: list[tuple[int, np.ndarray]] = []
    speaking: tuple[int, str | None] | None = None  # (index in placed, key) of the last speech
    for item in sorted(items, key=lambda it: it[0]):  # stable: ties keep their order
        t, kind, what = item[0], item[1], item[2]
        priority, key = (item[3], item[4]) if len(item) == 5 else (Priority.INFO, None)
        at = round(t * rate)
        if kind == "earcon":
            placed.append((at, earcon(what, rate)))
            continue
        if kind != "say":
            raise ValueError(f"unknown timeline item kind {kind!r}")
        start = at
        if speaking is not None:
            index, playing_key = speaking
            busy_until = placed[index][0] + placed[index][1].size
            if busy_until > at:
                if priority <= player.preempt_at or (key is not None and key == playing_key):
                    kept = placed[index][1][: at - placed[index][0] + fade].copy()
                    kept[-min(fade, kept.size):] *= np.linspace(1, 0, min(fade, kept.size))
                    placed[index] = (placed[index][0], kept)
                else:
                    start = busy_until
                    if (start - at) / rate > max_age_s.get(priority, float("inf")):
                        continue  # late coaching is wrong coaching
        placed.append((start, cache.get(what)))
        speaking = (len(placed) - 1, key)
    out = np.zeros(max((st + x.size for st, x in placed), default=0) + rate // 10,
                   dtype=np.float32)
    for st, samples in placed:
        out[st: st + samples.size] += samples
    write_wav(path, np.clip(out * settings.player.volume, -1.0, 1.0), rate)
    return out.size / rate


# -- CLI ----------------------------------------------------------------------------------


def say_cli(
    text: str,
    wav_out: str | None = None,
    *,
    settings: SpeakerSettings | None = None,
    stream_factory: Callable[..., Any] | None = None,
    printer: Callable[[str], None] = print,
) -> int:
    """``hinge-coach say TEXT [--wav-out FILE]``. Exit codes: 0 spoken or written,
    1 cannot render or write, 3 no audio device (the text was printed instead)."""
    settings = settings or SpeakerSettings()
    if wav_out is not None:
        try:
            render_timeline([(0.0, "say", text)], wav_out, settings=settings)
        except (TtsError, OSError) as exc:
            log.error("cannot write %s: %s", wav_out, exc)
            return 1
        return 0
    with Speaker(settings, stream_factory=stream_factory, printer=printer) as spk:
        if not spk.player.output_ok:
            printer(text)
            return 3
        try:
            samples = spk.cache.get(text)
        except TtsError as exc:
            log.error("cannot render %r: %s", text, exc)
            printer(text)
            return 1
        spk.player.play(samples, priority=Priority.INFO, text=text)
        spk.player.wait_idle(timeout_s=samples.size / settings.player.sample_rate_hz + 5.0)
        time.sleep(0.2)  # let the device buffer drain before the stream closes
        return 0


# -- doctor -------------------------------------------------------------------------------


def doctor_check(
    settings: SpeakerSettings | None = None, renderer: Renderer | None = None
) -> list[Problem]:
    """Check audio output, TTS and the cue cache without disturbing a running unit."""
    settings = settings or SpeakerSettings()
    problems: list[Problem] = []
    ps = settings.player
    try:
        import sounddevice as sd

        try:
            from audio.player import resolve_output_device

            dev = resolve_output_device(ps.device)
            sd.check_output_settings(
                device=dev, samplerate=ps.sample_rate_hz, channels=1, dtype="float32"
            )
        except Exception as exc:
            problems.append(
                Problem(
                    "audio-output",
                    f"output device {ps.device or 'default'!r} unusable: {exc}",
                    "list devices with `python -m sounddevice`; set the output device to a name "
                    "substring, or use a rate it supports (44100/48000) for sample_rate_hz",
                )
            )
    except OSError as exc:
        problems.append(
            Problem("audio-output", f"PortAudio missing: {exc}", "sudo apt install libportaudio2")
        )
    renderer = renderer or shared_renderer()
    try:
        renderer.render("test", Voice(settings.voice, settings.rate_wpm, ps.sample_rate_hz))
    except TtsError as exc:
        problems.append(
            Problem(
                "tts",
                f"pyttsx3/espeak-ng cannot render: {exc}",
                "sudo apt install espeak-ng; pip install pyttsx3==2.99; check "
                "the voice id with `espeak-ng --voices=en`",
            )
        )
    cache_dir = Path(settings.cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache_dir):
            pass
    except OSError as exc:
        problems.append(
            Problem(
                "cue-cache",
                f"cache dir {cache_dir} not writable: {exc}",
                f"create it and chown it to the service user: {cache_dir}",
            )
        )
    else:
        cache = CueCache(
            cache_dir,
            settings.voice,
            settings.rate_wpm,
            sample_rate_hz=ps.sample_rate_hz,
            renderer=renderer,
        )
        bad = cache.corrupt_entries()
        if bad:
            problems.append(
                Problem(
                    "cue-cache",
                    f"{len(bad)} corrupt cue file(s), e.g. {bad[0]}",
                    f"they re-render on next use; or delete them now: rm {cache_dir}/<name>.wav",
                )
            )
        missing = [w for w in COUNT_WORDS if not cache.path(w).exists()]
        if missing:
            problems.append(
                Problem(
                    "cue-cache",
                    f"cue cache not built ({len(missing)} count words missing)",
                    "start the coach once (it builds the cache with a progress bar, a few seconds)",
                )
            )
    return problems
