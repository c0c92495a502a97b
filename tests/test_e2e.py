"""End to end on real (virtual) audio devices: `hinge-coach run` as built for the service.

The unit's speaker is a PulseAudio null sink that the test records; the person's voice is
played into a second null sink whose monitor is the unit's microphone; the wall sensor is an
HC-SR04 on gpiozero's MockFactory whose echo time the test changes as the person moves.
Everything between (recogniser, coach, rep detection, cue cache, playback, history) is real.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from gpiozero.pins.mock import MockTriggerPin

from assistant.config import load_config
from assistant.history import History
from assistant.wiring import build_live
from audio.person_voice import render
from audio.wav import write_wav
from hardware.calibration import Calibration, save_calibration
from tests.waiting import wait_for

SPEED_OF_SOUND_M_S = 343.26
STAND_CM, TOUCH_CM = 45.0, 3.0


def echo_time(distance_cm: float) -> float:
    return 2 * (distance_cm / 100.0) / SPEED_OF_SOUND_M_S


@pytest.fixture
def mock_sensor(mock_pins):
    """The HC-SR04's pins; the test moves the person by changing the echo time."""
    return mock_pins.pin(23, pin_class=MockTriggerPin, echo_pin=mock_pins.pin(24),
                         echo_time=echo_time(STAND_CM))


@pytest.fixture
def unit(pulse, mock_sensor, tmp_path, monkeypatch):
    """The unit running in a thread, hearing mic_in.monitor and playing into virt_out."""
    pulse.pactl("load-module", "module-null-sink", "sink_name=mic_in")
    monkeypatch.setenv("PULSE_SOURCE", "mic_in.monitor")
    monkeypatch.setenv("PULSE_SINK", "virt_out")
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    save_calibration(tmp_path / "state" / "calibration.json",
                     Calibration(stand_cm=STAND_CM, tap_cm=14.0, touch_cm=TOUCH_CM))
    config_file = tmp_path / "config.toml"
    config_file.write_text(f"""
[workout]
exercise = "hip_hinge"
sets = 1
reps = 6
[microphone]
device = "pulse"
watchdog_s = 3.0
[speaker]
cache_dir = "{tmp_path / 'cues'}"
[speaker.player]
device = "pulse"
stall_timeout_s = 10.0

""")
    runtime = build_live(load_config(config_file))
    thread = threading.Thread(target=runtime.run, name="unit")
    thread.start()
    yield runtime
    runtime.stop.set()
    thread.join(timeout=15)
    assert not thread.is_alive(), "the unit must stop cleanly"


def say(pulse, text: str, tmp_path: Path) -> None:
    """The person speaks (flite's voice, audio.person_voice) into the unit's microphone sink."""
    wav = tmp_path / "person.wav"
    write_wav(wav, render(text) / 32768.0, 16_000)
    subprocess.run(["paplay", "--device=mic_in", str(wav)], env=pulse.env, check=True,
                   timeout=30)


def hinge(trigger: MockTriggerPin, down_s: float = 1.5, hold_s: float = 1.2,
          up_s: float = 1.2) -> None:
    """One rep: hips back to the wall, a short hold, stand tall (in real time)."""
    for distance, seconds in ((STAND_CM, 0.8), ((STAND_CM + TOUCH_CM) / 2, down_s / 2),
                              (TOUCH_CM, hold_s), ((STAND_CM + TOUCH_CM) / 2, up_s / 2),
                              (STAND_CM, 1.5)):
        trigger.echo_time = echo_time(distance)
        time.sleep(seconds)


def test_voice_and_taps_make_a_coached_saved_workout(unit, pulse, mock_sensor, tmp_path, caplog):
    caplog.set_level("INFO", logger="assistant.live")
    with (tmp_path / "speaker.raw").open("wb") as raw:
        recorder = subprocess.Popen(
            ["parec", "-d", "virt_out.monitor", "--raw", "--format=s16le", "--rate=16000",
             "--channels=1"], stdout=raw, env=pulse.env)
        try:
            run_workout(unit, pulse, mock_sensor, tmp_path, caplog)
        finally:
            time.sleep(1.0)
            recorder.terminate()
            recorder.wait(timeout=10)
    audio = np.fromfile(tmp_path / "speaker.raw", dtype="<i2").astype(np.float32) / 32768
    assert audio.size > 16_000 * 10 and np.sqrt(np.mean(audio**2)) > 0.01, "the unit spoke"
    unit.stop.set()
    time.sleep(1.0)
    sessions = History(Path(tmp_path / "state" / "history.db"), readonly=True).sessions()
    assert [(s.exercise, s.reps, s.depth_ok, s.status) for s in sessions] == [
        ("hip_hinge", 2, 2, "stopped")]


def run_workout(unit, pulse, mock_sensor, tmp_path, caplog) -> None:
    """The person says "start" (again if not understood, as people do), does two of the six
    reps at the wall, and says "stop"; the unit coaches, counts and sums up."""
    assert wait_for(lambda: unit.coach.last_said.startswith("Hi."), 30)
    time.sleep(6.0)  # let the greeting finish: the unit does not obey while it speaks
    for _ in range(3):
        say(pulse, "start", tmp_path)
        if wait_for(lambda: unit.coach.state == "setup", 8):
            break
    assert unit.coach.state == "setup", "a spoken start leads to the setup cues"
    hinge(mock_sensor)  # moving starts the set without waiting for "ready"
    hinge(mock_sensor)
    assert wait_for(lambda: len(unit.coach.progress.reps) == 2, 10)
    time.sleep(2.0)  # the count is spoken; stop would cut it, but let it be heard
    for _ in range(3):
        say(pulse, "stop", tmp_path)
        if wait_for(lambda: unit.coach.state == "finished", 8):
            break
    assert unit.coach.state == "finished", "a spoken stop ends the workout"
    # The state changes before the main loop has carried out (and logged) what it said.
    assert wait_for(lambda: any("Workout stopped. Two reps" in r.getMessage()
                                for r in caplog.records), 10)
