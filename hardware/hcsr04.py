"""HC-SR04 ultrasonic sensor through gpiozero.DistanceSensor, tuned for latency.

gpiozero samples the echo in a background thread (about 15 readings a second) and keeps a
median of ``queue_len`` values, silently dropping missed echoes. This driver hands every echo
to the caller as it happens, missed ones as ``Reading(t, None)``, so rep detection sees the
wall on the first echo from it instead of after a median has caught up.

On hardware (pin factory from GPIOZERO_PIN_FACTORY; lgpio on a Pi 5)::

    sensor = HcSr04Sensor(SensorSettings(trigger_pin=23, echo_pin=24), time.monotonic)
    print(sensor.read())
"""

from __future__ import annotations

import threading
import warnings

from gpiozero import DistanceSensor
from gpiozero.exc import DistanceSensorNoEcho, PWMSoftwareFallback

from hardware.readings import Reading
from hardware.sensor import Clock, SensorSettings


class _EchoDistanceSensor(DistanceSensor):
    """DistanceSensor that also announces every raw sample, including missed echoes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Set before super().__init__: its sampling thread calls _read straight away.
        self.sample_cond = threading.Condition()
        self.sample_seq = 0
        self.sample_raw: float | None = None
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _read(self) -> float | None:
        value = super()._read()
        with self.sample_cond:
            self.sample_seq += 1
            self.sample_raw = value
            self.sample_cond.notify_all()
        return value


class HcSr04Sensor:
    """WallSensor for an HC-SR04; read() returns each new echo (about every 65 ms)."""

    binary = False

    def __init__(self, settings: SensorSettings, clock: Clock) -> None:
        self._s = settings
        self._clock = clock
        # Missed echoes are expected (fabric, angles) and reported as None readings; the
        # software-timing warning is gpiozero advising pigpio, which a Pi 5 cannot run.
        warnings.filterwarnings("ignore", category=DistanceSensorNoEcho)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PWMSoftwareFallback)
            self._dev = _EchoDistanceSensor(
                echo=settings.echo_pin,
                trigger=settings.trigger_pin,
                queue_len=settings.queue_len,
                max_distance=settings.max_distance_cm / 100.0,
                partial=True,
            )
        self._seen = 0

    def read(self) -> Reading:
        """The next echo: distance in cm (capped at max_distance_cm) or None if missed."""
        dev = self._dev
        with dev.sample_cond:
            dev.sample_cond.wait_for(
                lambda: dev.sample_seq > self._seen, timeout=self._s.read_timeout_s
            )
            if dev.sample_seq == self._seen:
                return Reading(self._clock(), None)  # the sampling thread has stalled
            self._seen = dev.sample_seq
            raw = dev.sample_raw
        t = self._clock()
        if raw is None:
            return Reading(t, None)
        if self._s.raw_readings:
            return Reading(t, round(raw * self._s.max_distance_cm, 2))
        return Reading(t, round(dev.distance * 100.0, 2))

    def close(self) -> None:
        self._dev.close()
