"""IR obstacle driver on a gpiozero mock input pin."""

from __future__ import annotations

import math

import pytest
from gpiozero.pins.mock import MockFactory

from hardware.ir_obstacle import IrObstacleSensor
from hardware.sensor import SensorConfigError, SensorSettings, open_sensor


class Tick:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        self.t += 0.05
        return self.t


def test_active_low_module(mock_pins: MockFactory) -> None:
    pin = mock_pins.pin(17)
    pin.drive_high()  # nothing in front
    sensor = open_sensor(SensorSettings(kind="ir", ir_pin=17, sample_rate_hz=100), Tick())
    try:
        assert sensor.binary is True
        clear = sensor.read()
        pin.drive_low()
        touch = sensor.read()
        pin.drive_high()
        released = sensor.read()
    finally:
        sensor.close()
    assert (clear.distance_cm, touch.distance_cm, released.distance_cm) == (math.inf, 0.0, math.inf)
    assert clear.t < touch.t < released.t


def test_active_high_module(mock_pins: MockFactory) -> None:
    pin = mock_pins.pin(5)
    pin.drive_low()
    settings = SensorSettings(kind="ir", ir_pin=5, ir_active_low=False, sample_rate_hz=100)
    sensor = IrObstacleSensor(settings, Tick())
    try:
        assert sensor.read().distance_cm == math.inf
        pin.drive_high()
        assert sensor.read().distance_cm == 0.0
    finally:
        sensor.close()


def test_touch_shorter_than_a_period_is_latched(mock_pins: MockFactory) -> None:
    pin = mock_pins.pin(17)
    pin.drive_high()
    sensor = IrObstacleSensor(SensorSettings(kind="ir", ir_pin=17, sample_rate_hz=100), Tick())
    try:
        sensor.read()
        pin.drive_low()
        pin.drive_high()  # released again before the next read
        assert sensor.read().distance_cm == 0.0
        assert sensor.read().distance_cm == math.inf
    finally:
        sensor.close()


def test_internal_pull_up_for_active_low(mock_pins: MockFactory) -> None:
    mock_pins.pin(17)
    settings = SensorSettings(kind="ir", ir_pin=17, ir_pull_up=True, sample_rate_hz=100)
    sensor = IrObstacleSensor(settings, Tick())
    try:
        assert sensor.read().distance_cm == math.inf  # pulled up = clear
    finally:
        sensor.close()


def test_contradictory_pull_is_a_config_error() -> None:
    with pytest.raises(SensorConfigError, match="ir_pull_up"):
        SensorSettings(kind="ir", ir_pull_up=False, ir_active_low=True).validate()
