"""A small hassil-like sentence template language: parse, match, expand.

Syntax: words are lower case; ``(a | b)`` is a choice, ``[a b]`` is optional (a choice with
nothing), ``{name}`` is a slot filled from a slot list, ``<name>`` refers to a shared rule.

>>> t = parse_template("(hold | hang) on [a (second | sec)]")
>>> sorted(" ".join(s) for s in expand(t, {}))[:2]
['hang on', 'hang on a sec']
>>> [slots for _, slots in match(parse_template("do {reps} reps"), ("do", "two", "reps"), 0,
...     {"reps": {("two",): 2}}, {})]
[{'reps': 2}]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import product

Words = tuple[str, ...]
SlotList = Mapping[Words, object]
"""The phrases a slot accepts, each mapped to the value it stands for."""


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Slot:
    name: str


@dataclass(frozen=True)
class RuleRef:
    name: str


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Node, ...]
    """An empty Seq among the options makes the whole choice optional."""


Node = Word | Slot | RuleRef | Seq | Alt
EMPTY = Seq(())

_TOKEN = re.compile(r"\s*(\(|\)|\[|\]|\||\{[a-z_]+\}|<[a-z_]+>|[a-z][a-z']*)")


class TemplateError(ValueError):
    """A template that does not parse."""


def tokenize(template: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = template.rstrip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None:
            raise TemplateError(f"unexpected {text[pos:]!r} in template {template!r}")
        tokens.append(found.group(1))
        pos = found.end()
    return tokens


def parse_template(template: str) -> Node:
    """Parse one template into a tree; raises TemplateError on bad syntax."""
    tokens = tokenize(template)
    node, pos = _parse_choice(tokens, 0, template)
    if pos != len(tokens):
        raise TemplateError(f"unbalanced {tokens[pos]!r} in template {template!r}")
    if node == EMPTY:
        raise TemplateError(f"empty template {template!r}")
    return node


def _parse_choice(tokens: list[str], pos: int, template: str) -> tuple[Node, int]:
    options: list[Node] = []
    while True:
        seq, pos = _parse_seq(tokens, pos, template)
        options.append(seq)
        if pos < len(tokens) and tokens[pos] == "|":
            pos += 1
            continue
        break
    return (options[0] if len(options) == 1 else Alt(tuple(options))), pos


def _parse_seq(tokens: list[str], pos: int, template: str) -> tuple[Node, int]:
    items: list[Node] = []
    while pos < len(tokens) and tokens[pos] not in ("|", ")", "]"):
        token = tokens[pos]
        if token in ("(", "["):
            close = ")" if token == "(" else "]"
            inner, pos = _parse_choice(tokens, pos + 1, template)
            if pos >= len(tokens) or tokens[pos] != close:
                raise TemplateError(f"missing {close!r} in template {template!r}")
            pos += 1
            items.append(inner if token == "(" else _optional(inner))
        elif token.startswith("{"):
            items.append(Slot(token[1:-1]))
            pos += 1
        elif token.startswith("<"):
            items.append(RuleRef(token[1:-1]))
            pos += 1
        else:
            items.append(Word(token))
            pos += 1
    return (items[0] if len(items) == 1 else Seq(tuple(items))), pos


def _optional(node: Node) -> Alt:
    options = node.options if isinstance(node, Alt) else (node,)
    return Alt((*options, EMPTY)) if EMPTY not in options else Alt(options)


def match(
    node: Node,
    tokens: Words,
    pos: int,
    slot_lists: Mapping[str, SlotList],
    rules: Mapping[str, Node],
    slots: Mapping[str, object] | None = None,
) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (end position, slot values) for every way ``node`` matches ``tokens`` at ``pos``."""
    slots = {} if slots is None else slots
    if isinstance(node, Word):
        if pos < len(tokens) and tokens[pos] == node.text:
            yield pos + 1, dict(slots)
    elif isinstance(node, Slot):
        for words, value in slot_lists[node.name].items():
            end = pos + len(words)
            if tokens[pos:end] == words:
                yield end, {**slots, node.name: value}
    elif isinstance(node, RuleRef):
        yield from match(rules[node.name], tokens, pos, slot_lists, rules, slots)
    elif isinstance(node, Alt):
        for option in node.options:
            yield from match(option, tokens, pos, slot_lists, rules, slots)
    else:
        yield from _match_seq(node.items, tokens, pos, slot_lists, rules, slots)


def _match_seq(
    items: tuple[Node, ...],
    tokens: Words,
    pos: int,
    slot_lists: Mapping[str, SlotList],
    rules: Mapping[str, Node],
    slots: Mapping[str, object],
) -> Iterator[tuple[int, dict[str, object]]]:
    if not items:
        yield pos, dict(slots)
        return
    for end, found in match(items[0], tokens, pos, slot_lists, rules, slots):
        yield from _match_seq(items[1:], tokens, end, slot_lists, rules, found)


def full_match(
    node: Node, tokens: Words, slot_lists: Mapping[str, SlotList], rules: Mapping[str, Node]
) -> dict[str, object] | None:
    """Slot values if ``node`` matches all of ``tokens``, else None."""
    for end, slots in match(node, tokens, 0, slot_lists, rules):
        if end == len(tokens):
            return slots
    return None


def expand(node: Node, rules: Mapping[str, Node]) -> list[Words]:
    """Every word sequence ``node`` stands for, slots left as ``{name}`` placeholders."""
    if isinstance(node, Word):
        return [(node.text,)]
    if isinstance(node, Slot):
        return [("{" + node.name + "}",)]
    if isinstance(node, RuleRef):
        return expand(rules[node.name], rules)
    if isinstance(node, Alt):
        return [words for option in node.options for words in expand(option, rules)]
    parts = [expand(item, rules) for item in node.items]
    return [tuple(w for piece in combo for w in piece) for combo in product(*parts)]


def words_of(node: Node, rules: Mapping[str, Node]) -> set[str]:
    """Every literal word ``node`` can produce (slots excluded)."""
    if isinstance(node, Word):
        return {node.text}
    if isinstance(node, Slot):
        return set()
    if isinstance(node, RuleRef):
        return words_of(rules[node.name], rules)
    children = node.options if isinstance(node, Alt) else node.items
    return set().union(*(words_of(child, rules) for child in children))


def nullable(node: Node, rules: Mapping[str, Node]) -> bool:
    """Whether ``node`` can stand for no words at all."""
    if isinstance(node, Word | Slot):
        return False
    if isinstance(node, RuleRef):
        return nullable(rules[node.name], rules)
    if isinstance(node, Alt):
        return any(nullable(option, rules) for option in node.options)
    return all(nullable(item, rules) for item in node.items)


def first_words(node: Node, rules: Mapping[str, Node]) -> set[str]:
    """Every word a sentence of ``node`` can start with (slots excluded)."""
    if isinstance(node, Word):
        return {node.text}
    if isinstance(node, Slot):
        return set()
    if isinstance(node, RuleRef):
        return first_words(rules[node.name], rules)
    if isinstance(node, Alt):
        return set().union(*(first_words(option, rules) for option in node.options))
    words: set[str] = set()
    for item in node.items:
        words |= first_words(item, rules)
        if not nullable(item, rules):
            break
    return words


def led_by(node: Node, first: frozenset[str], rules: Mapping[str, Node]) -> Node | None:
    """The sentences of ``node`` whose first word is in ``first``, None if there are none.

    >>> t = parse_template("[let's] (go | move) on")
    >>> sorted(" ".join(s) for s in expand(led_by(t, frozenset({"move"}), {}), {}))
    ['move on']
    """
    if isinstance(node, Word):
        return node if node.text in first else None
    if isinstance(node, Slot):  # slot values are numbers and exercise names, never a verb
        return None
    if isinstance(node, RuleRef):
        return led_by(rules[node.name], first, rules)
    if isinstance(node, Alt):
        return _choice([led_by(option, first, rules) for option in node.options])
    if not node.items:
        return None
    head, rest = node.items[0], node.items[1:]
    led = led_by(head, first, rules)
    return _choice([None if led is None else Seq((led, *rest)) if rest else led,
                    led_by(Seq(rest), first, rules) if nullable(head, rules) else None])


def _choice(options: list[Node | None]) -> Node | None:
    """The options that are not None as one node: None, the one, or a choice of them."""
    kept = [option for option in options if option is not None]
    return None if not kept else kept[0] if len(kept) == 1 else Alt(tuple(kept))


def rules_of(node: Node) -> set[str]:
    """Names of the rules ``node`` refers to directly."""
    if isinstance(node, RuleRef):
        return {node.name}
    if isinstance(node, Word | Slot):
        return set()
    children = node.options if isinstance(node, Alt) else node.items
    return set().union(*(rules_of(child) for child in children))


def slots_of(node: Node, rules: Mapping[str, Node]) -> set[str]:
    """Names of every slot ``node`` can fill."""
    if isinstance(node, Slot):
        return {node.name}
    if isinstance(node, Word):
        return set()
    if isinstance(node, RuleRef):
        return slots_of(rules[node.name], rules)
    children = node.options if isinstance(node, Alt) else node.items
    return set().union(*(slots_of(child, rules) for child in children))
