"""The TOML config file: one table per settings dataclass, validated with messages a person can
act on, and a documented default generated from the dataclasses themselves."""

from __future__ import annotations

import ast
import inspect
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from assistant.exercises import load_library
from assistant.settings import CoachSettings, WorkoutSettings
from audio.microphone import MicrophoneSettings
from audio.recognizer import RecognizerSettings
from audio.speaker import SpeakerSettings
from hardware.sensor import SensorSettings


class ConfigError(ValueError):
    """A config that can't be used; the message names the key and what is allowed."""


@dataclass(frozen=True)
class Config:
    """Everything the unit can be configured with, one table each."""

    workout: WorkoutSettings = WorkoutSettings()
    coach: CoachSettings = CoachSettings()
    sensor: SensorSettings = SensorSettings()
    microphone: MicrophoneSettings = MicrophoneSettings()
    recognizer: RecognizerSettings = RecognizerSettings()
    speaker: SpeakerSettings = field(default_factory=SpeakerSettings)


RANGES: dict[str, tuple[float, float]] = {
    "workout.sets": (1, 10), "workout.reps": (1, 30), "workout.rest_s": (10, 300),
    "coach.min_descent_s": (0, 10), "coach.min_pause_s": (0, 5),
    "coach.timed_descent_s": (0.5, 10), "coach.timed_pause_s": (0, 5),
    "coach.timed_ascent_s": (0.5, 10), "coach.timed_gap_s": (0.5, 10),
    "coach.calibrate_hold_s": (1, 10),
}
"""Allowed numeric ranges, inclusive, by "table.key"."""


def load_config(path: Path | None, overrides: dict[str, dict[str, Any]] | None = None) -> Config:
    """The defaults, then the file (if any), then command-line overrides; all validated."""
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: can't read the config file ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for table, values in (overrides or {}).items():
        raw.setdefault(table, {}).update(values)
    where = f"{path}: " if path else ""
    unknown = sorted(set(raw) - {f.name for f in fields(Config)})
    if unknown:
        raise ConfigError(f"{where}unknown table [{unknown[0]}] (allowed: "
                          f"{', '.join(f.name for f in fields(Config))})")
    config = Config()
    for table in fields(Config):
        values = raw.get(table.name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"{where}'{table.name}' must be a table: [{table.name}]")
        current = getattr(config, table.name)
        config = replace(config, **{table.name: _build(current, table.name, values, where)})
    exercises = load_library()
    if config.workout.exercise not in exercises:
        raise ConfigError(f"{where}workout.exercise = {config.workout.exercise!r} is not an "
                          f"exercise I know (allowed: {', '.join(exercises)})")
    return config


def _build(current: Any, table: str, values: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(type(current))
    allowed = [f.name for f in fields(current)]
    changes: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{table}.{key}"
        if key not in allowed:
            raise ConfigError(f"{where}unknown key {name} (allowed in [{table}]: "
                              f"{', '.join(allowed)})")
        hint = hints[key]
        if is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}'{name}' must be a table: [{name}]")
            changes[key] = _build(getattr(current, key), name, value, where)
            continue
        if isinstance(hint, type) and issubclass(hint, Enum):
            if value not in hint.__members__:
                raise ConfigError(f"{where}{name} = {value!r}: expected one of "
                                  f"{', '.join(hint.__members__)}")
            changes[key] = hint[value]
            continue
        if not _fits(value, hint):
            raise ConfigError(f"{where}{name} = {value!r}: expected {_describe(hint)}")
        low, high = RANGES.get(name, (float("-inf"), float("inf")))
        if isinstance(value, int | float) and not low <= value <= high:
            raise ConfigError(f"{where}{name} = {value!r}: allowed {low:g} to {high:g}")
        changes[key] = value
    try:
        built = replace(current, **changes)
        if hasattr(built, "validate"):  # a settings class's own cross-field checks
            built.validate()
    except ValueError as exc:
        raise ConfigError(f"{where}[{table}] {exc}") from None
    return built


def _fits(value: Any, hint: Any) -> bool:
    if get_origin(hint) is Literal:
        return value in get_args(hint)
    if get_origin(hint) in (types.UnionType, typing.Union):
        return any(_fits(value, arg) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if get_origin(hint) is tuple:
        return isinstance(value, list | tuple)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    if get_origin(hint) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(hint))
    if get_origin(hint) in (types.UnionType, typing.Union):
        return " or ".join(_describe(a) for a in get_args(hint) if a is not type(None))
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint)))


@cache
def field_docs(cls: type) -> dict[str, str]:
    """The one-line docstring under each dataclass field (the source is the documentation)."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)):
            docs[node.target.id] = " ".join(str(following.value.value).split())
    return docs


def default_config_toml() -> str:
    """The default config as a TOML file with every key documented."""
    lines = ["# hinge-coach configuration. Every key is optional; these are the defaults.",
             "# Keys shown commented out have no value by default (auto)."]
    for table in fields(Config):
        _table_toml(table.name, getattr(Config(), table.name), lines)
    return "\n".join(lines) + "\n"


def _table_toml(name: str, settings: Any, lines: list[str]) -> None:
    lines += ["", f"# {(type(settings).__doc__ or '').strip()}", f"[{name}]"]
    docs = field_docs(type(settings))
    nested = []
    for f in fields(settings):
        value = getattr(settings, f.name)
        if is_dataclass(value):
            nested.append((f"{name}.{f.name}", value))
            continue
        lines.append(f"# {docs.get(f.name, '')}")
        if value is None:
            lines.append(f"# {f.name} =")
        else:
            lines.append(f"{f.name} = {_toml_value(value)}")
    for sub_name, sub in nested:
        _table_toml(sub_name, sub, lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, Enum):
        return f'"{value.name}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def default_config_path() -> Path | None:
    """The config file used when none is named: $HINGE_COACH_CONFIG, then /etc/hinge-coach."""
    named = os.environ.get("HINGE_COACH_CONFIG")
    if named:
        return Path(named)
    system = Path("/etc/hinge-coach/config.toml")
    return system if system.exists() else None
