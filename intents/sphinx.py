"""Load the command grammar into a pocketsphinx Decoder (the one place that does it).

>>> from pocketsphinx import Decoder  # doctest: +SKIP
>>> decoder = Decoder(lm=None, loglevel="ERROR")  # doctest: +SKIP
>>> use_grammar(decoder, load_default_grammar())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .grammar import Grammar
from .pronounce import pocketsphinx_dictionary_additions

SEARCH_NAME = "commands"


def use_grammar(
    decoder: Any, grammar: Grammar, name: str = SEARCH_NAME,
    expecting: Iterable[str] | None = None,
) -> None:
    """Add missing pronunciations and the grammar's automaton to ``decoder``; activate it.

    The automaton, not the JSGF: the same language, decoded many times faster.
    """
    additions = list(pocketsphinx_dictionary_additions(grammar).items())
    for i, (word, phones) in enumerate(additions):
        # Rebuilding the search after every word is slow; once at the end is enough.
        decoder.add_word(word, phones, update=i == len(additions) - 1)
    automaton = grammar.automaton(expecting)
    fsg = decoder.create_fsg(name, automaton.start, automaton.final, automaton.transitions())
    decoder.add_fsg(name, fsg)
    decoder.activate_search(name)
