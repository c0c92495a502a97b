"""HC-SR04 driver on gpiozero's MockFactory with MockTriggerPin (real gpiozero, mock pins).

These run in real time (gpiozero samples about every 65 ms), so each test reads only a few
samples.
"""

from __future__ import annotations

import time

from gpiozero.pins.mock import MockFactory, MockTriggerPin

from hardware.hcsr04 import HcSr04Sensor
from hardware.sensor import SensorSettings, WallSensor, open_sensor

SPEED_OF_SOUND_M_S = 343.26


def _wire(mock_pins: MockFactory, distance_cm: float) -> MockTriggerPin:
    echo = mock_pins.pin(24)
    return mock_pins.pin(
        23,
        pin_class=MockTriggerPin,
        echo_pin=echo,
        echo_time=2 * (distance_cm / 100.0) / SPEED_OF_SOUND_M_S,
    )


def test_reads_distance_in_cm_with_timestamps(mock_pins: MockFactory) -> None:
    _wire(mock_pins, 30.0)
    sensor = open_sensor(SensorSettings(kind="hcsr04", trigger_pin=23, echo_pin=24))
    try:
        assert isinstance(sensor, WallSensor) and sensor.binary is False
        readings = [sensor.read() for _ in range(4)]
    finally:
        sensor.close()
    distances = [r.distance_cm for r in readings]
    assert all(d is not None for d in distances), distances
    # The mock's thread sleeps make it read a few cm long (more on a busy machine), never short.
    assert all(d >= 28.0 for d in distances), distances
    assert sorted(distances)[1] <= 60.0, distances
    times = [r.t for r in readings]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_each_echo_is_passed_on_without_median_lag(mock_pins: MockFactory) -> None:
    trigger = _wire(mock_pins, 40.0)
    sensor = HcSr04Sensor(SensorSettings(trigger_pin=23, echo_pin=24), time.monotonic)
    try:
        first = sensor.read()
        assert first.distance_cm is not None and first.distance_cm >= 38.0
        trigger.echo_time = 2 * 0.08 / SPEED_OF_SOUND_M_S  # hips at the wall: 8 cm
        # The sample in flight may still be the old distance; the ones after must be new.
        after = [sensor.read().distance_cm for _ in range(3)]
    finally:
        sensor.close()
    assert all(d is not None for d in after), after
    assert min(after[1:]) < 30.0, after


def test_missed_echo_is_a_none_reading(mock_pins: MockFactory) -> None:
    mock_pins.pin(24)
    mock_pins.pin(23)  # a plain pin: the trigger never produces an echo
    sensor = HcSr04Sensor(SensorSettings(trigger_pin=23, echo_pin=24), time.monotonic)
    try:
        readings = [sensor.read() for _ in range(2)]
    finally:
        sensor.close()
    assert [r.distance_cm for r in readings] == [None, None]


def test_smoothed_mode_returns_gpiozero_median(mock_pins: MockFactory) -> None:
    _wire(mock_pins, 30.0)
    settings = SensorSettings(trigger_pin=23, echo_pin=24, raw_readings=False, queue_len=3)
    sensor = HcSr04Sensor(settings, time.monotonic)
    try:
        d = sensor.read().distance_cm
        assert sensor._dev.queue_len == 3 and sensor._dev.partial
    finally:
        sensor.close()
    assert d is not None and d >= 28.0
