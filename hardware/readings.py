"""A timestamped sensor reading: what every wall-sensor driver yields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reading:
    """One sample from the wall sensor."""

    t: float
    """Seconds on the runtime's clock (monotonic live, virtual in simulation)."""
    distance_cm: float | None
    """Distance from the sensor to the person in cm; None when there was no echo/reading.
    Binary sensors report 0.0 at the wall and math.inf when clear."""
