"""Recogniser or typed text -> the word tokens the grammar is written in.

>>> normalize("[unk] Uh, PAUSE please <unk>", fillers={"uh"})
('pause', 'please')
>>> normalize("turn [unk] up", fillers=set()) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from .numbers import digits_to_words

_SEPARATORS = re.compile(r"[^a-z0-9'\[\]<>+_ ]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def is_artifact(token: str) -> bool:
    """Recogniser markers rather than words: [unk], <unk>, <sil>, [noise], ++breath++."""
    return token[:1] in "[<" or token.startswith("++")


def normalize(
    text: str,
    fillers: Collection[str],
    respelled: Mapping[tuple[str, ...], str] | None = None,
    typed_forms: Mapping[str, str] | None = None,
) -> tuple[str, ...] | None:
    """Tokens ready to match, or None when unknown words sit between command words.

    Artifacts at either end are dropped (noise or a breath around a command), but one
    inside ("turn [unk] up") means the person said words outside the grammar, so the
    sentence is not a command. ``respelled`` maps recogniser spellings back to grammar
    words (("dead", "lift") -> "deadlift"); ``typed_forms`` maps a word to the grammar words
    it stands for ("lets" -> "let's", "rdl" -> "r d l").
    """
    text = text.lower().translate(_APOSTROPHES)
    tokens = [t.strip("'") for t in _SEPARATORS.sub(" ", text).split()]
    tokens = [t for t in tokens if t and t not in fillers]
    while tokens and is_artifact(tokens[0]):
        tokens.pop(0)
    while tokens and is_artifact(tokens[-1]):
        tokens.pop()
    if any(is_artifact(t) for t in tokens):
        return None
    words = [word for token in tokens for word in digits_to_words(token)]
    if typed_forms:
        words = [said for word in words for said in typed_forms.get(word, word).split()]
    if respelled:
        words = _join_respelled(words, respelled)
    return tuple(words)


def _join_respelled(words: list[str], respelled: Mapping[tuple[str, ...], str]) -> list[str]:
    longest = max((len(k) for k in respelled), default=0)
    out: list[str] = []
    pos = 0
    while pos < len(words):
        for size in range(min(longest, len(words) - pos), 1, -1):
            joined = respelled.get(tuple(words[pos:pos + size]))
            if joined is not None:
                out.append(joined)
                pos += size
                break
        else:
            out.append(words[pos])
            pos += 1
    return out
