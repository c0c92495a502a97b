"""One small interface for every wall sensor, its settings, and a factory.

Pin factories follow gpiozero's conventions: set GPIOZERO_PIN_FACTORY (``lgpio`` on a Pi 5,
``mock`` in tests) or assign ``gpiozero.Device.pin_factory``; nothing here overrides it.

>>> s = open_sensor(SensorSettings(kind="none"), clock=lambda: 12.5)
>>> s.read()
Reading(t=12.5, distance_cm=None)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hardware.readings import Reading

Clock = Callable[[], float]
KINDS = ("hcsr04", "ir", "tof", "trace", "none")
TOF_MODELS = ("vl53l1x",)


class SensorConfigError(ValueError):
    """A sensor setting is invalid; the message names the setting and the allowed values."""


@runtime_checkable
class WallSensor(Protocol):
    """A source of timestamped readings. read() blocks until the next reading (about one
    sensor period) and never raises for a bad sample: it returns Reading(t, None)."""

    binary: bool | None
    """True for on/off sensors (0.0 at the wall, math.inf clear); None if unknown (replay).
    Pass it to DetectorSettings(binary=...)."""

    def read(self) -> Reading: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SensorSettings:
    """Which wall sensor is fitted and how it is wired."""

    kind: str = "hcsr04"
    """One of "hcsr04", "ir", "tof", "trace" (replay a CSV) or "none" (timed reps only)."""
    trigger_pin: int | str = 23
    """HC-SR04 trigger pin, in any form gpiozero accepts (23, "GPIO23", "BOARD16")."""
    echo_pin: int | str = 24
    """HC-SR04 echo pin (through a 5 V -> 3.3 V divider!)."""
    max_distance_cm: float = 200.0
    """Readings are capped here; nobody in front reads as this value."""
    queue_len: int = 3
    """gpiozero's smoothing queue for the HC-SR04 (its default 9 adds about 0.3 s of lag)."""
    raw_readings: bool = True
    """HC-SR04: pass every echo through unsmoothed (rep detection filters); False returns
    gpiozero's median of queue_len instead."""
    ir_pin: int | str = 17
    """Digital IR obstacle module output pin."""
    ir_active_low: bool = True
    """Most IR obstacle modules pull their output low when something is in front."""
    ir_pull_up: bool | None = None
    """Internal resistor: None (module drives the line), True (pull-up: active-low module)
    or False (pull-down: active-high module)."""
    i2c_bus: int = 1
    """I2C bus number of the time-of-flight sensor (/dev/i2c-1 on a Pi)."""
    i2c_address: int = 0x29
    """I2C address of the time-of-flight sensor (0x29 from the factory)."""
    tof_model: str = "vl53l1x"
    """Time-of-flight chip: "vl53l1x"."""
    sample_rate_hz: float = 20.0
    """Readings per second for sensors that are polled (IR, ToF)."""
    read_timeout_s: float = 0.25
    """read() gives up and returns a None reading after this long."""
    trace_path: str | None = None
    """CSV trace to replay when kind is "trace"."""

    def validate(self) -> SensorSettings:
        """Return self, or raise SensorConfigError naming the bad setting."""
        if self.kind not in KINDS:
            raise SensorConfigError(f"sensor kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if not 10.0 <= self.max_distance_cm <= 400.0:
            raise SensorConfigError(
                f"max_distance_cm={self.max_distance_cm} must be between 10 and 400 cm"
            )
        if self.queue_len < 1 or self.queue_len > 9:
            raise SensorConfigError(f"queue_len={self.queue_len} must be between 1 and 9")
        if not 1.0 <= self.sample_rate_hz <= 100.0:
            raise SensorConfigError(
                f"sample_rate_hz={self.sample_rate_hz} must be between 1 and 100"
            )
        if not 0.01 <= self.read_timeout_s <= 5.0:
            raise SensorConfigError(
                f"read_timeout_s={self.read_timeout_s} must be between 0.01 and 5 s"
            )
        if self.kind == "hcsr04":
            for name in ("trigger_pin", "echo_pin"):
                _check_pin(name, getattr(self, name))
            if str(self.trigger_pin) == str(self.echo_pin):
                raise SensorConfigError("trigger_pin and echo_pin must be different pins")
        if self.kind == "ir":
            _check_pin("ir_pin", self.ir_pin)
            if self.ir_pull_up is not None and self.ir_pull_up != self.ir_active_low:
                raise SensorConfigError(
                    f"ir_pull_up={self.ir_pull_up} contradicts ir_active_low={self.ir_active_low}:"
                    " a pull-up suits an active-low module, a pull-down an active-high one"
                    " (or use ir_pull_up=None)"
                )
        if self.kind == "tof":
            if self.tof_model not in TOF_MODELS:
                raise SensorConfigError(
                    f"tof_model {self.tof_model!r} is not one of {', '.join(TOF_MODELS)}"
                )
            if not 0x08 <= self.i2c_address <= 0x77:
                raise SensorConfigError(
                    f"i2c_address={self.i2c_address:#x} must be between 0x08 and 0x77"
                )
            if self.i2c_bus < 0:
                raise SensorConfigError(f"i2c_bus={self.i2c_bus} must be 0 or more")
        if self.kind == "trace" and not self.trace_path:
            raise SensorConfigError("trace_path is required when kind is 'trace'")
        return self


def _check_pin(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str) or value in ("", None):
        raise SensorConfigError(
            f"{name}={value!r} must be a GPIO number or a gpiozero pin name like 'GPIO23'"
        )
    if isinstance(value, int) and not 0 <= value <= 53:
        raise SensorConfigError(f"{name}={value} must be a GPIO number between 0 and 53")


class NullSensor:
    """kind "none": no sensor fitted; every read is empty (the coach uses timed reps)."""

    binary = False

    def __init__(self, clock: Clock, period_s: float = 0.0) -> None:
        self._clock, self._period_s = clock, period_s

    def read(self) -> Reading:
        if self._period_s:
            time.sleep(self._period_s)
        return Reading(self._clock(), None)

    def close(self) -> None:
        return None


class ReplaySensor:
    """Replays readings (e.g. a CSV trace); raises EOFError after the last one.

    With a clock and a sleep function it paces readings in real time from the first read.
    """

    def __init__(
        self,
        readings: Iterable[Reading],
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._it = iter(readings)
        self._clock, self._sleep = clock, sleep
        self._offset: float | None = None
        self.binary: bool | None = None

    def read(self) -> Reading:
        try:
            r = next(self._it)
        except StopIteration:
            raise EOFError("end of trace") from None
        if self._clock is None or self._sleep is None:
            return r
        if self._offset is None:
            self._offset = self._clock() - r.t
        wait = r.t + self._offset - self._clock()
        if wait > 0:
            self._sleep(wait)
        return Reading(r.t + self._offset, r.distance_cm)

    def close(self) -> None:
        return None


def open_sensor(settings: SensorSettings, clock: Clock = time.monotonic) -> WallSensor:
    """Open the configured sensor. Raises SensorConfigError for bad settings and the driver's
    own error (e.g. OSError, gpiozero's errors) if the hardware cannot be opened."""
    settings.validate()
    if settings.kind == "hcsr04":
        from hardware.hcsr04 import HcSr04Sensor

        return HcSr04Sensor(settings, clock)
    if settings.kind == "ir":
        from hardware.ir_obstacle import IrObstacleSensor

        return IrObstacleSensor(settings, clock)
    if settings.kind == "tof":
        from hardware.tof import open_tof

        return open_tof(settings, clock)
    if settings.kind == "trace":
        from hardware.trace import read_trace

        assert settings.trace_path is not None
        return ReplaySensor(read_trace(settings.trace_path), clock, time.sleep)
    return NullSensor(clock)
