"""Checking a grammar result against free decodes: does what was heard sound like the command?

A closed grammar maps chatter onto the nearest command ("can you pass me the water bottle" ->
"can you speak louder"). pocketsphinx's own en-us language model, free to hear any words, hears
the chatter instead. The command and what was heard are compared as phone strings, where a
phone swapped for one of its own kind (a vowel for a vowel, a stop for a stop) costs half: a
free decode that spells a command differently ("say that again" -> "saying that end up")
still agrees, while a sentence of other words does not.

Two free hearings are used: the phone loop the engine already decodes for its confidence, and
the language-model decode. A clear match in the phone loop settles it, so the language model
runs only when that is unsure; then the mean of the two mismatches decides. On bench/voice.py
(CMU and espeak-ng voices, clean to 5 dB, with and without noise suppression) this kept 376 of
432 correctly decoded long commands against 338 for the language model alone, and let through
1 of 68 chatter and word segments the grammar had turned into commands, against 2.

Phones blur a command misheard in noise ("give me a tip" -> "yeah needs and") with talk the
grammar bent into a command ("turn left at the lights" -> "turn that up a little"). What
tells them apart is the fit: both word strings are force-aligned to the audio, and the
command's score per frame is compared with the free decode's words. A command said fits about
as well as what the free decode made of it; bent talk fits far worse than its own words.
So a command that fits at least as well is allowed a looser mismatch, and one far behind is
refused however close the phones (measured on bench/voice.py's segments: median fit +1.3 for
right commands the phones alone rejected, -14.5 for the chatter and wrong commands).
Everyday talk comes closer: "it's getting late" heard as "let's get to work" is half its
phones away and fits 7.8 worse. A command 6 or more behind must match more closely (0.35).

Short commands are checked against the phone loop first, loosely: the free decode mishears
single words ("pause" -> "wallace"). What they catch is noise: RNNoise's leftovers of loud gym
noise ran as one 5 s segment that the grammar named "move on", while the phone loop heard a
single phone in it. Of 521 short commands decoded right, 518 pass; every such noise false
accept measured fails. The phone loop must also hear a phone a second: another 5 s of such
noise, named "move on" too, held two phones, enough for the command's five. Where the
phone loop heard them poorly, they are decoded freely too, and refused if the free decode's
words fit clearly better ("how's it going" as "resume it": 27.7 behind).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pocketsphinx

LOG_BASE = math.log(1.0001)
"""pocketsphinx scores are logarithms in base 1.0001."""


@dataclass(frozen=True)
class TranscriptCheckSettings:
    """When a grammar result must agree with the free decode of the same audio."""

    enabled: bool = True
    """Run the check at all (costs one language-model decode per long command heard)."""
    max_mismatch: float = 0.55
    """Largest mean mismatch of the two free hearings (phone edit distance as a fraction of
    the command's phones) that still agrees."""
    fitting_max_mismatch: float = 0.65
    """Largest mean mismatch that still agrees when the command fits the audio at least as
    well as the free decode's own words do (a forced alignment of each)."""
    max_fit_deficit: float = 10.0
    """A command whose alignment scores this much worse per frame (log 1.0001 units) than the
    free decode's words is not what was said, however close the phones."""
    lagging_fit_deficit: float = 6.0
    """A command that fits this much worse than the free decode's words (but not
    max_fit_deficit) must match them closely: lagging_max_mismatch."""
    lagging_max_mismatch: float = 0.35
    """Largest mean mismatch that still agrees when the command fits lagging_fit_deficit or
    more behind the free decode's words."""
    fluent_fit_deficit: float = 2.0
    """A command that fits this much worse than the free decode's words must match them as
    closely as a lagging one if those words are fluent English (fluent_lm_score): "did you
    bring a towel", heard so, was "could you turn it down" to the grammar, 4.1 behind."""
    fluent_lm_score: float = -40_000.0
    """Mean language-model score per word (log 1.0001 units: about 1 in 55) above which the
    free decode's words are fluent, what a person would say, not the guesses of a decoder
    lost in a voice or noise ("duke's layover ranks" for "do twelve reps": -108,000)."""
    min_phones: int = 8
    """Commands with fewer phones than this are not checked (single words, "hold on")."""
    sure_match: float = 0.4
    """A phone-loop mismatch this low agrees without the language-model decode."""
    short_max_mismatch: float = 1.0
    """Largest phone-loop mismatch a short command may have."""
    short_free_mismatch: float = 0.5
    """A short command whose phone-loop mismatch is above this is decoded freely too: refused
    if other words the free decode heard fit the audio lagging_fit_deficit better, or
    max_fit_deficit when heard again (talk: "how's it going" as "resume it", "call me later"
    as "go go go")."""
    min_heard_ratio: float = 0.3
    """A short command needs the phone loop to have heard at least this many phones per
    phone of the command: fewer, and there was hardly any speech in the segment."""
    min_heard_per_s: float = 1.0
    """Nor fewer than this many phones per second of the segment: the grammar named 5 s of
    gym noise, as noise suppression left it, "move on", in which the phone loop heard 2 phones
    (speech gives about ten a second; the sparsest right command measured gave 1.35)."""
    beam: float = 1e-35
    """Beam of the free decode; narrower is faster."""
    max_hmms_per_frame: int = 3000
    """Cap on active HMMs per frame in the free decode (pocketsphinx -maxhmmpf): bounds its CPU."""
    rescue_max_s: float = 2.0
    """A segment at most this long (seconds) that the grammar did not make a command of is
    decoded freely too, and that hearing is obeyed if it is a command: the language model knows
    people say "yes" more often than "use" or "did". 0 turns this off."""

    def validate(self) -> None:
        """Raise ValueError for settings that cannot work."""
        for name in ("max_mismatch", "fitting_max_mismatch", "max_fit_deficit",
                     "lagging_fit_deficit", "lagging_max_mismatch", "fluent_fit_deficit",
                     "sure_match", "short_max_mismatch", "short_free_mismatch",
                     "min_heard_ratio", "min_heard_per_s", "rescue_max_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} = {getattr(self, name)}: must be 0 or more")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    heard: str
    """What the free decode heard; "" when the phone loop settled it."""
    mismatch: float
    """Phone edit distance over the command's phone count (0 = same sounds): the phone loop's
    when that settled it, else the mean of both hearings'."""
    agrees: bool
    """The command is what was said: mismatch within the settings' limit (the looser one
    when the command fits the audio as well as the free decode's words)."""


PHONE_CLASSES = {phone: kind for kind, phones in {
    "vowel": "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW",
    "stop": "B D G K P T", "fricative": "DH TH F V S Z SH ZH HH", "affricate": "CH JH",
    "nasal": "M N NG", "approximant": "L R W Y"}.items() for phone in phones.split()}
"""Broad phone classes of the CMU phone set: a swap within a class costs half."""


def phone_mismatch(expected: list[str], heard: list[str]) -> float:
    """Edit distance between two phone lists, over len(expected); substituting a phone of the
    same broad class costs 0.5, anything else 1."""
    row = [float(j) for j in range(len(heard) + 1)]
    for i, want in enumerate(expected, 1):
        diagonal, row[0] = row[0], float(i)
        for j, got in enumerate(heard, 1):
            swap = 0.0 if want == got else (
                0.5 if PHONE_CLASSES.get(want, want) == PHONE_CLASSES.get(got, got) else 1.0)
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + swap)
    return row[-1] / max(1, len(expected))


def path_score(hyp: pocketsphinx.Hypothesis | None) -> float | None:
    """A decoder's best path's score (log 1.0001 units), None if there is none."""
    return math.log(hyp.score) / LOG_BASE if hyp is not None and hyp.score > 0 else None


class TranscriptCheck:
    """A free (language-model) decoder over the same acoustic model as the grammar."""

    def __init__(self, model_dir: Path, settings: TranscriptCheckSettings | None = None,
                 words: dict[str, str] | None = None,
                 split_wrap: Callable[[str], tuple[str, str, str]] = lambda t: ("", t, "")
                 ) -> None:
        """``words``: pronunciations (word -> phones) of command words the bundled dictionary
        lacks, so that commands can be aligned, and our alternates ("pause(2)").
        ``split_wrap`` parts the words said around a command from it (intents.Grammar's)."""
        self.settings = s = settings or TranscriptCheckSettings()
        self.split_wrap = split_wrap
        self.decoder = pocketsphinx.Decoder(hmm=str(model_dir), loglevel="FATAL",
                                            beam=s.beam, pbeam=s.beam, wbeam=s.beam * 1e5,
                                            maxhmmpf=s.max_hmms_per_frame, fwdflat=False)
        extra = {w: p for w, p in (words or {}).items() if self.decoder.lookup_word(w) is None}
        for i, (word, phones) in enumerate(extra.items()):
            self.decoder.add_word(word, phones, update=i == len(extra) - 1)
        self._lm = self.decoder.get_lm()  # with those words

    def check(self, text: str, pcm: bytes, loop_phones: list[str] | None = None) -> Verdict:
        """Compare the command ``text`` with a free decode of ``pcm`` (16 kHz int16) and with
        ``loop_phones``, a phone loop's hearing of the same audio, which may settle it."""
        s, phones = self.settings, self.phones(text)
        loop = None if loop_phones is None else phone_mismatch(phones, loop_phones)
        if loop is not None and loop <= s.sure_match:
            return Verdict("", loop, True)
        heard = self.hear(pcm)
        mismatch = phone_mismatch(*(self.phones(t) for t in self._unwrapped(text, heard)))
        if loop is not None:
            mismatch = (mismatch + loop) / 2
        if mismatch > max(s.max_mismatch, s.fitting_max_mismatch):
            return Verdict(heard, mismatch, False)
        # Phones alone blur "turn that up a little" and "turn left at the lights"; how well
        # each set of words fits the audio tells a command misheard by the free decode
        # ("give me a tip" -> "yeah needs and") from talk the grammar bent into a command.
        fit = self.fit(text, heard, pcm)
        if fit is not None and fit < -s.max_fit_deficit:
            return Verdict(heard, mismatch, False)
        return Verdict(heard, mismatch, mismatch <= self._mismatch_limit(fit, heard))

    def _mismatch_limit(self, fit: float | None, heard: str) -> float:
        """How far the phones may differ, given how well the command fits against the free
        decode's words: everyday talk the grammar bent into a command ("where are we going" ->
        "where are we coach", "i'll be right back" -> "i'll do one set") is a few phones away
        yet fits clearly worse than its own words; a little worse is enough when those words
        are fluent English."""
        s = self.settings
        if fit is None:
            return s.max_mismatch
        if fit >= 0:
            return s.fitting_max_mismatch
        lagging = fit <= -s.lagging_fit_deficit or (
            fit <= -s.fluent_fit_deficit and self.fluency(heard) > s.fluent_lm_score)
        return s.lagging_max_mismatch if lagging else s.max_mismatch

    def fluency(self, text: str) -> float:
        """The language model's mean score per word of ``text`` as a sentence (log 1.0001
        units; -inf for no words): talk heard right scores far higher than the words a
        decoder guesses for a voice it hears poorly."""
        words = ["<s>", *text.split(), "</s>"]
        if len(words) == 2:
            return -math.inf
        # NGramModel.prob takes the word first, then its history, latest first.
        return sum(self._lm.prob([words[i], *words[max(0, i - 2):i][::-1]])
                   for i in range(1, len(words))) / (len(words) - 1)

    def _unwrapped(self, text: str, heard: str) -> tuple[str, str]:
        """``text`` and ``heard`` without the lead (tail) words both have: "okay" or "please"
        in both hid talk bent into a command ("please pass me the water bottle" -> "please
        cancel the workout coach"), while one heard in only one of them is a difference."""
        ours, theirs = self.split_wrap(text), self.split_wrap(heard)
        lead_shared, tail_shared = bool(ours[0] and theirs[0]), bool(ours[2] and theirs[2])

        def kept(lead: str, command: str, tail: str) -> str:
            parts = ("" if lead_shared else lead, command, "" if tail_shared else tail)
            return " ".join(part for part in parts if part)

        return kept(*ours), kept(*theirs)

    def fit(self, text: str, heard: str, pcm: bytes) -> float | None:
        """Per frame, how much better ``text`` than ``heard`` aligns to ``pcm`` (log 1.0001
        units; negative: the heard words fit better); None if either cannot be aligned."""
        # Whole-segment decodes normalise by the segment's own cepstral mean, so aligning
        # leaves later free decodes as they were (2,720 bench items identical either way).
        scores = [self._alignment_score(words, pcm) for words in (text, heard)]
        frames = self.decoder.n_frames()
        self.decoder.activate_search("_default")
        if None in scores or frames <= 0:
            return None
        return (scores[0] - scores[1]) / frames

    def _alignment_score(self, text: str, pcm: bytes) -> float | None:
        if not text.strip():
            return None
        try:
            self.decoder.set_align_text(text)
        except RuntimeError:  # a word without a pronunciation
            return None
        return path_score(self._decode(pcm))

    def hear(self, pcm: bytes) -> str:
        """What the free decoder hears in ``pcm`` (16 kHz int16)."""
        hyp = self._decode(pcm)
        return hyp.hypstr if hyp else ""

    def _decode(self, pcm: bytes) -> pocketsphinx.Hypothesis | None:
        """``pcm`` as one utterance, by the active search (free, or an alignment)."""
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        return self.decoder.hyp()

    def check_short(self, phones: list[str], loop_phones: list[str], seconds: float) -> Verdict:
        """A command too short for the language model, against the phone loop's hearing of a
        segment ``seconds`` long."""
        s = self.settings
        mismatch = phone_mismatch(phones, loop_phones)
        enough = len(loop_phones) >= max(s.min_heard_ratio * len(phones),
                                         s.min_heard_per_s * seconds)
        return Verdict("", mismatch, enough and mismatch <= s.short_max_mismatch)

    def phones(self, text: str) -> list[str]:
        """The free decoder's pronunciation of ``text`` (words it lacks add nothing)."""
        return [p for word in text.split() for p in (self.decoder.lookup_word(word) or "").split()]
