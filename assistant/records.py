"""Actions as the JSON event lines that `simulate --json` prints and the live unit logs."""

from __future__ import annotations

from assistant.actions import (
    Action,
    EnterState,
    PlayEarcon,
    RecordRep,
    RecordShallow,
    SaveCalibration,
    Say,
)


def action_record(action: Action, now: float) -> dict[str, object] | None:
    """The event line for an action a person would notice; None for internal ones (timers)."""
    t = round(now, 3)
    match action:
        case Say(text=text):
            return {"t": t, "event": "said", "text": text}
        case PlayEarcon(name=name):
            return {"t": t, "event": "earcon", "name": name}
        case EnterState(name=name):
            return {"t": t, "event": "state", "name": str(name)}
        case RecordRep():
            return {"t": t, "event": "rep", "n": action.rep_no, "set": action.set_no,
                    "depth_ok": action.depth_ok, "descent_s": _r(action.descent_s),
                    "pause_s": _r(action.pause_s), "ascent_s": _r(action.ascent_s)}
        case RecordShallow():
            return {"t": t, "event": "shallow", "set": action.set_no,
                    "closest_cm": _r(action.closest_cm), "descent_s": _r(action.descent_s)}
        case SaveCalibration(calibration=calibration):
            return {"t": t, "event": "calibration", "stand_cm": calibration.stand_cm,
                    "tap_cm": calibration.tap_cm}
        case _:
            return None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
