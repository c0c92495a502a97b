"""The exercise library: the hip hinge and its variations, loaded from exercises.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Exercise:
    """One exercise, in the words the coach speaks."""

    id: str
    """Stable identifier, e.g. barbell_rdl."""
    name: str
    """How the coach names it aloud, e.g. "barbell Romanian deadlift"."""
    spoken_names: tuple[str, ...]
    """Ways a person says it (lower case, no punctuation); the grammar is built from these."""
    equipment: tuple[str, ...]
    """What the person needs; empty for bodyweight."""
    muscles: tuple[str, ...]
    """Muscles worked, main movers first."""
    setup: tuple[str, ...]
    """Setup steps, each one short spoken sentence, in order."""
    descent_cues: tuple[str, ...]
    """Said as the hips start back; rotated rep by rep."""
    bottom_cues: tuple[str, ...]
    """Said at the wall tap, asking for a short pause."""
    ascent_cues: tuple[str, ...]
    """Said when the person leaves the wall ("drive up, squeeze")."""
    faults: tuple[str, ...]
    """Common faults, each as a spoken correction."""
    tip: str
    """The one tip the coach gives when asked."""


@cache
def load_library() -> dict[str, Exercise]:
    """All exercises by id, in library order.

    >>> load_library()["hip_hinge"].name
    'hip hinge'
    """
    text = resources.files("assistant").joinpath("exercises.toml").read_text(encoding="utf-8")
    library: dict[str, Exercise] = {}
    for raw in tomllib.loads(text)["exercise"]:
        fields = {key: tuple(value) if isinstance(value, list) else value
                  for key, value in raw.items()}
        library[raw["id"]] = Exercise(**fields)
    return library
