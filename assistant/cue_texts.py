"""Every sentence the coach says that can be known in advance, for the cue cache."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from assistant.exercises import Exercise, load_library
from assistant.speech_text import number_words

MAX_COUNTED = 30
"""Rep counts ("Seven.") cached in advance: a late count is worse than a late cue."""


def exercise_texts(exercise: Exercise) -> list[str]:
    return [*exercise.setup, *exercise.descent_cues, *exercise.bottom_cues,
            *exercise.ascent_cues, *exercise.faults, exercise.tip]


def cue_texts(help_lines: list[str]) -> list[str]:
    """The library's spoken strings, the help lines, what the coach says in the demo workout
    (greeting, rest countdown, status, summary) and every count up to MAX_COUNTED: the common
    case is cached."""
    from assistant.config import Config
    from assistant.scenario import parse_scenario
    from assistant.wiring import build_simulation

    texts = [text for exercise in load_library().values() for text in exercise_texts(exercise)]
    demo = resources.files("assistant").joinpath("scenarios/demo.json").read_text("utf-8")
    steps = parse_scenario(json.loads(demo), source=Path("demo.json"))
    said = [str(line["text"]) for line in build_simulation(Config(), "text").run(steps)
            if line["event"] == "said"]
    counts = [f"{number_words(n).capitalize()}." for n in range(1, MAX_COUNTED + 1)]
    return list(dict.fromkeys([*texts, *help_lines, *said, *counts]))
