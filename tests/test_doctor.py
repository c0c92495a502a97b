"""`hinge-coach doctor`: every missing part explained, real devices where this machine has them.

This machine has no sound card and no GPIO; the device tests use gpiozero's MockFactory and the
private PulseAudio server from tests/pulse_fixture.py. The no-device tests run first: the
PulseAudio fixture lives until the end of the module once started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gpiozero.pins.mock import MockFactory, MockTriggerPin

import assistant.doctor as doctor
from assistant.config import Config
from assistant.doctor import Check, check_microphone, doctor_main, format_report, run_checks
from assistant.paths import calibration_path
from audio.microphone import MicrophoneSettings
from audio.recognizer import RecognizerSettings
from hardware.calibration import Calibration, save_calibration
from hardware.sensor import SensorSettings

ROOT = Path(__file__).resolve().parents[1]
SPEED_OF_SOUND_M_S = 343.26


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """State, cue cache and config in tmp_path; no pin factory chosen from outside."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("HINGE_COACH_CUE_CACHE", str(tmp_path / "cues"))
    monkeypatch.delenv("HINGE_COACH_CONFIG", raising=False)
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    return tmp_path


def run_doctor(tmp_path: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """`python -m assistant.doctor` as a user would run it, with no audio server to find."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True, mode=0o700)
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PULSE_", "GPIOZERO_")) and k != "HINGE_COACH_CONFIG"}
    clean.update(XDG_RUNTIME_DIR=str(runtime), **(env or {}))
    return subprocess.run([sys.executable, "-m", "assistant.doctor", *args], cwd=ROOT,
                          env=clean, capture_output=True, text=True, timeout=120)


def by_component(checks: list[dict[str, Any]] | list[Check]) -> dict[str, Any]:
    return {(c["component"] if isinstance(c, dict) else c.component): c for c in checks}


def skip_if_sound_card(checks: dict[str, Any]) -> None:
    if checks["microphone"]["details"].get("input_devices"):
        pytest.skip("this machine has audio devices; the no-device report is not testable")


# -- no devices (this machine) ------------------------------------------------------------


def test_no_devices_json_is_one_document_explaining_each_part(tmp_path: Path) -> None:
    done = run_doctor(tmp_path, "--json")
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    report = json.loads(done.stdout)  # the whole of stdout is one JSON document
    checks = by_component(report["checks"])
    skip_if_sound_card(checks)
    assert done.returncode == 1 and report["ok"] is False
    assert list(checks) == ["config", "microphone", "speaker", "tts", "cue-cache",
                            "recognizer", "noise-suppression", "word-check",
                            "echo-cancellation", "sensor", "calibration"]
    for name in ("microphone", "speaker", "sensor"):
        assert checks[name]["ok"] is False, checks[name]
        assert checks[name]["fix"], f"{name} is broken without a fix-it hint"
    assert "no sound card" in checks["microphone"]["message"]
    assert "no GPIO here (not a Raspberry Pi?)" in checks["sensor"]["message"]
    assert "GPIOZERO_PIN_FACTORY=mock" in checks["sensor"]["fix"]
    assert checks["config"]["ok"] and checks["calibration"]["ok"]
    assert "defaults in use" in checks["calibration"]["message"]
    assert checks["echo-cancellation"]["message"].startswith("speexdsp, the coach's voice")
    assert checks["word-check"]["message"].startswith("speech embedding from")
    recognizer = checks["recognizer"]
    assert recognizer["details"]["chosen"] in ("pocketsphinx", "vosk")
    if recognizer["details"]["vosk_model"] is None:
        assert "vosk-model-small-en-us" in "\n".join(recognizer["details"]["how_to"])


def test_no_devices_text_report_has_hints_and_no_traceback(tmp_path: Path) -> None:
    done = run_doctor(tmp_path)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    if "no audio input devices" not in done.stdout:
        pytest.skip("this machine has audio devices")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    broken = [i for i, line in enumerate(lines) if line.startswith("BROKEN")]
    assert {lines[i].split()[1] for i in broken} >= {"microphone", "speaker", "sensor"}
    for i in broken:
        assert lines[i + 1].strip().startswith("fix: "), lines[i:i + 2]
    assert lines[-1].startswith(f"{len(broken)} broken: ")


def test_pin_factory_mock_without_wiring_says_no_echo(tmp_path: Path) -> None:
    done = run_doctor(tmp_path, "--json", env={"GPIOZERO_PIN_FACTORY": "mock"})
    sensor = by_component(json.loads(done.stdout)["checks"])["sensor"]
    assert sensor["ok"] is False and "gave no readings" in sensor["message"]
    assert "wiring" in sensor["fix"] and "Traceback" not in done.stderr
    assert "NoEcho" not in done.stderr and "Falling back" not in done.stderr


# -- config -------------------------------------------------------------------------------


def test_broken_config_fails_naming_the_key_and_the_rest_still_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[microphone]\ndevise = "USB"\n', encoding="utf-8")
    assert doctor_main(path, as_json=True) == 1
    checks = by_component(json.loads(capsys.readouterr().out)["checks"])
    config = checks["config"]
    assert config["ok"] is False and "microphone.devise" in config["message"]
    assert "built-in defaults" in config["message"] and "config --default" in config["fix"]
    assert {"microphone", "speaker", "recognizer", "sensor", "calibration"} <= set(checks)


def test_out_of_range_value_and_missing_file_are_failed_config_checks(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[workout]\nsets = 99\n", encoding="utf-8")
    config, check = doctor.load_for_doctor(path)
    assert not check.ok and "workout.sets" in check.message and config == Config()
    config, check = doctor.load_for_doctor(tmp_path / "missing.toml")
    assert not check.ok and "can't read" in check.message


def test_config_named_by_environment_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "unit.toml"
    path.write_text('[sensor]\nkind = "none"\n', encoding="utf-8")
    monkeypatch.setenv("HINGE_COACH_CONFIG", str(path))
    doctor_main(None, as_json=True)
    checks = by_component(json.loads(capsys.readouterr().out)["checks"])
    assert checks["config"]["ok"] and str(path) in checks["config"]["message"]
    assert checks["sensor"]["ok"] and "timed" in checks["sensor"]["message"]


# -- guard: crashes and hangs -------------------------------------------------------------


def test_a_crashing_check_is_a_failed_check_not_a_traceback() -> None:
    def boom() -> Check:
        raise RuntimeError("driver exploded")

    [check] = doctor._guarded("sensor", boom)
    assert not check.ok and "driver exploded" in check.message and check.fix


def test_a_hanging_check_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(doctor.TIMEOUTS_S, "microphone", 0.2)
    start = time.monotonic()
    [check] = doctor._guarded("microphone", lambda: time.sleep(5) or Check("x", True, ""))
    assert time.monotonic() - start < 2.0
    assert not check.ok and "did not finish" in check.message


def test_json_never_holds_nan_or_infinity() -> None:
    check = Check("microphone", True, "m", details={
        "level": float("-inf"), "t": (1, 2.5), "peak": np.float32(0.5), "n": np.int64(3)})
    assert check.to_json()["details"] == {"level": None, "t": [1, 2.5], "peak": 0.5, "n": 3}


# -- microphone logic on a fake sounddevice ------------------------------------------------


class FakeStream:
    """Delivers ``block`` frames of a constant every ``period_s``, after ``delay_s``."""

    def __init__(self, sd: FakeSd, callback: Any, samplerate: int, **_: Any) -> None:
        self.sd, self.callback, self.rate = sd, callback, samplerate
        self._stop = threading.Event()

    def start(self) -> None:
        if self.sd.open_error:
            raise RuntimeError(self.sd.open_error)

        def run() -> None:
            if self._stop.wait(self.sd.delay_s):
                return
            while not self._stop.is_set():
                data = np.full((self.sd.block, 1), self.sd.value, dtype=np.int16)
                self.callback(data, self.sd.block, None, None)
                self._stop.wait(self.sd.period_s)

        threading.Thread(target=run, daemon=True).start()

    def abort(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()


class FakeSd:
    def __init__(self, block: int = 1600, period_s: float = 0.1, delay_s: float = 0.0,
                 value: int = 1000, open_error: str | None = None) -> None:
        self.block, self.period_s, self.delay_s = block, period_s, delay_s
        self.value, self.open_error = value, open_error
        self.default = type("Default", (), {"device": [0, 0]})()

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": "USB Mic", "max_input_channels": 1, "max_output_channels": 0,
                 "default_samplerate": 16000.0}]

    def InputStream(self, **kwargs: Any) -> FakeStream:  # noqa: N802 - sounddevice's name
        return FakeStream(self, **kwargs)


def fake_mic(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Check:
    monkeypatch.setitem(sys.modules, "sounddevice", FakeSd(**kwargs))
    return check_microphone(MicrophoneSettings(device="usb"), first_frame_s=1.0, listen_s=0.5)


def test_fake_mic_level_and_frame_share(monkeypatch: pytest.MonkeyPatch) -> None:
    check = fake_mic(monkeypatch, value=3277)  # 0.1 of full scale: -20 dBFS
    assert check.ok and check.details["level_dbfs"] == pytest.approx(-20, abs=0.1)
    assert check.details["frame_share"] > 0.8 and check.fix is None


def test_large_blocks_once_a_second_still_count_as_arriving(
        monkeypatch: pytest.MonkeyPatch) -> None:
    check = fake_mic(monkeypatch, block=16000, period_s=1.0)
    assert check.ok, check
    assert check.details["frame_share"] >= 0.5


def test_fake_mic_silent_trickle_and_dead(monkeypatch: pytest.MonkeyPatch) -> None:
    silent = fake_mic(monkeypatch, value=0)
    assert silent.ok and "digital silence" in silent.message and "muted" in silent.fix
    trickle = fake_mic(monkeypatch, block=160, period_s=0.1)  # a tenth of the rate
    assert not trickle.ok and "too slowly" in trickle.fix
    dead = fake_mic(monkeypatch, delay_s=60)
    assert not dead.ok and "no frames arrived within 1 s" in dead.message
    busy = fake_mic(monkeypatch, open_error="Device unavailable [PaErrorCode -9985]")
    assert not busy.ok and "-9985" in busy.message and "rate_hz" in busy.fix


# -- recogniser and calibration -----------------------------------------------------------


def test_vosk_asked_for_without_english_model_explains_how_to_get_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("audio.models.find_vosk_model", lambda: None)
    check = doctor.check_recognizer(RecognizerSettings(engine="vosk"))
    assert not check.ok and "no English vosk model" in check.message
    assert 'engine = "pocketsphinx"' in check.fix
    assert any("curl" in line for line in check.details["how_to"])


def test_auto_picks_pocketsphinx_and_really_loads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("audio.models.find_vosk_model", lambda: None)
    check = doctor.check_recognizer(RecognizerSettings(engine="auto"))
    assert check.ok, check
    assert check.details["chosen"] == "pocketsphinx" and check.details["load_s"] >= 0
    assert check.details["pocketsphinx_model"] and "vosk" in (check.fix or "")


def test_saved_calibration_figures_are_reported() -> None:
    save_calibration(calibration_path(), Calibration(stand_cm=33.0, tap_cm=11.5, touch_cm=8.2))
    check = doctor.check_calibration()
    assert check.ok and check.details["saved"] is True
    assert "stand 33 cm" in check.message and "tap at 11.5 cm" in check.message


def test_corrupt_calibration_is_broken_with_defaults_in_use() -> None:
    path = calibration_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    check = doctor.check_calibration()
    assert not check.ok and "defaults in use" in check.message and str(path) in check.fix


# -- sensor on gpiozero's mock pins -------------------------------------------------------


def test_sensor_passes_with_a_mock_hcsr04(mock_pins: MockFactory) -> None:
    echo = mock_pins.pin(24)
    mock_pins.pin(23, pin_class=MockTriggerPin, echo_pin=echo,
                  echo_time=2 * 0.30 / SPEED_OF_SOUND_M_S)
    checks = by_component(run_checks(Config(), None))
    sensor = checks["sensor"]
    assert sensor.ok, sensor
    readings = [r for r in sensor.details["readings_cm"] if r is not None]
    # The mock reads a few cm long, more on a busy machine; never short.
    assert len(readings) >= 3 and all(r >= 25.0 for r in readings), readings
    assert sorted(readings)[len(readings) // 2] <= 80.0, readings
    assert sensor.details["pin_factory"] == "MockFactory" and sensor.fix is None
    assert "ok      sensor" in format_report(list(checks.values()))
    again = doctor.check_sensor(SensorSettings())  # closed: the pins are free to open again
    assert again.ok, again


def test_sensor_without_echo_is_broken_with_a_wiring_hint(mock_pins: MockFactory) -> None:
    mock_pins.pin(24)
    mock_pins.pin(23)  # a plain pin: no echo ever comes back
    check = doctor.check_sensor(SensorSettings())
    assert not check.ok and "no readings" in check.message and "divider" in check.fix


# -- microphone and speaker on PulseAudio -------------------------------------------------


def test_microphone_and_speaker_pass_on_pulseaudio(
        pulse, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path = tmp_path / "config.toml"
    path.write_text('[microphone]\ndevice = "pulse"\n\n[speaker.player]\ndevice = "pulse"\n',
                    encoding="utf-8")
    start = time.monotonic()
    doctor_main(path, as_json=True)
    elapsed = time.monotonic() - start
    checks = by_component(json.loads(capsys.readouterr().out)["checks"])
    mic, speaker = checks["microphone"], checks["speaker"]
    assert mic["ok"], mic
    assert mic["details"]["frames"] > 0 and mic["details"]["frame_share"] >= 0.5
    assert "pulse" in mic["message"]
    assert "dBFS" in mic["message"] or "silence" in mic["message"]
    assert speaker["ok"], speaker
    assert checks["tts"]["ok"] and checks["config"]["ok"]
    assert elapsed < 30


def test_microphone_level_is_measured_from_real_frames(pulse) -> None:  # noqa: F811
    t = np.arange(48_000 * 6) / 48_000
    tone = (0.25 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    player = pulse.play(tone, 48_000, wait=False)
    try:
        time.sleep(0.3)
        check = check_microphone(MicrophoneSettings(device="pulse"))
    finally:
        player.wait(timeout=20)
    assert check.ok, check
    # A sine at 0.25 full scale has an RMS of -15 dBFS; allow for the null sink's resampling.
    assert -25 < check.details["level_dbfs"] < -9, check.details
    assert "muted" not in (check.fix or "") and "clips" not in (check.fix or "")


def test_unknown_microphone_name_lists_the_inputs(pulse) -> None:  # noqa: F811
    check = check_microphone(MicrophoneSettings(device="no-such-mic"))
    assert not check.ok and "no-such-mic" in check.message
    assert any("pulse" in name for name in check.details["input_devices"])
    assert "pulse" in check.message and "[microphone] device" in check.fix


def test_everything_present_exits_0(pulse, mock_pins: MockFactory, tmp_path: Path,  # noqa: F811
                                    capsys: pytest.CaptureFixture[str]) -> None:
    echo = mock_pins.pin(24)
    mock_pins.pin(23, pin_class=MockTriggerPin, echo_pin=echo,
                  echo_time=2 * 0.35 / SPEED_OF_SOUND_M_S)
    path = tmp_path / "config.toml"
    path.write_text('[microphone]\ndevice = "pulse"\n\n[speaker.player]\ndevice = "pulse"\n',
                    encoding="utf-8")
    code = doctor_main(path, as_json=False)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "BROKEN" not in out and out.rstrip().endswith("Everything checks out.")
    assert "tip: " in out  # advice (cue cache, vosk model, calibration) without failing
