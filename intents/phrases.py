"""Compile the command language to a phrase list for vosk grammar mode.

vosk 0.3.45 turns the phrase list into a bigram language model, so what matters is which
words may follow which, not the list of whole sentences. Expanding every template with every
slot combination would give hundreds of thousands of sentences; instead each template is
expanded with its slots as placeholders, each slot value is put into each placeholder once
(enough for every bigram across a slot boundary), and then only sentences that add a bigram
no earlier sentence had are kept. Same bigrams, a list of a few thousand phrases.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from .template import Node, SlotList, Words, expand

UNKNOWN = "[unk]"
"""vosk's garbage word: out-of-grammar speech decodes to it instead of to a command."""

log = logging.getLogger(__name__)


def fill_slots(pattern: Words, slot_lists: Mapping[str, SlotList]) -> list[Words]:
    """Copies of ``pattern`` with ``{slot}`` placeholders filled so every value appears once."""
    placeholders = [w[1:-1] for w in pattern if w.startswith("{")]
    if not placeholders:
        return [pattern]
    values = {name: list(slot_lists[name]) for name in placeholders}

    def fill(choice: Mapping[int, Words], i: int) -> Words:
        words: list[str] = []
        for pos, w in enumerate(pattern):
            if pos in choice:
                words += choice[pos]
            elif w.startswith("{"):
                words += values[w[1:-1]][i % len(values[w[1:-1]])]
            else:
                words.append(w)
        return tuple(words)

    count = max(len(v) for v in values.values())
    filled = [fill({}, i) for i in range(count)]
    # Two slots side by side ("{exercise} {sets}"): every last word of one must meet every
    # first word of the other, or the bigram model cannot say that pair.
    for pos in range(len(pattern) - 1):
        left, right = pattern[pos], pattern[pos + 1]
        if left.startswith("{") and right.startswith("{"):
            by_last = {v[-1]: v for v in values[left[1:-1]]}
            by_first = {v[0]: v for v in values[right[1:-1]]}
            filled += [fill({pos: a, pos + 1: b}, 0)
                       for a in by_last.values() for b in by_first.values()]
    return filled


def bigrams(words: Words) -> set[tuple[str, str]]:
    padded = ("<s>", *words, "</s>")
    return set(zip(padded, padded[1:], strict=False))


def bigram_cover(sentences: Iterable[Words]) -> list[Words]:
    """The sentences, in order, that each add at least one new bigram."""
    seen: set[tuple[str, str]] = set()
    kept: list[Words] = []
    for sentence in sentences:
        new = bigrams(sentence) - seen
        if new:
            seen |= new
            kept.append(sentence)
    return kept


def compile_phrases(
    templates: Iterable[Node],
    extra: Iterable[Node],
    rules: Mapping[str, Node],
    slot_lists: Mapping[str, SlotList],
) -> list[Words]:
    """Sentences covering every bigram of ``templates``; ``extra`` adds standalone phrases."""
    sentences: list[Words] = []
    for template in templates:
        for pattern in dict.fromkeys(expand(template, rules)):
            sentences += fill_slots(pattern, slot_lists)
    for node in extra:
        sentences += expand(node, rules)
    return bigram_cover(sentences)


def respell_for(
    sentences: Iterable[Words],
    known_words: Callable[[str], bool] | None,
    respell: Mapping[str, str],
) -> list[str]:
    """Sentences as text, words the recogniser lacks respelled; unsayable sentences dropped.

    vosk silently ignores words missing from its model, which would turn "single leg r d l"
    into "single leg"; respelling or dropping the sentence (and logging it) is safer.
    """
    phrases: dict[str, None] = {}
    missing: set[str] = set()
    for sentence in sentences:
        words: list[str] = []
        for word in sentence:
            if known_words is None or known_words(word):
                words.append(word)
                continue
            spelled = respell.get(word, "").split()
            if spelled and all(known_words(w) for w in spelled):
                words += spelled
            else:
                missing.add(word)
                break
        else:
            phrases[" ".join(words)] = None
    if missing:
        log.warning("recogniser vocabulary lacks %d grammar words, their phrases dropped: %s",
                    len(missing), " ".join(sorted(missing)))
    return [*phrases, UNKNOWN]
