"""Load the command language (commands.toml) into typed, parsed templates."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from .intent import INTENT_NAMES
from .numbers import count_list, duration_list
from .template import (
    Alt,
    Node,
    SlotList,
    TemplateError,
    first_words,
    parse_template,
    rules_of,
    slots_of,
)

EXERCISE_SLOT = "exercise"
"""Filled at build time from the exercise library, never from commands.toml."""


@dataclass(frozen=True)
class Sentence:
    """One template and what it means."""

    intent: str
    """The intent name it produces."""
    template: Node
    """The parsed template."""
    source: str
    """The template as written, for error messages and tests."""
    fixed_slots: Mapping[str, object]
    """Slot values the template implies ("give me a tip" -> topic=tip)."""
    expecting: str | None = None
    """Only accepted right after the coach asked this question; None: any time."""


@dataclass(frozen=True)
class CommandSet:
    """The whole command language except the exercise names."""

    sentences: tuple[Sentence, ...]
    """Commands first, then answers; in file order, which is also match priority."""
    help: Mapping[str, str]
    """One spoken help line per intent, in INTENT_NAMES order."""
    rules: Mapping[str, Node]
    """Shared sub-templates by name (<name> in templates)."""
    slot_lists: Mapping[str, SlotList]
    """Every slot list except exercise."""
    lead: Node
    """Words that may precede any command and mean nothing ("okay coach")."""
    tail: Node
    """Words that may follow any command and mean nothing ("please")."""
    heard_lead: Node
    """The lead words a decoder listens for: those not easily confused with other speech."""
    heard_tail: Node
    """The tail words a decoder listens for."""
    request: Node
    """Asking words ("can you") that may precede, in place of a lead, a command starting with
    one of request_verbs; decoders listen for them."""
    request_verbs: frozenset[str]
    """The first words of the commands a request may precede."""
    interrupts: tuple[Node, ...]
    """The ways to stop or pause that are obeyed while the coach is talking."""
    fillers: frozenset[str]
    """Hesitation words dropped wherever they occur."""
    respell: Mapping[str, str]
    """Word -> known words to say it with, for recognisers that lack the word."""
    written: Mapping[str, str]
    """Typed form -> the grammar words said for it ("rdl" -> "r d l")."""


def _slot_lists(raw: Mapping[str, Mapping[str, object]]) -> dict[str, SlotList]:
    lists: dict[str, SlotList] = {}
    for name, spec in raw.items():
        if "from" in spec:
            lists[name] = count_list(int(spec["from"]), int(spec["to"]))  # type: ignore[arg-type]
        elif "values" in spec:
            lists[name] = duration_list(spec["values"])  # type: ignore[arg-type]
        else:  # named values: value -> phrases
            lists[name] = {tuple(phrase.split()): value
                           for value, phrases in spec.items() for phrase in phrases}  # type: ignore[union-attr]
    return lists


def _parse(intent: str, source: str) -> Node:
    try:
        return parse_template(source)
    except TemplateError as error:
        raise TemplateError(f"intent {intent}: {error}") from None


def parse_commands(text: str) -> CommandSet:
    """Parse commands.toml text; raises ValueError on unknown intents, slots or rules."""
    data = tomllib.loads(text)
    rules = {name: _parse("rules", source) for name, source in data["rules"].items()}
    slot_lists = _slot_lists(data["slots"])
    commands: list[Sentence] = []
    answers: list[Sentence] = []
    help_lines: dict[str, str] = {}
    unknown = set(data["intents"]) - set(INTENT_NAMES)
    if unknown:
        raise ValueError(f"unknown intents in commands: {sorted(unknown)}")
    for intent in INTENT_NAMES:
        spec = data["intents"].get(intent)
        if spec is None:
            raise ValueError(f"intent {intent} has no sentences")
        help_lines[intent] = spec["help"]
        groups = [({}, spec.get("sentences", []))]
        groups += [(v["slots"], v["sentences"]) for v in spec.get("variants", [])]
        for fixed, sources in groups:
            commands += [Sentence(intent, _parse(intent, s), s, MappingProxyType(dict(fixed)))
                         for s in sources]
        for expecting, sources in spec.get("answers", {}).items():
            answers += [Sentence(intent, _parse(intent, s), s, MappingProxyType({}), expecting)
                        for s in sources]
    wrap = data["wrap"]
    lead, tail = _parse("wrap", wrap["lead"]), _parse("wrap", wrap["tail"])
    heard_lead, heard_tail = _parse("wrap", wrap["heard_lead"]), _parse("wrap", wrap["heard_tail"])
    request, request_verbs = _parse("wrap", wrap["request"]), frozenset(wrap["request_verbs"])
    interrupts = tuple(_parse("interrupt", s) for s in data["interrupt"]["sentences"])
    for node in (lead, tail, heard_lead, heard_tail, request, *rules.values(), *interrupts,
                 *(s.template for s in commands + answers)):
        if rules_of(node) - set(rules):
            raise ValueError(f"unknown rules {sorted(rules_of(node) - set(rules))}")
    known_slots = set(slot_lists) | {EXERCISE_SLOT}
    for sentence in commands + answers:
        missing = slots_of(sentence.template, rules) - known_slots
        if missing:
            raise ValueError(f"{sentence.source!r}: unknown slots {sorted(missing)}")
    unused = sorted(request_verbs - first_words(Alt(tuple(s.template for s in commands)), rules))
    if unused:
        raise ValueError(f"request verbs {unused} start no command")
    return CommandSet(
        sentences=tuple(commands + answers),
        help=MappingProxyType(help_lines),
        rules=MappingProxyType(rules),
        slot_lists=MappingProxyType(slot_lists),
        lead=lead,
        tail=tail,
        heard_lead=heard_lead,
        heard_tail=heard_tail,
        request=request,
        request_verbs=request_verbs,
        interrupts=interrupts,
        fillers=frozenset(wrap["fillers"]),
        respell=MappingProxyType(dict(data.get("respell", {}))),
        written=MappingProxyType(dict(data.get("written", {}))),
    )


@cache
def load_commands() -> CommandSet:
    """The packaged command language (intents/commands.toml)."""
    text = resources.files("intents").joinpath("commands.toml").read_text(encoding="utf-8")
    return parse_commands(text)
