"""The command language with the exercise names filled in: parse text, feed the recognisers.

>>> g = build_grammar({"barbell_rdl": ["romanian deadlifts", "r d l"]})
>>> g.parse("okay coach, three sets of eight romanian deadlifts please")  # doctest: +ELLIPSIS
Intent(name='start', slots={'sets': 3, 'reps': 8, 'exercise': 'barbell_rdl'}, ...)
>>> g.parse("twelve") is None, g.parse("twelve", expecting="reps").slots
(True, {'reps': 12})
>>> g.parse("turn left at the lights") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from .automaton import Automaton, compile_automaton
from .commands import EXERCISE_SLOT, CommandSet, Sentence, load_commands
from .intent import INTENT_NAMES, Intent
from .jsgf import compile_jsgf
from .normalize import normalize
from .phrases import compile_phrases, respell_for
from .template import (
    EMPTY,
    Alt,
    Node,
    Seq,
    SlotList,
    expand,
    full_match,
    led_by,
    slots_of,
    words_of,
)

EXPECTING = ("reps", "sets", "seconds", "exercise", "topic", "yes_no")
"""Questions the coach may ask; commands.toml's answers are keyed by these."""

_SPOKEN_NAME = re.compile(r"[a-z]+( [a-z]+)*")


@dataclass(frozen=True)
class Grammar:
    """The compiled command language; build with build_grammar() or load_default_grammar()."""

    commands: CommandSet
    """Everything from commands.toml."""
    slot_lists: Mapping[str, SlotList]
    """All slot lists, exercise names included."""

    # --- parsing -------------------------------------------------------------------------

    def parse(self, text: str, expecting: str | None = None) -> Intent | None:
        """The command ``text`` says, or None if it is not exactly a sentence of the grammar.

        ``expecting`` names the question the coach just asked (see EXPECTING): its answers
        ("twelve", "okay") are then accepted too, before ordinary commands.
        """
        tokens = normalize(text, self.commands.fillers, self._respelled, self._typed_forms)
        if not tokens:
            return None
        present = set(tokens)
        for sentence, words in self._candidates(expecting):
            if not present <= words:  # cheap test first: most sentences lack some word
                continue
            slots = full_match(sentence.template, tokens, self.slot_lists, self._rules)
            if slots is not None:
                return Intent(sentence.intent, {**sentence.fixed_slots, **slots},
                              text=" ".join(tokens))
        return None

    def interrupts(self, text: str) -> bool:
        """Whether ``text`` is one of the short ways to stop or pause (commands.toml's
        interrupt) that are obeyed while the coach is talking."""
        tokens = normalize(text, self.commands.fillers, self._respelled, self._typed_forms)
        return bool(tokens) and any(
            full_match(node, tokens, self.slot_lists, self._rules) is not None
            for node in self._interrupts)

    @cached_property
    def _interrupts(self) -> tuple[Node, ...]:
        return tuple(self._with_wrap(node) for node in self.commands.interrupts)

    def _with_wrap(self, node: Node) -> Node:
        """``node`` with the optional lead (or a request) and tail words around it."""
        commands = self.commands
        starts = [Seq((Alt((commands.lead, EMPTY)), node))]
        starts += [Seq((commands.request, led)) for led in self._requested([node])]
        return Seq((Alt(tuple(starts)), Alt((commands.tail, EMPTY))))

    def _requested(self, templates: Iterable[Node]) -> list[Node]:
        """The sentences of ``templates`` a request may precede ("can you" + "turn it up")."""
        if self.commands.request == EMPTY:
            return []
        verbs = self.commands.request_verbs
        return [led for t in templates if (led := led_by(t, verbs, self._rules)) is not None]

    def split_wrap(self, text: str) -> tuple[str, str, str]:
        """``text`` as (lead, command, tail): the words said around a command apart ("okay
        coach hold on please" -> ("okay coach", "hold on", "please")); a text that is nothing
        but such words is all command."""
        words = tuple(text.split())
        lead = next((p for p in self._wrap_phrases[0]
                     if words[:len(p)] == p and len(words) > len(p)), ())
        words = words[len(lead):]
        tail = next((p for p in self._wrap_phrases[1]
                     if words[-len(p):] == p and len(words) > len(p)), ())
        return " ".join(lead), " ".join(words[:len(words) - len(tail)]), " ".join(tail)

    @cached_property
    def _wrap_phrases(self) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        """Lead and tail phrases, longest first ("okay coach" before "okay")."""
        commands = self.commands
        lead, tail = (sorted(expand(node, self._rules), key=len, reverse=True)
                      for node in (Alt((commands.lead, commands.request)), commands.tail))
        return lead, tail

    def is_prefix(self, text: str) -> bool:
        """Whether ``text`` (a partial result) can still grow into a sentence of the grammar.

        Lets a streaming recogniser give up on an utterance as soon as it leaves the grammar,
        and know that a complete command ("stop") could still become a longer one.
        """
        tokens = normalize(text, self.commands.fillers, self._respelled, self._typed_forms)
        if tokens is None:
            return False
        return self.automaton().reaches(tokens) is not None

    def _candidates(self, expecting: str | None) -> Iterable[tuple[Sentence, frozenset[str]]]:
        wrapped = self._wrapped
        if expecting is not None:
            yield from (pair for pair in wrapped if pair[0].expecting == expecting)
        yield from (pair for pair in wrapped if pair[0].expecting is None)

    @cached_property
    def _wrapped(self) -> tuple[tuple[Sentence, frozenset[str]], ...]:
        """Every sentence with the optional lead and tail around it, and the words it uses."""
        wrapped = []
        for s in self.commands.sentences:
            node = self._with_wrap(s.template)
            words = words_of(node, self._rules).union(
                *({w for phrase in self.slot_lists[name] for w in phrase}
                  for name in slots_of(node, self._rules)))
            wrapped.append((Sentence(s.intent, node, s.source, s.fixed_slots, s.expecting),
                            frozenset(words)))
        return tuple(wrapped)

    @property
    def _rules(self) -> Mapping[str, Node]:
        return self.commands.rules

    @cached_property
    def _respelled(self) -> Mapping[tuple[str, ...], str]:
        return {tuple(spelled.split()): word for word, spelled in self.commands.respell.items()}

    @cached_property
    def _typed_forms(self) -> Mapping[str, str]:
        # Typed or recognised "lets", "im": the grammar spells them "let's", "i'm".
        vocabulary = self._vocabulary
        contractions = {w.replace("'", ""): w for w in vocabulary
                        if "'" in w and w.replace("'", "") not in vocabulary}
        return {**contractions, **self.commands.written}

    # --- what the recognisers need ---------------------------------------------------------

    def vocabulary(self) -> set[str]:
        """Every word any sentence can contain."""
        return set(self._vocabulary)

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        words: set[str] = set()
        for node in (self.commands.lead, self.commands.tail, self.commands.request,
                     *(s.template for s in self.commands.sentences)):
            words |= words_of(node, self._rules)
        for values in self.slot_lists.values():
            words |= {word for phrase in values for word in phrase}
        return frozenset(words)

    def jsgf(self, expecting: Iterable[str] | None = None) -> str:
        """A JSGF grammar (pocketsphinx) of every command and of the answers to ``expecting``.

        None includes every answer, so bare numbers and "okay" are recognisable and
        parse() decides whether they mean anything now. pocketsphinx expands JSGF into a
        tree ten times larger than automaton() and decodes it six times slower (real-time
        factor 0.17 here): decoders should load automaton() (intents.sphinx.use_grammar).
        """
        wanted = set(EXPECTING if expecting is None else expecting)
        intents: dict[str, list[Node]] = {name: [] for name in INTENT_NAMES}
        for s in self.commands.sentences:
            if s.expecting is None or s.expecting in wanted:
                intents[s.intent].append(s.template)
        requested = {name: self._requested(templates) for name, templates in intents.items()}
        return compile_jsgf(intents, self._rules, self.slot_lists, self.commands.lead,
                            self.commands.tail, self.commands.request, requested)

    def automaton(self, expecting: Iterable[str] | None = None) -> Automaton:
        """The same language as jsgf() as a minimal word automaton (pocketsphinx FSG).

        Decodes far faster than the JSGF, which pocketsphinx expands into a tree.
        """
        key = tuple(sorted(EXPECTING if expecting is None else set(expecting)))
        cached = self._automata.get(key)
        if cached is None:
            templates = [s.template for s in self.commands.sentences
                         if s.expecting is None or s.expecting in key]
            cached = compile_automaton(templates, self._rules, self.slot_lists,
                                       self.commands.lead, self.commands.tail,
                                       self.commands.request, self._requested(templates))
            self._automata[key] = cached
        return cached

    @cached_property
    def _automata(self) -> dict[tuple[str, ...], Automaton]:
        return {}

    def vosk_phrases(self, known_words: Callable[[str], bool] | None = None) -> list[str]:
        """Phrases for vosk grammar mode, ending with "[unk]".

        ``known_words`` tells whether the model's vocabulary has a word; missing ones are
        respelled ("deadlift" -> "dead lift") or their phrases dropped, with a warning.
        """
        return respell_for(self._vosk_sentences, known_words, self.commands.respell)

    @cached_property
    def _vosk_sentences(self) -> list[tuple[str, ...]]:
        extra = (self.commands.lead, self.commands.tail, self.commands.request)
        return compile_phrases((s.template for s in self.commands.sentences), extra,
                               self._rules, self.slot_lists)

    def respellings(self) -> Mapping[str, str]:
        """Grammar word -> known words a recogniser may use for it; parse() accepts both."""
        return self.commands.respell

    def help_lines(self) -> list[str]:
        """One spoken line per intent, in INTENT_NAMES order."""
        return [self.commands.help[name] for name in INTENT_NAMES]


def exercise_slot_list(exercise_names: Mapping[str, Sequence[str]]) -> SlotList:
    """Spoken name -> exercise id; raises ValueError on bad or shared names."""
    values: dict[tuple[str, ...], str] = {}
    for exercise_id, names in exercise_names.items():
        if isinstance(names, str):  # a lone string is a Sequence too: its letters
            raise TypeError(f"{exercise_id}: spoken names must be a list of strings")
        for name in names:
            if not _SPOKEN_NAME.fullmatch(name):
                raise ValueError(f"{exercise_id}: spoken name {name!r} is not lower case words")
            words = tuple(name.split())
            if values.get(words, exercise_id) != exercise_id:
                raise ValueError(f"{name!r} names both {values[words]} and {exercise_id}")
            values[words] = exercise_id
    return values


def build_grammar(
    exercise_names: Mapping[str, Sequence[str]], commands: CommandSet | None = None
) -> Grammar:
    """The grammar for these exercises (id -> spoken names, lower case words)."""
    commands = load_commands() if commands is None else commands
    slot_lists = {**commands.slot_lists, EXERCISE_SLOT: exercise_slot_list(exercise_names)}
    return Grammar(commands, MappingProxyType(slot_lists))


def load_default_grammar() -> Grammar:
    """The grammar for the packaged exercise library (assistant/exercises.toml)."""
    from assistant.exercises import load_library  # assistant depends on intents, not back

    return build_grammar({e.id: e.spoken_names for e in load_library().values()})
