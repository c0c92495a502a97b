"""Compile the command language to a JSGF grammar for pocketsphinx.

One public rule, ``<command>``: an optional lead ("okay coach"), one intent's sentence, an
optional tail ("please"). Intents, shared rules and slots become private rules, so the text
stays close to commands.toml and small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .template import EMPTY, Alt, Node, RuleRef, Slot, SlotList, Word

GRAMMAR_NAME = "hinge_coach"
TOP_RULE = "command"


def render(node: Node) -> str:
    """One template tree as a JSGF expansion."""
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Slot):
        return f"<slot_{node.name}>"
    if isinstance(node, RuleRef):
        return f"<rule_{node.name}>"
    if isinstance(node, Alt):
        options = [render(option) for option in node.options if option != EMPTY]
        inner = " | ".join(options)
        return f"[{inner}]" if EMPTY in node.options else f"({inner})"
    return " ".join(render(item) for item in node.items)


def _slot_expansion(values: SlotList) -> str:
    return " | ".join(" ".join(words) for words in values)


def compile_jsgf(
    intents: Mapping[str, Sequence[Node]],
    rules: Mapping[str, Node],
    slot_lists: Mapping[str, SlotList],
    lead: Node,
    tail: Node,
    request: Node = EMPTY,
    requested: Mapping[str, Sequence[Node]] | None = None,
) -> str:
    """The JSGF text; ``intents`` maps each intent name to its templates, in priority order,
    ``requested`` to those of its sentences ``request`` ("can you") may precede."""
    requested = requested or {}
    names = [name for name, templates in intents.items() if templates]
    body = " | ".join(f"<intent_{name}>" for name in names)
    asked = [name for name in names if request != EMPTY and requested.get(name)]
    if asked:
        body = f"[<lead>] ({body}) | <request> ({' | '.join(f'<request_{n}>' for n in asked)})"
    else:
        body = f"[<lead>] ({body})"
    lines = [
        "#JSGF V1.0;",
        f"grammar {GRAMMAR_NAME};",
        f"public <{TOP_RULE}> = ({body}) [<tail>];",
        f"<lead> = {render(lead)};",
        f"<tail> = {render(tail)};",
    ]
    if asked:
        lines.append(f"<request> = {render(request)};")
    for name in names:
        alternatives = " | ".join(f"({render(t)})" for t in intents[name])
        lines.append(f"<intent_{name}> = {alternatives};")
    for name in asked:
        alternatives = " | ".join(f"({render(t)})" for t in requested[name])
        lines.append(f"<request_{name}> = {alternatives};")
    lines += [f"<rule_{name}> = {render(node)};" for name, node in rules.items()]
    lines += [f"<slot_{name}> = {_slot_expansion(values)};"
              for name, values in slot_lists.items() if values]
    return "\n".join(lines) + "\n"

