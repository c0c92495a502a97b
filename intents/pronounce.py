"""Pronunciations for grammar words that pocketsphinx's bundled dictionary lacks or says
only one way.

pocketsphinx refuses a grammar with a word it cannot pronounce, so every grammar word must be
in its US-English CMU dictionary or in intents/pronunciations.dict (same format: a word, then
its ARPABET phones). A line "word(2) phones" there adds another way of saying a word, for
speakers the bundled dictionary does not cover. Usage with a decoder::

    for word, phones in pocketsphinx_dictionary_additions(grammar).items():
        decoder.add_word(word, phones, update=False)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class HasVocabulary(Protocol):
    def vocabulary(self) -> set[str]: ...


def bundled_dictionary_path() -> Path:
    """pocketsphinx's US-English dictionary (cmudict-en-us.dict)."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


def _entries(text: str) -> Iterator[tuple[str, str]]:
    """(word, phones) of each line of a dictionary; ";" comment lines are skipped."""
    for line in text.splitlines():
        word, _, phones = line.strip().partition(" ")
        if word and phones.strip() and not word.startswith(";"):
            yield word, phones.strip()


def parse_dictionary(text: str) -> dict[str, str]:
    """word -> phones, first pronunciation of each word; "word(2)" variants are skipped."""
    entries: dict[str, str] = {}
    for word, phones in _entries(text):
        if not word.endswith(")"):
            entries.setdefault(word, phones)
    return entries


@cache
def _dictionary_words(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as lines:
        return frozenset(line.split(" ", 1)[0] for line in lines)


def parse_alternates(text: str) -> dict[str, list[str]]:
    """word -> its further pronunciations, from the "word(2)" lines of a dictionary."""
    entries: dict[str, list[str]] = {}
    for word, phones in _entries(text):
        if word.endswith(")") and "(" in word:
            entries.setdefault(word.split("(")[0], []).append(phones)
    return entries


def _project_dictionary() -> str:
    return resources.files("intents").joinpath("pronunciations.dict").read_text(encoding="utf-8")


@cache
def project_pronunciations() -> dict[str, str]:
    """The words this project adds (intents/pronunciations.dict), first pronunciations."""
    return parse_dictionary(_project_dictionary())


@cache
def project_alternates() -> dict[str, list[str]]:
    """The further ways of saying words this project adds (intents/pronunciations.dict)."""
    return parse_alternates(_project_dictionary())


def missing_pronunciations(grammar: HasVocabulary, dictionary: Path | None = None) -> set[str]:
    """Grammar words neither the dictionary nor pronunciations.dict can pronounce."""
    known = _dictionary_words(dictionary or bundled_dictionary_path())
    return {w for w in grammar.vocabulary() if w not in known} - set(project_pronunciations())


def pocketsphinx_dictionary_additions(
    grammar: HasVocabulary, dictionary: Path | None = None
) -> dict[str, str]:
    """word -> phones to add to pocketsphinx for ``grammar``: the words its dictionary lacks,
    then our alternates of grammar words as "word(n)", numbered after the dictionary's own.

    Words nobody can pronounce are logged and left out; pocketsphinx then rejects the grammar,
    so a test keeps that set empty for the packaged exercise library.
    """
    known = _dictionary_words(dictionary or bundled_dictionary_path())
    ours = project_pronunciations()
    vocabulary = grammar.vocabulary()
    needed = sorted(w for w in vocabulary if w not in known)
    unknown = [w for w in needed if w not in ours]
    if unknown:
        log.warning("no pronunciation for grammar words: %s", " ".join(unknown))
    additions = {w: ours[w] for w in needed if w in ours}
    for word, alternates in sorted(project_alternates().items()):
        if word not in vocabulary or word in unknown:
            continue
        n = 2
        for phones in alternates:
            while f"{word}({n})" in known:
                n += 1
            additions[f"{word}({n})"] = phones
            n += 1
    return additions
