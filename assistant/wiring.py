"""Builds the unit's parts from a Config: the one place that knows how they fit together."""

from __future__ import annotations

from pathlib import Path

from assistant.coach import Coach
from assistant.config import Config
from assistant.exercises import load_library
from assistant.simulation import Simulation, Timeline
from hardware.calibration import Calibration
from intents.grammar import Grammar, load_default_grammar
from intents.intent import INTENT_NAMES, Intent


def build_coach(config: Config, grammar: Grammar) -> Coach:
    help_lines = dict(zip(INTENT_NAMES, grammar.help_lines(), strict=True))
    return Coach(load_library(), config.workout, config.coach, help_lines)


def build_simulation(config: Config) -> Simulation:
    """A simulation with the default calibration, so a scenario runs the same everywhere."""
    grammar = load_default_grammar()

    def recognise(text: str, expecting: str | None) -> Intent | None:
        return grammar.parse(text, expecting)

    return Simulation(build_coach(config, grammar), Calibration(), recognise)


def write_timeline_wav(timeline: Timeline, path: Path, config: Config) -> float:
    """Render what the unit played to one WAV; returns its length in seconds."""
    from audio.speaker import render_timeline  # pulls in the TTS engine

    return render_timeline(timeline.sounds, path)
