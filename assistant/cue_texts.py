"""Every sentence the coach says that can be known in advance, for the cue cache."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from assistant.exercises import Exercise, load_library


def exercise_texts(exercise: Exercise) -> list[str]:
    return [*exercise.setup, *exercise.descent_cues, *exercise.bottom_cues,
            *exercise.ascent_cues, *exercise.faults, exercise.tip]


def cue_texts(help_lines: list[str]) -> list[str]:
    """The library's spoken strings, the help lines, and what the coach says in the demo
    workout (greeting, counts, rest countdown, status, summary): the common case is cached."""
    from assistant.config import Config
    from assistant.scenario import parse_scenario
    from assistant.wiring import build_simulation

    texts = [text for exercise in load_library().values() for text in exercise_texts(exercise)]
    demo = resources.files("assistant").joinpath("scenarios/demo.json").read_text("utf-8")
    steps = parse_scenario(json.loads(demo), source=Path("demo.json"))
    said = [str(line["text"]) for line in build_simulation(Config()).run(steps)
            if line["event"] == "said"]
    return list(dict.fromkeys([*texts, *help_lines, *said]))
