"""Every sentence the coach says that can be known in advance, for the cue cache."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.exercises import Exercise, load_library
from assistant.speech_text import number_words

if TYPE_CHECKING:
    from assistant.config import Config
    from assistant.scenario import Step

MAX_COUNTED = 30
"""Rep counts ("Seven.") cached in advance: a late count is worse than a late cue."""


def exercise_texts(exercise: Exercise) -> list[str]:
    return [*exercise.setup, *exercise.descent_cues, *exercise.bottom_cues,
            *exercise.ascent_cues, *exercise.faults, exercise.tip]


def cue_texts(help_lines: list[str], config: Config | None = None) -> list[str]:
    """The library's spoken strings, the help lines, every count up to MAX_COUNTED, and what
    the coach says in the demo workout and in the unit's own plan (greeting, set and rest
    announcements, rest countdown, status, summary): the common case is cached."""
    from assistant.config import Config
    from assistant.scenario import parse_scenario

    texts = [text for exercise in load_library().values() for text in exercise_texts(exercise)]
    demo = resources.files("assistant").joinpath("scenarios/demo.json").read_text("utf-8")
    said = _said(Config(), parse_scenario(json.loads(demo), source=Path("demo.json")))
    config = config or Config()
    said += _said(config, parse_scenario(plan_timeline(config), source=Path("plan")))
    counts = [f"{number_words(n).capitalize()}." for n in range(1, MAX_COUNTED + 1)]
    return list(dict.fromkeys([*texts, *help_lines, *said, *counts]))


def plan_timeline(config: Config, rep_s: float = 7.0) -> list[dict[str, object]]:
    """A scenario of the configured workout done as planned: "start", "I'm ready", every set
    at the wall, each rest run out."""
    plan = config.workout
    timeline: list[dict[str, object]] = [{"at": 1.0, "say": "start"},
                                         {"at": 3.0, "say": "I'm ready"}]
    at = 5.0
    for _ in range(plan.sets):
        timeline.append({"at": at, "reps": {"count": plan.reps}})
        at += plan.reps * rep_s + plan.rest_s + 5.0
    return timeline


def _said(config: Config, steps: list[Step]) -> list[str]:
    from assistant.wiring import build_simulation

    return [str(line["text"]) for line in build_simulation(config, "text").run(steps)
            if line["event"] == "said"]
