"""Real WAVs rendered by pyttsx3/espeak-ng, and the on-disk cue cache."""

from __future__ import annotations

import logging
import wave

import numpy as np
import pytest

from audio.cue_cache import CueCache, number_words
from audio.tts import Pyttsx3Renderer, TtsError, Voice, shared_renderer
from audio.wav import WavError, read_wav, write_wav

RATE = 22050


@pytest.fixture(scope="module")
def renderer():
    return shared_renderer()  # espeak-ng has global state: one engine per process


class Counting:
    """Wraps a renderer and counts engine calls."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def render(self, text: str, voice: Voice) -> np.ndarray:
        self.calls.append(text)
        return self.inner.render(text, voice)


def rms_dbfs(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)


def test_render_real_speech(renderer):
    short = renderer.render("Hold.", Voice(rate_wpm=165))
    long = renderer.render("Push your hips back slowly, reaching for the button.", Voice())
    assert short.dtype == np.float32 and short.ndim == 1
    assert 0.2 < short.size / RATE < 1.2
    assert 1.5 < long.size / RATE < 5.0
    assert -30 < rms_dbfs(long) < -3  # clearly audible, not clipped
    assert np.max(np.abs(long)) < 1.0
    # leading silence trimmed: the cue starts sounding within 20 ms
    assert np.flatnonzero(np.abs(long) > 0.01)[0] < 0.02 * RATE


def test_rate_and_sample_rate_settings(renderer):
    text = "Drive your hips forward and squeeze your glutes."
    slow = renderer.render(text, Voice(rate_wpm=120))
    fast = renderer.render(text, Voice(rate_wpm=220))
    assert slow.size > 1.4 * fast.size
    hi = renderer.render(text, Voice(rate_wpm=220, sample_rate_hz=48000))
    assert abs(hi.size / 48000 - fast.size / RATE) < 0.1


def test_engine_quirks_retry_then_clear_error(tmp_path):
    class Engine:
        """Writes no file the first time (pyttsx3's early-return quirk), then works."""

        def __init__(self, good_after: int) -> None:
            self.n = 0
            self.good_after = good_after

        def setProperty(self, *a):  # noqa: N802 (pyttsx3 API)
            pass

        def save_to_file(self, text, path):
            self.path = path

        def runAndWait(self):  # noqa: N802
            self.n += 1
            if self.n > self.good_after:
                write_wav(self.path, 0.3 * np.sin(np.arange(RATE) / 5.0), RATE)

    flaky = Engine(good_after=1)
    r = Pyttsx3Renderer(engine_factory=lambda: flaky, settle_s=0.05)
    assert r.render("one", Voice()).size > 0 and flaky.n == 2
    r.close()
    dead = Engine(good_after=99)
    r = Pyttsx3Renderer(engine_factory=lambda: dead, settle_s=0.05)
    with pytest.raises(TtsError):
        r.render("one", Voice())
    with pytest.raises(TtsError):
        r.render("   ", Voice())
    r.close()


def test_cache_miss_then_hit_survives_restart(tmp_path, renderer):
    counting = Counting(renderer)
    cache = CueCache(tmp_path, "gmw/en-us", 165, renderer=counting)
    a = cache.get("Stand tall.")
    assert counting.calls == ["Stand tall."]
    with wave.open(str(cache.path("Stand tall.")), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (RATE, 1, 2)
    assert cache.get("Stand tall.") is a and len(counting.calls) == 1
    fresh = CueCache(tmp_path, "gmw/en-us", 165, renderer=counting)  # a restart
    b = fresh.get("  Stand   tall. ")  # same text after whitespace normalisation
    assert len(counting.calls) == 1 and np.allclose(a, b, atol=1 / 16000)
    other_rate = CueCache(tmp_path, "gmw/en-us", 200, renderer=counting)
    assert other_rate.path("Stand tall.") != cache.path("Stand tall.")
    other_rate.get("Stand tall.")
    assert len(counting.calls) == 2


def test_one_off_sentences_cannot_grow_the_cache_for_ever(tmp_path, renderer):
    # Every workout summary is a new sentence; a unit runs for months.
    counting = Counting(renderer)
    cache = CueCache(tmp_path, renderer=counting, memory_bytes=1, disk_files=3)
    cache.get("Stand tall.")
    for n in ("One", "Two", "Three"):
        cache.get(f"Workout complete. {n} reps.")
        cache.peek("Stand tall.")  # used often: stays
    assert len(list(tmp_path.glob("*.wav"))) == 3
    assert cache.path("Stand tall.").exists()
    assert not cache.path("Workout complete. One reps.").exists()  # least recently used
    assert len(cache._mem) == 1  # the byte cap keeps only the latest in memory


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_entry_logged_once_and_rerendered(tmp_path, renderer, caplog, damage):
    counting = Counting(renderer)
    CueCache(tmp_path, renderer=counting).get("Soften your knees.")
    path = CueCache(tmp_path, renderer=counting).path("Soften your knees.")
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"RIFF" + b"x" * 500,
                      "empty": b""}[damage])
    with pytest.raises(WavError):
        read_wav(path)
    cache = CueCache(tmp_path, renderer=counting)
    assert cache.corrupt_entries() == [path]
    with caplog.at_level(logging.WARNING, logger="audio.cue_cache"):
        samples = cache.get("Soften your knees.")
    assert samples.size > 0 and len(counting.calls) == 2
    assert len([r for r in caplog.records if "corrupt" in r.message]) == 1
    assert read_wav(path)[0].size == samples.size  # repaired on disk
    assert cache.corrupt_entries() == []


def test_build_reports_progress_and_counts(tmp_path, renderer):
    counting = Counting(renderer)
    cache = CueCache(tmp_path, renderer=counting)
    seen: list[tuple[int, int]] = []
    texts = ["one", "two", "three", "two", "Hips back."]
    report = cache.build(texts, progress=lambda d, t, _: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (report.rendered, report.cached, report.failed) == (4, 0, ())
    again = CueCache(tmp_path, renderer=counting).build(texts)
    assert (again.rendered, again.cached) == (0, 4) and len(counting.calls) == 4


def test_compose_from_cached_pieces(tmp_path, renderer):
    cache = CueCache(tmp_path, renderer=renderer)
    cache.build(["you did", "forty two", "reps"])
    whole = cache.compose(["you did", "forty two", "reps"])
    parts = sum(cache.get(p).size for p in ["you did", "forty two", "reps"])
    assert whole.size > parts


def test_number_words():
    assert [number_words(n) for n in (0, 7, 13, 20, 42, 100, 115)] == [
        "zero", "seven", "thirteen", "twenty", "forty two", "one hundred",
        "one hundred and fifteen"]


def test_the_units_own_plan_is_rendered_before_its_first_workout():
    from assistant.config import Config
    from assistant.cue_texts import cue_texts
    from assistant.settings import WorkoutSettings

    plan = Config(workout=WorkoutSettings(exercise="barbell_good_morning", sets=7, reps=13,
                                          rest_s=45))
    texts = cue_texts([], plan)
    assert "Set two of seven. Thirteen reps. Go." in texts
    assert "Rest forty five seconds." in texts
    assert "Set seven done." in texts
    assert "Set two of seven. Thirteen reps. Go." not in cue_texts([]), "default plan: 3 x 10"
