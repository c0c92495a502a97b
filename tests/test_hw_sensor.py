"""SensorSettings validation and the open_sensor factory."""

from __future__ import annotations

import pytest

from hardware.readings import Reading
from hardware.sensor import (
    NullSensor,
    ReplaySensor,
    SensorConfigError,
    SensorSettings,
    open_sensor,
)
from hardware.trace import write_trace


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        (SensorSettings(kind="sonar"), ["kind", "hcsr04", "ir", "tof", "none"]),
        (SensorSettings(max_distance_cm=5000), ["max_distance_cm", "400"]),
        (SensorSettings(queue_len=0), ["queue_len"]),
        (SensorSettings(trigger_pin=24, echo_pin=24), ["trigger_pin", "echo_pin"]),
        (SensorSettings(trigger_pin=99), ["trigger_pin", "0 and 53"]),
        (SensorSettings(echo_pin=""), ["echo_pin"]),
        (SensorSettings(kind="tof", i2c_address=0x99), ["i2c_address", "0x77"]),
        (SensorSettings(kind="tof", tof_model="vl6180"), ["tof_model", "vl53l1x"]),
        (SensorSettings(sample_rate_hz=0), ["sample_rate_hz"]),
        (SensorSettings(kind="trace"), ["trace_path"]),
    ],
)
def test_bad_settings_name_the_setting(settings: SensorSettings, names: list[str]) -> None:
    with pytest.raises(SensorConfigError) as err:
        open_sensor(settings)
    for name in names:
        assert name in str(err.value)


def test_defaults_are_valid() -> None:
    assert SensorSettings().validate().kind == "hcsr04"


def test_none_sensor_gives_empty_readings() -> None:
    s = open_sensor(SensorSettings(kind="none"), clock=lambda: 3.0)
    assert isinstance(s, NullSensor)
    assert s.read() == Reading(3.0, None)


def test_trace_sensor_replays_then_ends(tmp_path) -> None:
    path = tmp_path / "t.csv"
    write_trace(path, [Reading(0.0, 35.0), Reading(0.05, None)])
    replay = ReplaySensor([Reading(0.0, 35.0), Reading(0.05, None)])
    assert [replay.read(), replay.read()] == [Reading(0.0, 35.0), Reading(0.05, None)]
    with pytest.raises(EOFError):
        replay.read()
    s = open_sensor(SensorSettings(kind="trace", trace_path=str(path)))
    try:
        assert s.read().distance_cm == 35.0
        assert s.read().distance_cm is None
    finally:
        s.close()


def test_tof_without_smbus2_says_how_to_install() -> None:
    try:
        import smbus2  # noqa: F401
    except ImportError:
        with pytest.raises(SensorConfigError, match="smbus2"):
            open_sensor(SensorSettings(kind="tof"))
    else:
        pytest.skip("smbus2 is installed")
