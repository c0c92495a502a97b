"""Movement events: what rep detection tells the coach about the person in front of the wall."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DescentStarted:
    """The hips started moving back from the standing position."""

    t: float


@dataclass(frozen=True)
class WallTap:
    """Glutes reached the wall: depth confirmed (emitted on the first reading at the wall)."""

    t: float


@dataclass(frozen=True)
class BottomPause:
    """The person left the wall; they held the bottom for pause_s seconds."""

    t: float
    pause_s: float


@dataclass(frozen=True)
class RepComplete:
    """The person stood back up after a rep that reached the wall."""

    t: float
    descent_s: float
    pause_s: float
    ascent_s: float


@dataclass(frozen=True)
class ShallowRep:
    """The person turned back clearly before reaching the wall; not counted."""

    t: float
    closest_cm: float | None
    descent_s: float


@dataclass(frozen=True)
class PersonLeft:
    """Nobody in front of the sensor any more."""

    t: float


@dataclass(frozen=True)
class PersonReturned:
    """Someone is standing in front of the sensor again."""

    t: float


@dataclass(frozen=True)
class SensorFault:
    """The sensor stopped giving usable readings (reason: no_readings, stuck, impossible)."""

    t: float
    reason: str


@dataclass(frozen=True)
class SensorRecovered:
    """Usable readings are back after a SensorFault."""

    t: float


MovementEvent = (
    DescentStarted | WallTap | BottomPause | RepComplete | ShallowRep | PersonLeft
    | PersonReturned | SensorFault | SensorRecovered
)


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 3)


def movement_to_json(event: MovementEvent) -> dict:
    """One JSON line for a movement event: {"t": ..., "event": name, ...fields}.

    >>> movement_to_json(BottomPause(t=1.23456, pause_s=0.5))
    {'t': 1.235, 'event': 'pause', 'pause_s': 0.5}
    """
    if not isinstance(event, MovementEvent):
        raise TypeError(f"not a movement event: {event!r}")
    out: dict = {"t": _r(event.t)}
    match event:
        case DescentStarted():
            out["event"] = "descent"
        case WallTap():
            out["event"] = "tap"
        case BottomPause(pause_s=p):
            out.update(event="pause", pause_s=_r(p))
        case RepComplete(descent_s=d, pause_s=p, ascent_s=a):
            out.update(event="rep", descent_s=_r(d), pause_s=_r(p), ascent_s=_r(a), depth_ok=True)
        case ShallowRep(closest_cm=c, descent_s=d):
            out.update(event="shallow", closest_cm=_r(c), descent_s=_r(d))
        case PersonLeft():
            out["event"] = "left"
        case PersonReturned():
            out["event"] = "returned"
        case SensorFault(reason=r):
            out.update(event="fault", reason=r)
        case SensorRecovered():
            out["event"] = "recovered"
        case _:
            raise TypeError(f"not a movement event: {event!r}")
    return out
