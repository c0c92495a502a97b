"""The sentence template language: syntax, matching, expansion."""

from __future__ import annotations

import pytest

from intents.template import (
    TemplateError,
    expand,
    first_words,
    full_match,
    led_by,
    parse_template,
    slots_of,
    words_of,
)

NUMBERS = {("two",): 2, ("twenty",): 20, ("twenty", "two"): 22}


def sentences(template: str, rules: dict | None = None) -> set[str]:
    return {" ".join(w) for w in expand(parse_template(template), rules or {})}


def test_choice_and_optional() -> None:
    assert sentences("(hold | hang) on [a (second | moment)]") == {
        "hold on", "hang on", "hold on a second", "hold on a moment", "hang on a second",
        "hang on a moment",
    }


def test_nested_optional_choice() -> None:
    assert sentences("skip [(it | the rest)]") == {"skip", "skip it", "skip the rest"}
    assert sentences("a [b [c]]") == {"a", "a b", "a b c"}


def test_rule_references_expand() -> None:
    rules = {"moment": parse_template("(second | sec)")}
    assert sentences("wait a <moment>", rules) == {"wait a second", "wait a sec"}


def test_slots_match_multi_word_values() -> None:
    template = parse_template("do {reps} reps")
    lists = {"reps": NUMBERS}
    assert full_match(template, ("do", "twenty", "two", "reps"), lists, {}) == {"reps": 22}
    assert full_match(template, ("do", "twenty", "reps"), lists, {}) == {"reps": 20}
    assert full_match(template, ("do", "reps"), lists, {}) is None
    assert full_match(template, ("do", "twenty", "two", "reps", "now"), lists, {}) is None


def test_adjacent_slots_backtrack() -> None:
    template = parse_template("{a} {b}")
    lists = {"a": NUMBERS, "b": NUMBERS}
    assert full_match(template, ("twenty", "two", "two"), lists, {}) == {"a": 22, "b": 2}
    assert full_match(template, ("twenty", "twenty", "two"), lists, {}) == {"a": 20, "b": 22}


def test_apostrophes_are_part_of_words() -> None:
    assert sentences("(let's | i'm) go") == {"let's go", "i'm go"}


def test_words_and_slots_of_a_template() -> None:
    rules = {"r": parse_template("(x | {n})")}
    node = parse_template("a [b] <r> {m}")
    assert words_of(node, rules) == {"a", "b", "x"}
    assert slots_of(node, rules) == {"n", "m"}


@pytest.mark.parametrize("bad", [
    "(a | b", "a ]", "[a", "a)", "", "   ", "A b", "a, b", "{Reps}", "<>", "a 12",
])
def test_bad_templates_raise(bad: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(bad)


def test_led_by_keeps_only_sentences_starting_with_the_given_words() -> None:
    rules = {"it": parse_template("(it | this)")}
    template = parse_template("[please] (turn <it> up | louder | {n} reps)")
    led = led_by(template, frozenset({"turn", "please"}), rules)
    assert led is not None
    assert sorted(" ".join(w) for w in expand(led, rules)) == [
        "please louder", "please turn it up", "please turn this up", "please {n} reps",
        "turn it up", "turn this up"]
    assert led_by(template, frozenset({"reps"}), rules) is None


def test_first_words_look_past_optional_words_and_into_rules() -> None:
    rules = {"it": parse_template("[(it | this)]")}
    assert first_words(parse_template("[please] (turn | <it> up) {n}"), rules) == {
        "please", "turn", "it", "this", "up"}
    assert first_words(parse_template("{n} reps"), rules) == set()
