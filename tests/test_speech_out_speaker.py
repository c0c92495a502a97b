"""Speaker facade, --wav-out timeline, say CLI and doctor: real espeak-ng, fake output stream."""

from __future__ import annotations

import numpy as np
import pytest

from audio.cue_cache import CueCache
from audio.earcons import earcon
from audio.fake_output import FakeOutputStream
from audio.player import PlayerSettings, Priority
from audio.speaker import Speaker, SpeakerSettings, doctor_check, render_timeline, say_cli
from audio.tts import TtsError, Voice, shared_renderer
from audio.wav import read_wav

RATE = 22050


@pytest.fixture(scope="module")
def renderer():
    return shared_renderer()  # espeak-ng has global state: one engine per process


class Broken:
    def render(self, text: str, voice: Voice) -> np.ndarray:
        raise TtsError("espeak-ng is gone")


@pytest.fixture
def settings(tmp_path):
    FakeOutputStream.fail_open = None
    return SpeakerSettings(cache_dir=str(tmp_path / "cues"), player=PlayerSettings(volume=1.0))


def make(settings, renderer, printed=None):
    return Speaker(settings, stream_factory=FakeOutputStream, renderer=renderer,
                   printer=(printed if printed is not None else []).append, supervise=False)


def test_cached_cue_plays_at_once_uncached_renders_in_background(settings, renderer):
    with make(settings, renderer) as spk:
        spk.build(["Hips back."])
        snd = spk.say("Hips back.")
        assert snd is not None and snd.state == "queued"
        out = spk.player._stream.pump(12)
        assert snd.started_at is not None and np.max(np.abs(out)) > 0.05
        assert spk.say("Something never said before.") is None  # never blocks on the engine
        spk.wait_rendered()
        assert spk.player.busy
        assert spk.cache.peek("Something never said before.") is not None


def test_counts_composed_from_cached_pieces(settings, renderer):
    with make(settings, renderer) as spk:
        spk.build(["you did", "reps"])  # count words one..hundred come with every build
        snd = spk.say(("you did", "forty two", "reps"), priority=Priority.INFO)
        assert snd is not None and snd.samples.size > spk.cache.get("forty two").size
        three = spk.say("three", priority=Priority.COUNT, key="count")
        four = spk.say("four", priority=Priority.COUNT, key="count")
        assert three.state == "replaced" and four.state == "queued"


def test_volume_and_rate_by_voice(settings, renderer):
    with make(settings, renderer) as spk:
        spk.build(["Stand tall."])
        v0 = spk.player.volume
        assert spk.quieter() < v0 and spk.louder() == pytest.approx(v0)
        for _ in range(10):
            spk.louder()
        assert spk.player.volume == 1.0
        for _ in range(100):
            spk.quieter()
        assert spk.player.volume == settings.min_volume
        before = spk.cache.get("Stand tall.").size
        assert spk.slower() == settings.rate_wpm - settings.rate_step_wpm
        spk.wait_rendered()  # known cues were re-rendered in the background at the new rate
        assert spk.cache.path("Stand tall.").exists() and spk.cache.path("seven").exists()
        assert spk.cache.get("Stand tall.").size > before
        for _ in range(50):
            spk.faster()
        assert spk.cache.voice.rate_wpm == settings.max_rate_wpm


def test_broken_tts_prints_text_and_earcons_still_play(settings):
    printed: list[str] = []
    with make(settings, Broken(), printed) as spk:
        spk.say("Hips back.")
        spk.wait_rendered()
        spk.say("Stand tall.")  # engine marked down: printed straight away
        tap = spk.earcon("tap")
        spk.player._stream.pump(5)
        assert printed == ["Hips back.", "Stand tall."] and tap.state == "done"


def test_no_device_prints_cues(settings, renderer):
    FakeOutputStream.fail_open = OSError("no default output device")
    printed: list[str] = []
    try:
        with make(settings, renderer, printed) as spk:
            spk.build(["Hips back."])
            spk.say("Hips back.")
            spk.earcon("rep")
    finally:
        FakeOutputStream.fail_open = None
    assert printed == ["Hips back.", "[rep]"]


def onset(x: np.ndarray, after_s: float, thresh: float = 0.02) -> float:
    i = int(after_s * RATE)
    return (i + int(np.flatnonzero(np.abs(x[i:]) > thresh)[0])) / RATE


def test_timeline_places_cues_and_earcons(settings, renderer, tmp_path):
    cache = CueCache(settings.cache_dir, renderer=renderer)
    items = [(0.5, "say", "Hips back."), (2.5, "earcon", "tap"), (3.0, "earcon", "rep"),
             (4.0, "say", "four", Priority.COUNT, "count"),
             (4.2, "say", "five", Priority.COUNT, "count"), (6.0, "earcon", "rest_over")]
    path = tmp_path / "workout.wav"
    duration = render_timeline(items, path, settings=settings, cache=cache)
    x, rate = read_wav(path)
    assert rate == RATE and x.size / RATE == pytest.approx(duration, abs=1e-3)
    for item in [items[0], items[1], items[2], items[3], items[5]]:
        t = item[0]
        assert t <= onset(x, t - 0.3) < t + 0.03, t  # silent before, sounding at t
    # "five" cuts "four" at 4.2 s: from there on the file is "five" alone (after the fade).
    five = cache.get("five")
    start = int(4.2 * RATE) + 200
    assert np.allclose(x[start:start + 2000], five[200:2200], atol=2e-3)
    # the earcon sits exactly at its time
    tap = earcon("tap", RATE)
    assert np.allclose(x[int(2.5 * RATE):][: tap.size], tap, atol=2e-3)


def test_timeline_queues_setup_steps_and_drops_late_cues(settings, renderer, tmp_path):
    cache = CueCache(settings.cache_dir, renderer=renderer)
    first, second = "Stand a foot from the wall.", "Unlock your knees."
    items = [(0.0, "say", first), (0.0, "say", second),
             (0.1, "say", "Hips back.", Priority.CUE, None)]
    path = tmp_path / "setup.wav"
    render_timeline(items, path, settings=settings, cache=cache)
    x, _ = read_wav(path)
    a, b = cache.get(first), cache.get(second)
    assert np.allclose(x[: a.size], a, atol=2e-3), "the first step plays whole"
    assert np.allclose(x[a.size: a.size + b.size], b, atol=2e-3), "the second follows it"
    assert x.size < a.size + b.size + RATE // 5, "the cue, two steps late, was dropped"


def test_say_cli_wav_out_and_no_device(settings, tmp_path, renderer):
    out = tmp_path / "say.wav"
    assert say_cli("Push through your heels.", str(out), settings=settings) == 0
    x, rate = read_wav(out)
    assert rate == RATE and 1.0 < x.size / RATE < 4.0 and np.max(np.abs(x)) > 0.1
    printed: list[str] = []
    FakeOutputStream.fail_open = OSError("no device")
    try:
        code = say_cli("Hello.", settings=settings, stream_factory=FakeOutputStream,
                       printer=printed.append)
    finally:
        FakeOutputStream.fail_open = None
    assert code == 3 and printed == ["Hello."]


def test_doctor_reports_broken_tts_and_corrupt_cache(settings):
    cache = CueCache(settings.cache_dir, settings.voice, settings.rate_wpm, renderer=Broken())
    cache.dir.mkdir(parents=True)
    cache.path("one").write_bytes(b"RIFF....WAVEjunk")
    problems = doctor_check(settings, renderer=Broken())
    components = {p.component for p in problems}
    assert {"tts", "cue-cache"} <= components
    assert all(p.fix for p in problems)
    assert any("corrupt" in p.message for p in problems)
