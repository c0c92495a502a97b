"""Pronunciations for grammar words that pocketsphinx's bundled dictionary lacks.

pocketsphinx refuses a grammar with a word it cannot pronounce, so every grammar word must be
in its US-English CMU dictionary or in intents/pronunciations.dict (same format: a word, then
its ARPABET phones). Usage with a decoder::

    for word, phones in pocketsphinx_dictionary_additions(grammar).items():
        decoder.add_word(word, phones, update=False)
"""

from __future__ import annotations

import logging
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


def parse_dictionary(text: str) -> dict[str, str]:
    """word -> phones, first pronunciation of each word; "word(2)" variants are skipped."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        word, _, phones = line.strip().partition(" ")
        if word and phones and not word.endswith(")") and not word.startswith(";"):
            entries.setdefault(word, phones.strip())
    return entries


@cache
def _dictionary_words(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as lines:
        return frozenset(line.split(" ", 1)[0] for line in lines)


@cache
def project_pronunciations() -> dict[str, str]:
    """The pronunciations this project adds (intents/pronunciations.dict)."""
    text = resources.files("intents").joinpath("pronunciations.dict").read_text(encoding="utf-8")
    return parse_dictionary(text)


def missing_pronunciations(grammar: HasVocabulary, dictionary: Path | None = None) -> set[str]:
    """Grammar words neither the dictionary nor pronunciations.dict can pronounce."""
    known = _dictionary_words(dictionary or bundled_dictionary_path())
    return {w for w in grammar.vocabulary() if w not in known} - set(project_pronunciations())


def pocketsphinx_dictionary_additions(
    grammar: HasVocabulary, dictionary: Path | None = None
) -> dict[str, str]:
    """word -> phones to add to pocketsphinx for ``grammar`` (words its dictionary lacks).

    Words nobody can pronounce are logged and left out; pocketsphinx then rejects the grammar,
    so a test keeps that set empty for the packaged exercise library.
    """
    known = _dictionary_words(dictionary or bundled_dictionary_path())
    ours = project_pronunciations()
    needed = sorted(w for w in grammar.vocabulary() if w not in known)
    unknown = [w for w in needed if w not in ours]
    if unknown:
        log.warning("no pronunciation for grammar words: %s", " ".join(unknown))
    return {w: ours[w] for w in needed if w in ours}
