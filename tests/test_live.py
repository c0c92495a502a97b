"""The live runtime on real components: rendered speech through the real recogniser, a trace
replayed in real time as the sensor, the real speaker on a fake PortAudio stream, a real
SQLite history. Only the sound card is fake."""

from __future__ import annotations

import subprocess
import threading
import time
import wave

import numpy as np
import pytest

from assistant.config import Config
from assistant.history import History
from assistant.live import Devices, LiveRuntime
from assistant.settings import WorkoutSettings
from assistant.wiring import build_coach
from audio.fake_output import FakeOutputStream
from audio.microphone import ArraySource
from audio.player import PlayerSettings
from audio.recognizer import make_recognizer
from audio.speaker import Speaker, SpeakerSettings
from hardware.calibration import Calibration, load_calibration
from hardware.readings import Reading
from hardware.sensor import ReplaySensor
from intents.grammar import load_default_grammar
from tests.waiting import wait_for

ESPEAK_RATE = 22_050


def speech(text: str, tmp_path) -> np.ndarray:
    """espeak-ng's rendering of text, at ESPEAK_RATE."""
    path = tmp_path / "say.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def utterances(tmp_path, *texts: str, gap_s: float = 1.0) -> ArraySource:
    """A microphone hearing the texts, with quiet room noise between them."""
    gap = np.zeros(int(gap_s * ESPEAK_RATE), dtype=np.int16)
    parts = [gap]
    for text in texts:
        parts += [speech(text, tmp_path), gap]
    audio = np.concatenate(parts).astype(np.float64)
    audio += np.random.default_rng(1).normal(0, 20, size=audio.size)  # never digital silence
    return ArraySource(audio.astype(np.int16), rate_hz=ESPEAK_RATE)


def wall_trace(reps: int, start_s: float = 3.0, rate_hz: float = 20.0) -> list[Reading]:
    """Standing at 40 cm, `reps` taps at 6 cm, standing again."""
    profile = [40, 38, 33, 26, 19, 12, 7, 6, 6, 6, 6, 6, 6, 9, 15, 22, 29, 35, 39] + [40] * 16
    distances = [40.0] * int(start_s * rate_hz) + profile * reps + [40.0] * 40
    jitter = np.random.default_rng(2).normal(0, 0.5, size=len(distances))
    return [Reading(i / rate_hz, round(d + j, 2)) for i, (d, j) in
            enumerate(zip(distances, jitter, strict=True))]


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("HINGE_COACH_CUE_CACHE", str(tmp_path / "cues"))
    FakeOutputStream.fail_open = None
    grammar = load_default_grammar()
    speaker = Speaker(SpeakerSettings(cache_dir=str(tmp_path / "cues"),
                                      player=PlayerSettings(volume=1.0)),
                      stream_factory=FakeOutputStream, printer=lambda text: None,
                      supervise=False)
    mic = utterances(tmp_path, "yes")  # to "Ready for the hip hinge, one set of two?"
    devices = Devices(sensor=ReplaySensor(wall_trace(2, start_s=5.0), time.monotonic, time.sleep),
                      microphone=mic, recognizer=make_recognizer(grammar=grammar),
                      speaker=speaker, history=History(tmp_path / "history.db"))
    plan = Config(workout=WorkoutSettings(exercise="hip_hinge", sets=1, reps=2))
    live = LiveRuntime(build_coach(plan, grammar), devices, Calibration(stand_cm=40.0),
                       tmp_path / "calibration.json")
    thread = threading.Thread(target=live.run)
    thread.start()
    yield live
    live.stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the runtime must stop when asked"


def test_a_spoken_yes_and_taps_at_the_wall_make_a_recorded_workout(runtime, tmp_path, caplog):
    caplog.set_level("INFO", logger="assistant.live")
    assert wait_for(lambda: runtime.coach.state == "finished"), runtime.coach.state
    assert runtime.coach.plan.exercise == "hip_hinge"
    # The state changes before the main loop has carried out (and logged) the last rep.
    assert wait_for(lambda: "event=rep n=2 set=1" in caplog.text, 10)
    assert "event=earcon name=tap" in caplog.text
    runtime.stop.set()
    time.sleep(0.5)
    sessions = History(tmp_path / "history.db", readonly=True).sessions()
    assert len(sessions) == 1
    assert (sessions[0].reps, sessions[0].status) == (2, "completed")


def test_a_calibration_is_saved_where_the_next_start_finds_it(tmp_path):
    from assistant.actions import SaveCalibration

    live = LiveRuntime.__new__(LiveRuntime)  # only the action executor is exercised
    live.devices = Devices(sensor=ReplaySensor([]), microphone=ArraySource(np.zeros(1)),
                           recognizer=None, speaker=None)  # type: ignore[arg-type]
    live.calibration_file = tmp_path / "state" / "calibration.json"
    live.calibration_file.parent.mkdir()
    saved = Calibration(stand_cm=38.0, tap_cm=11.5, touch_cm=8.0)
    live._carry_out(SaveCalibration(saved), 1.0)
    assert load_calibration(live.calibration_file) == saved
    assert live.detector.cal == saved


def test_a_set_ends_in_the_history_when_rest_starts(tmp_path):
    import sqlite3

    from assistant.actions import EnterState, RecordRep, SessionStarted

    live = LiveRuntime.__new__(LiveRuntime)  # only the action executor is exercised
    live.devices = Devices(sensor=ReplaySensor([]), microphone=ArraySource(np.zeros(1)),
                           recognizer=None, speaker=None,  # type: ignore[arg-type]
                           history=History(tmp_path / "history.db"))
    live._session_id, live._set_no = None, 0
    live._carry_out(SessionStarted("hip_hinge", 2, 1), 0.0)
    live._carry_out(RecordRep(1, 1, True, 2.0, 1.0, 1.0), 5.0)
    live._carry_out(EnterState("resting"), 6.0)
    live._carry_out(RecordRep(2, 1, True, 2.0, 1.0, 1.0), 70.0)
    rows = sqlite3.connect(tmp_path / "history.db").execute(
        "SELECT set_no, ended_at IS NOT NULL FROM sets ORDER BY set_no").fetchall()
    assert rows == [(1, 1), (2, 0)]  # the first set closed when rest began; the second runs


class LateMicrophone(ArraySource):
    """A device that delivers nothing for `delay_s` after opening (the ALSA pulse plugin can
    take a second), or never when delay_s is None."""

    def __init__(self, delay_s: float | None) -> None:
        super().__init__(np.zeros(16_000, dtype=np.int16))
        self.delay_s = delay_s
        self.first_block_at: float | None = None

    def blocks(self):
        if self.delay_s is None:
            while not self._closed:
                time.sleep(0.05)
            return
        time.sleep(self.delay_s)
        self.first_block_at = time.monotonic()
        yield from super().blocks()


def ready_time(tmp_path, monkeypatch, mic: ArraySource) -> float:
    """Runs the unit with `mic` until systemd (a real notify socket) hears READY=1."""
    import socket

    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(10.0)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        speaker = Speaker(SpeakerSettings(cache_dir=str(tmp_path / "cues")),
                          stream_factory=FakeOutputStream, printer=lambda text: None,
                          supervise=False)
        devices = Devices(sensor=ReplaySensor(wall_trace(0), time.monotonic, time.sleep),
                          microphone=mic, recognizer=make_recognizer(), speaker=speaker)
        live = LiveRuntime(build_coach(Config(), load_default_grammar()), devices,
                           Calibration(stand_cm=40.0), tmp_path / "calibration.json")
        thread = threading.Thread(target=live.run)
        thread.start()
        try:
            while sock.recv(4096) != b"READY=1":
                pass
            return time.monotonic()
        finally:
            live.stop.set()
            thread.join(timeout=10)


def test_systemd_hears_ready_only_once_the_microphone_delivers(tmp_path, monkeypatch):
    mic = LateMicrophone(delay_s=1.0)
    ready_at = ready_time(tmp_path, monkeypatch, mic)
    assert mic.first_block_at is not None and ready_at >= mic.first_block_at


def test_a_silent_microphone_does_not_keep_the_unit_from_starting(tmp_path, monkeypatch,
                                                                   caplog):
    monkeypatch.setattr("assistant.live.MIC_READY_WAIT_S", 0.5)
    ready_time(tmp_path, monkeypatch, LateMicrophone(delay_s=None))
    assert "no sound from the microphone" in caplog.text
