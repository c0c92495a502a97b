"""What the coach reacts to besides movement events (see hardware.movement)."""

from __future__ import annotations

from dataclasses import dataclass

from hardware.movement import MovementEvent
from intents.intent import Intent


@dataclass(frozen=True)
class PowerOn:
    """The unit has started; the coach greets."""


@dataclass(frozen=True)
class Heard:
    """The person said a command."""

    intent: Intent


@dataclass(frozen=True)
class TimerFired:
    """A timer the coach started is due."""

    name: str


@dataclass(frozen=True)
class DistanceMeasured:
    """The runtime finished a Measure action: the readings it collected (None = no echo)."""

    purpose: str
    samples_cm: tuple[float | None, ...]


@dataclass(frozen=True)
class LastSession:
    """The runtime's words for the previous workout on record (for "how did I do last time")."""

    spoken: str


Event = PowerOn | Heard | TimerFired | DistanceMeasured | LastSession | MovementEvent
