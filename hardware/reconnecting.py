"""A wall sensor that is allowed to be missing: reopened in the background, never raising.

The live unit must keep coaching when the sensor is unplugged or was never there: while it is
away, read() returns empty readings at a steady pace, the rep detector reports a fault, the
coach switches to timed reps, and readings resume when the sensor comes back.
"""

from __future__ import annotations

import contextlib
import logging
import time
import warnings
from collections.abc import Callable

from hardware.readings import Reading
from hardware.sensor import SensorSettings, WallSensor, open_sensor

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class ReconnectingSensor:
    """Wraps open_sensor(settings); reopens after failures, at most every retry_s seconds."""

    def __init__(self, settings: SensorSettings, clock: Clock = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, retry_s: float = 5.0) -> None:
        self.settings = settings
        self.binary: bool | None = settings.kind == "ir"
        self._clock, self._sleep, self._retry_s = clock, sleep, retry_s
        self._min_period_s = 1.0 / settings.sample_rate_hz
        self._sensor: WallSensor | None = None
        self._next_try = 0.0
        self._logged = False

    def read(self) -> Reading:
        started = self._clock()
        sensor = self._sensor or self._try_open(started)
        reading = Reading(started, None)
        if sensor is not None:
            try:
                reading = sensor.read()
            except Exception as exc:  # noqa: BLE001 - unplugged mid-read: drop and reopen
                log.error("wall sensor lost (%s); retrying every %.0f s", exc, self._retry_s)
                self._drop()
        # Never faster than the sensor's own rate, so a dead sensor doesn't spin a core.
        spare = self._min_period_s - (self._clock() - started)
        if spare > 0:
            self._sleep(spare)
        return reading

    def _try_open(self, now: float) -> WallSensor | None:
        if now < self._next_try:
            return None
        self._next_try = now + self._retry_s
        try:
            with warnings.catch_warnings():
                if self._logged:  # gpiozero's pin-factory fallback warnings, once is enough
                    warnings.simplefilter("ignore")
                self._sensor = open_sensor(self.settings, self._clock)
        except Exception as exc:  # noqa: BLE001 - any driver/pin error means "not there"
            if not self._logged:
                log.error("wall sensor (%s) unavailable: %s; retrying every %.0f s",
                          self.settings.kind, exc, self._retry_s)
                self._logged = True
            return None
        if self._logged:
            log.warning("wall sensor (%s) is back", self.settings.kind)
        self._logged = False
        return self._sensor

    def _drop(self) -> None:
        sensor, self._sensor = self._sensor, None
        self._logged = True
        if sensor is not None:
            with contextlib.suppress(Exception):  # a vanished device may fail to close
                sensor.close()

    def close(self) -> None:
        self._drop()
