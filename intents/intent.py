"""The one thing intents/ hands to the rest of the unit: what the person asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

INTENT_NAMES: tuple[str, ...] = (
    "start", "pause", "resume", "stop", "next", "repeat", "status", "slower", "faster",
    "louder", "quieter", "help", "explain", "choose", "set_reps", "set_sets", "rest",
    "calibrate", "yes", "no", "last_time",
)
"""Every intent name; part of the CLI contract."""


@dataclass(frozen=True)
class Intent:
    """A recognised command.

    >>> Intent("set_reps", {"reps": 12}).slots["reps"]
    12
    """

    name: str
    """One of INTENT_NAMES."""
    slots: dict[str, object] = field(default_factory=dict)
    """Slot values: exercise (id str), sets, reps, seconds (int), topic (str)."""
    confidence: float | None = None
    """0-1 from the recogniser, None when typed or unknown."""
    text: str = ""
    """The words the intent was parsed from."""

    def to_json(self) -> dict[str, object]:
        return {"intent": self.name, "slots": dict(self.slots), "confidence": self.confidence}
