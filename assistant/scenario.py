"""Scenario files: a timeline of what a simulated person says and does (JSON or TOML)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hardware.readings import Reading
from hardware.trace import TraceError, read_trace


class ScenarioError(ValueError):
    """A scenario file that can't be run; the message names the file, step and key."""


@dataclass(frozen=True)
class SayStep:
    """The person says `text` at `at` seconds."""

    at: float
    text: str


@dataclass(frozen=True)
class RepsStep:
    """The person does `count` reps starting at `at` seconds."""

    at: float
    count: int
    down_s: float
    pause_s: float
    up_s: float
    depth: str
    """"wall" (touches the wall) or "shallow" (turns back early)."""


@dataclass(frozen=True)
class TraceStep:
    """Recorded readings (CSV t,distance_cm) replayed from `at` seconds on."""

    at: float
    readings: tuple[Reading, ...]
    """As recorded: times relative to the start of the trace."""


Step = SayStep | RepsStep | TraceStep

_REPS_DEFAULTS = {"down_s": 2.5, "pause_s": 1.0, "up_s": 1.5, "depth": "wall"}


def load_scenario(path: Path) -> list[Step]:
    """Read a scenario file; steps come back sorted by time."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: can't read it ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}") \
            from None
    return parse_scenario(raw, source=path)


def parse_scenario(raw: object, source: Path) -> list[Step]:
    """Validate decoded JSON/TOML: a list of steps, or a table with a "timeline" list."""
    if isinstance(raw, dict):
        raw = raw.get("timeline")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{source}: expected a non-empty list of steps "
                            "(or a table with a 'timeline' list)")
    steps = [_parse_step(item, source, n) for n, item in enumerate(raw, start=1)]
    return sorted(steps, key=lambda step: step.at)


def _parse_step(item: object, source: Path, n: int) -> Step:
    where = f"{source}: step {n}"
    if not isinstance(item, dict):
        raise ScenarioError(f"{where}: expected a table like {{\"at\": 3.0, \"say\": \"...\"}}")
    at = item.get("at")
    if not isinstance(at, int | float) or isinstance(at, bool) or at < 0:
        raise ScenarioError(f"{where}: 'at' must be a number of seconds >= 0, got {at!r}")
    kinds = [key for key in ("say", "reps", "trace") if key in item]
    unknown = set(item) - {"at", "say", "reps", "trace"}
    if unknown or len(kinds) != 1:
        raise ScenarioError(f"{where}: needs exactly one of 'say', 'reps', 'trace' besides "
                            f"'at' (found {sorted(item)})")
    kind = kinds[0]
    if kind == "say":
        if not isinstance(item["say"], str) or not item["say"].strip():
            raise ScenarioError(f"{where}: 'say' must be a non-empty string")
        return SayStep(float(at), item["say"])
    if kind == "trace":
        if not isinstance(item["trace"], str):
            raise ScenarioError(f"{where}: 'trace' must be a CSV file path")
        try:
            readings = read_trace(source.parent / item["trace"])
        except TraceError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        return TraceStep(float(at), tuple(readings))
    return _parse_reps(item["reps"], float(at), where)


def _parse_reps(reps: object, at: float, where: str) -> RepsStep:
    if not isinstance(reps, dict):
        raise ScenarioError(f"{where}: 'reps' must be a table like {{\"count\": 5}}")
    unknown = set(reps) - {"count", *_REPS_DEFAULTS}
    if unknown:
        raise ScenarioError(f"{where}: unknown key reps.{sorted(unknown)[0]} (allowed: count, "
                            "down_s, pause_s, up_s, depth)")
    values = {**_REPS_DEFAULTS, **reps}
    count = values.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
        raise ScenarioError(f"{where}: reps.count must be a whole number 1-100, got {count!r}")
    for key in ("down_s", "pause_s", "up_s"):
        value = values[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 30:
            raise ScenarioError(f"{where}: reps.{key} must be seconds between 0 and 30, "
                                f"got {value!r}")
    if values["depth"] not in ("wall", "shallow"):
        raise ScenarioError(f"{where}: reps.depth must be 'wall' or 'shallow', "
                            f"got {values['depth']!r}")
    return RepsStep(at, count, float(values["down_s"]), float(values["pause_s"]),
                    float(values["up_s"]), values["depth"])
