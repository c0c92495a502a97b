"""Settings of the workout and the coach (the [workout] and [coach] config tables)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkoutSettings:
    """The plan used when the person says just "start"."""

    exercise: str = "hip_hinge"
    """Exercise id from the library (e.g. hip_hinge, barbell_rdl)."""
    sets: int = 3
    """Sets per workout, 1-10."""
    reps: int = 10
    """Reps per set, 1-30."""
    rest_s: int = 90
    """Rest between sets in seconds, 10-300."""


@dataclass(frozen=True)
class CoachSettings:
    """How the coach judges tempo and paces timed reps."""

    min_descent_s: float = 1.5
    """Lowering faster than this (seconds) gets a "slower on the way down" cue."""
    min_pause_s: float = 0.3
    """A bottom pause shorter than this (seconds) gets a "pause at the wall" cue."""
    timed_descent_s: float = 3.0
    """Lowering time (seconds) of a timed rep, used while the sensor is out."""
    timed_pause_s: float = 1.0
    """Bottom pause (seconds) of a timed rep."""
    timed_ascent_s: float = 2.0
    """Lifting time (seconds) of a timed rep."""
    timed_gap_s: float = 1.5
    """Standing time (seconds) between timed reps."""
    calibrate_hold_s: float = 3.0
    """How long (seconds) the person holds each calibration position while it is measured."""

