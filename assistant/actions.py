"""What the coach asks the runtime to do. The runtime carries these out; the coach never does."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.summary import WorkoutSummary
from audio.player import Priority
from hardware.calibration import Calibration


@dataclass(frozen=True)
class Say:
    """Speak a sentence."""

    text: str
    priority: Priority = Priority.INFO
    key: str | None = None
    """Same-key sounds replace each other (a new count replaces a stale one)."""


@dataclass(frozen=True)
class PlayEarcon:
    """Play a short non-speech sound: tap, rep, rest_over, listening, error."""

    name: str


@dataclass(frozen=True)
class StartTimer:
    """Fire TimerFired(name) at `due` (runtime clock seconds); replaces a timer of that name."""

    name: str
    due: float


@dataclass(frozen=True)
class CancelTimer:
    """Forget the timer of that name, if any."""

    name: str


@dataclass(frozen=True)
class EnterState:
    """The coach moved to another state."""

    name: str


@dataclass(frozen=True)
class RecordRep:
    """A counted rep, for the history and the JSON stream."""

    set_no: int
    rep_no: int
    depth_ok: bool
    descent_s: float | None
    pause_s: float | None
    ascent_s: float | None


@dataclass(frozen=True)
class RecordShallow:
    """A rep that turned back before the wall: not counted."""

    set_no: int
    closest_cm: float | None
    descent_s: float | None


@dataclass(frozen=True)
class AdjustVolume:
    """Make the speaker louder (+1) or quieter (-1) by one step."""

    step: int


@dataclass(frozen=True)
class AdjustRate:
    """Make the voice faster (+1) or slower (-1) by one step."""

    step: int


@dataclass(frozen=True)
class Measure:
    """Collect wall-sensor readings for duration_s, then send DistanceMeasured(purpose)."""

    purpose: str
    duration_s: float


@dataclass(frozen=True)
class SaveCalibration:
    """Store a new calibration so it survives a restart."""

    calibration: Calibration


@dataclass(frozen=True)
class SessionStarted:
    """A workout began."""

    exercise: str
    sets: int
    reps: int


@dataclass(frozen=True)
class SessionEnded:
    """A workout ended (completed or stopped) with its summary."""

    summary: WorkoutSummary


Action = (
    Say | PlayEarcon | StartTimer | CancelTimer | EnterState | RecordRep | RecordShallow
    | AdjustVolume | AdjustRate | Measure | SaveCalibration | SessionStarted | SessionEnded
)
