"""Digital IR obstacle module through gpiozero.DigitalInputDevice: an on/off wall button.

Readings are binary: 0.0 at the wall, math.inf when clear. A touch shorter than the polling
period is latched, so it is never missed.
"""

from __future__ import annotations

import math
import threading

from gpiozero import DigitalInputDevice

from hardware.readings import Reading
from hardware.sensor import Clock, SensorSettings


class IrObstacleSensor:
    """WallSensor for an IR obstacle module; read() returns on every edge or every period."""

    binary = True

    def __init__(self, settings: SensorSettings, clock: Clock) -> None:
        self._clock = clock
        self._period_s = 1.0 / settings.sample_rate_hz
        # gpiozero infers the active level from a pull resistor, else it must be told.
        active_state = None if settings.ir_pull_up is not None else not settings.ir_active_low
        self._dev = DigitalInputDevice(
            settings.ir_pin, pull_up=settings.ir_pull_up, active_state=active_state
        )
        self._edge = threading.Event()
        self._touched = False  # latched until the next read: short taps are not lost
        self._dev.when_activated = self._on_active
        self._dev.when_deactivated = self._edge.set

    def _on_active(self) -> None:
        self._touched = True
        self._edge.set()

    def read(self) -> Reading:
        """Wait for an edge or one sample period, then report at the wall or clear."""
        self._edge.wait(self._period_s)
        self._edge.clear()
        touched, self._touched = self._touched, False
        at_wall = touched or self._dev.is_active
        return Reading(self._clock(), 0.0 if at_wall else math.inf)

    def close(self) -> None:
        self._dev.close()
