"""Words: the command language, its compilation for the recognisers, and text -> Intent.

>>> from intents.fixtures import EXERCISE_NAMES
>>> build_grammar(EXERCISE_NAMES).parse("switch to good mornings").slots
{'exercise': 'barbell_good_morning'}
"""

from .automaton import Automaton
from .grammar import EXPECTING, Grammar, build_grammar, load_default_grammar
from .intent import INTENT_NAMES, Intent
from .pronounce import missing_pronunciations, pocketsphinx_dictionary_additions
from .sphinx import use_grammar

__all__ = [
    "EXPECTING", "INTENT_NAMES", "Automaton", "Grammar", "Intent", "build_grammar",
    "load_default_grammar", "missing_pronunciations", "pocketsphinx_dictionary_additions",
    "use_grammar",
]
