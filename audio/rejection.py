"""Turning a recogniser's words into a command, or into nothing: the rejection levers.

Measured on Speech Commands clips: a closed grammar alone names ~90% of non-command words a
command. What is used here, in order:
1. garbage words: common English words compete with the commands inside the decoder
   (GARBAGE_WORDS, added as "gb_<word>"); a hypothesis with any of them is rejected;
2. the text must be exactly a sentence of the grammar (Grammar.parse), not a fragment;
3. a confidence floor: pocketsphinx compares the grammar path with a free phone loop over the
   same audio, vosk reports word confidences;
4. while the unit speaks (muted), only the short ways to stop or pause pass (commands.toml's
   interrupt), at a stricter floor, and not one whose first word the unit itself just said.
The endpointer (speech-like energy + webrtc VAD) keeps steady noise from being decoded at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from intents import Intent


class Parser(Protocol):
    """What rejection needs of a grammar (intents.Grammar is one)."""

    def parse(self, text: str, expecting: str | None = None) -> Intent | None: ...

    def interrupts(self, text: str) -> bool: ...

    def split_wrap(self, text: str) -> tuple[str, str, str]: ...


GARBAGE_PREFIX = "gb_"
"""Dictionary prefix that marks a garbage word inside the pocketsphinx grammar."""

# Short common English words, including the bare non-commands the issue names (up, down, left,
# right, on, off). Words that are part of the command grammar are dropped at load time, and
# near-homophones of commands (know/no, still/stop, oh/go) are left out: they steal real commands.
GARBAGE_WORDS: tuple[str, ...] = tuple("""
a about after again all also am an and any are as ask at away baby back bad be because bed
been before being best better big bird black blue boat book both box boy bring but buy by
call came can car cat chair change city cold come could cup cut dad day did dinner dog doing
done door down draw drink drive each eat egg eight else end even ever every eye face fall
far farm fast feel few find fine first fish five fly food for found four free friend from
fun game gave get girl give glad gold good got great green grow had hair half hand happy
hard has hat have he head hear hello her here hi high him his hit home hope hot house how
huh i if in into is it its job jump just keep kid kind king lake last late later left let
light like line list little live long look lost lot love low lunch made make man many marvin
may me mean men might milk mine miss mom money more morning most mother move much music must
my name near need never new nice night nine no nose number of off oil okay old on once one
only open or other our out over own paper park part party people phone pick place play
please pretty put rain ran read real red right ring road rock room run said same sat saw say
school sea see seven she sheila ship shoe shop should show sick side sing sit six sleep so
some song soon sorry sound such sun sure table take talk tea tell ten than thank that the
their them then there these they thing think this those three time to today told too took
town tree try turn two under until up us use very wait walk wall want warm was watch water
way we well went were what when where which while white who why will win window with woman
word work world would wow write year yellow yes you young your zero
""".split())  # noqa: SIM905 - a word list reads better as text

MAX_INFLECTION = 3
"""Letters an ending may add to a word the unit said ("stop" -> "stopped")."""

OWN_WORDS = "the unit itself was saying that"
"""Why an interrupt heard while the unit spoke a line with its word in it is not obeyed."""

UNKNOWN = "[unk]"
"""vosk's out-of-vocabulary token in grammar mode."""

OWN_ECHO = "the echo canceller took nearly all of it away: the unit's own voice"
"""Why an interrupt heard while the unit spoke, made of what is left of its voice, is not
obeyed."""

EARLY_INTENTS = frozenset({"stop", "pause"})
"""Intents acted on after a short pause, before the endpointer's full hangover."""
NOT_A_COMMAND = "not a command"
"""Why words that are no sentence of the grammar (or have a garbage word) are not obeyed."""
MUTED = "the unit was speaking: only a plain stop or pause is obeyed then"
"""Why any other command heard while the unit spoke is not obeyed."""


@dataclass(frozen=True)
class RejectionSettings:
    """Floors a recognised command must clear."""

    min_confidence: float = 0.5
    """Confidence (0-1) below which a command is dropped."""
    muted_min_confidence: float = 0.7
    """Stricter floor (0-1) while the unit is speaking (only a plain stop or pause passes then)."""
    min_speech_s: float = 0.15
    """Segments with less voiced audio than this (seconds) are clanks or breaths, not words."""
    min_kept_db: float = -15.0
    """An interrupt heard while the unit spoke must keep at least this much (dB) of the
    microphone through the echo canceller's linear filter: the unit's voice alone kept -21 to
    -23 dB in the simulated room, a person saying "hold on" over a line -6 dB (level with it)
    or -13 dB (10 dB under it): their voice is not cancelled."""
    own_speech_margin_s: float = 1.0
    """Lines the unit said up to this long (seconds) before a segment began still count as
    heard in it: output and input buffers and decoding put the two clocks that far apart."""


def is_garbage(text: str) -> bool:
    """True if the decoder preferred a garbage word anywhere in ``text``."""
    return any(word.startswith(GARBAGE_PREFIX) or word == UNKNOWN for word in text.split())


def judge(
    text: str,
    confidence: float | None,
    grammar: Parser,
    settings: RejectionSettings,
    *,
    muted: bool = False,
    expecting: str | None = None,
) -> tuple[Intent | None, str]:
    """(the command in ``text``, "") if every lever lets it through, else (None, why not);
    (None, "") when there are no words."""
    if not text:
        return None, ""
    if is_garbage(text):
        return None, NOT_A_COMMAND
    intent = grammar.parse(text, expecting=expecting)
    if intent is None:
        return None, NOT_A_COMMAND
    floor = settings.muted_min_confidence if muted else settings.min_confidence
    if confidence is not None and confidence < floor:
        return None, f"confidence {confidence:.2f} under {floor:g}"
    if muted and not grammar.interrupts(text):
        return None, MUTED
    return Intent(intent.name, dict(intent.slots), confidence, intent.text), ""


def said_by_unit(command: str, said: Iterable[str]) -> bool:
    """Whether the unit ``said`` the word ``command`` starts with (an interrupt's verb: stop,
    pause, hold, wait), perhaps inflected ("stop" in "stopped short", "pause" in "Paused.").
    Only that word: the rest is what the search made of the line ("Pause and feel the
    stretch" was heard as "pause that")."""
    first = command.split()[:1]
    return bool(first) and any(_inflects(word, first[0]) for line in said
                               for word in re.findall(r"[a-z']+", line.lower()))


def _inflects(word: str, stem: str) -> bool:
    return word.startswith(stem) and len(word) - len(stem) <= MAX_INFLECTION
