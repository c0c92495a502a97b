"""Calibration maths, spoken errors and persistence."""

from __future__ import annotations

import json
import math

import pytest

from hardware.calibration import (
    Calibration,
    CalibrationError,
    calibrate,
    load_calibration,
    save_calibration,
)


def test_thresholds_from_standing_and_touch() -> None:
    stand = [34.6, 35.1, 35.0, 34.8, 35.3, None, 34.9]
    tap = [8.2, 7.9, 8.0, 8.1, None]
    cal = calibrate(stand, tap)
    assert isinstance(cal, Calibration)
    assert cal.stand_cm == pytest.approx(34.95, abs=0.1)
    assert cal.touch_cm == pytest.approx(8.05, abs=0.1)
    # A margin above the touch that covers noise but stays clear of a shallow turn-back.
    assert cal.touch_cm + 2.5 <= cal.tap_cm <= cal.touch_cm + 0.2 * (cal.stand_cm - cal.touch_cm)
    assert "35 centimetres" in cal.spoken() and "tap at 11" in cal.spoken()


def test_noisy_touch_gets_a_wider_margin_capped_by_the_travel() -> None:
    quiet = calibrate([40.0] * 10, [8.0, 8.1, 7.9, 8.0])
    noisy = calibrate([40.0] * 10, [6.0, 10.0, 7.0, 9.0, 8.0, 5.5, 10.5])
    assert isinstance(quiet, Calibration) and isinstance(noisy, Calibration)
    assert noisy.tap_cm > quiet.tap_cm
    assert noisy.tap_cm <= 8.0 + 0.2 * 32.0 + 0.05


@pytest.mark.parametrize(
    ("stand", "tap", "words"),
    [
        ([], [8.0], "can't see anyone"),
        ([None] * 20, [8.0] * 5, "can't see anyone"),
        ([200.0] * 20, [8.0] * 5, "can't see anyone"),
        ([math.inf] * 5, [math.inf] * 5, "never saw you touch"),
        ([35.0] * 10, [None] * 10, "didn't get a reading"),
        ([35.0] * 10, [33.0] * 10, "not clearly closer"),
        ([20.0] * 10, [30.0] * 10, "not clearly closer"),
        ([float("nan"), -4.0, None], [8.0] * 3, "can't see anyone"),
    ],
)
def test_nonsense_gives_a_spoken_reason(stand, tap, words) -> None:
    result = calibrate(stand, tap)
    assert isinstance(result, CalibrationError)
    assert words in result.reason
    assert result.reason.endswith(".") and len(result.reason) < 160


def test_binary_sensor_calibration_needs_a_touch_only() -> None:
    assert calibrate([math.inf] * 5, [0.0, 0.0, math.inf]) == Calibration()
    err = calibrate([0.0] * 5, [0.0] * 5)
    assert isinstance(err, CalibrationError) and "at the wall while standing" in err.reason


def test_save_and_load_survive_a_restart(tmp_path) -> None:
    path = tmp_path / "state" / "calibration.json"
    cal = Calibration(stand_cm=33.5, tap_cm=10.5, touch_cm=7.5)
    save_calibration(path, cal)
    assert load_calibration(path) == cal
    assert json.loads(path.read_text()) == {"stand_cm": 33.5, "tap_cm": 10.5, "touch_cm": 7.5}
    assert [p.name for p in path.parent.iterdir()] == ["calibration.json"]  # no temp left


def test_overwrite_is_atomic_and_keeps_old_file_on_failure(tmp_path, monkeypatch) -> None:
    path = tmp_path / "calibration.json"
    save_calibration(path, Calibration(stand_cm=30.0, tap_cm=9.0))

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("hardware.calibration.os.replace", boom)
    with pytest.raises(OSError):
        save_calibration(path, Calibration(stand_cm=40.0, tap_cm=12.0))
    assert load_calibration(path) == Calibration(stand_cm=30.0, tap_cm=9.0)
    assert [p.name for p in tmp_path.iterdir()] == ["calibration.json"]


@pytest.mark.parametrize("text", ["", "{", "[]", '{"stand_cm": 10, "tap_cm": 20}', '{"x": 1}'])
def test_missing_or_bad_file_loads_as_none(tmp_path, text) -> None:
    path = tmp_path / "c.json"
    path.write_text(text)
    assert load_calibration(path) is None
    assert load_calibration(tmp_path / "missing.json") is None
