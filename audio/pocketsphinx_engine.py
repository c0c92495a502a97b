"""pocketsphinx with its bundled US-English model: the grammar's automaton plus garbage words.

Confidence is a likelihood ratio: the grammar path's score against a free phone loop
(allphone search) over the same audio, per voiced frame, squashed to 0-1. A real command
scores close to the phone loop; a word forced onto the grammar scores far below it.
Long commands are also checked against a free language-model decode (transcript_check).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pocketsphinx

from intents import EXPECTING, Grammar
from intents.pronounce import (
    bundled_dictionary_path,
    parse_dictionary,
    pocketsphinx_dictionary_additions,
)

from .rejection import GARBAGE_PREFIX, GARBAGE_WORDS
from .transcript_check import TranscriptCheck, TranscriptCheckSettings, path_score

NAME = "pocketsphinx"
DITHER_SEED = 1
"""pocketsphinx's dither is random unless seeded: the same audio must decode the same way
(measured: flite's "stop" heard as "jump" in 2 of 10 unseeded runs)."""
FRAME_SAMPLES = 160
"""pocketsphinx frames are 10 ms: 160 samples at 16 kHz."""
WIDE = "wide"
"""The plain decoder's search with garbage words and wider beams."""
DISAGREES = "did not sound like that to a free decode"
NOT_REHEARD = "a long command is not heard again"
OTHER_TALK = "other words fit it better in a free decode"
STRETCHED_AGAIN = "heard again as a command far longer than the words first heard"
_NOT_PHONES = frozenset({"+NSN+", "+SPN+", "(NULL)"})  # phone-loop fillers, not phones


@dataclass(frozen=True)
class PocketsphinxSettings:
    """How the pocketsphinx engine is built."""

    model_dir: str | None = None
    """Acoustic model directory; None is the bundled en-us model."""
    garbage_weight: float = 0.01
    """Probability mass (0-1) on the garbage branch versus the commands at the start."""
    garbage_loop: float = 0.0
    """Probability (0-1) that a garbage word is followed by another one."""
    lr_mid: float = -25.0
    """Per-frame score ratio (grammar - phone loop, log 1.0001 units) that maps to 0.5."""
    lr_scale: float = 10.0
    """Spread of that mapping, same units: larger is a softer confidence."""
    heard_wrap: bool = True
    """Decode commands with the lead and tail words commands.toml marks as heard ("okay",
    "please", "coach"): without them "okay stop" or "alright let's go" was mostly lost (18 of
    90 such phrasings from CMU voices understood, 81 with them). False: bare commands only."""
    comfort_noise_dbfs: float | None = -65.0
    """Add white noise at this RMS level (dB full scale) before decoding; None: off. Digitally
    silent or very clean input (rendered speech, a gated mic) wrecks pocketsphinx's features:
    measured 20% accuracy on clean espeak-ng vs 74% with noise at 20 dB SNR."""
    initial_mean_c0: float = 46.0
    """Loudness term (c0) of the cepstral mean a new decoder starts from, before it has heard
    anyone (pocketsphinx -cmninit; the model's own is 40). 46 is where the mean settles on
    rendered CMU voices at the standard level (speech peaking near -20 dBFS). Run once per
    file on 300 real people's clips, the CLI took 10 of 260 other words for commands from 40,
    7 from 46 (docs/voice.md, "Order matters")."""
    verify: bool = True
    """Run the phone-loop verification (a second, cheap decode of each segment)."""
    beam: float = 1e-40
    """Search beam (pocketsphinx -beam/-pbeam); narrower is faster, default 1e-48 is slow.
    At 1e-35 about one segment in fifteen ended with no path to the end of a sentence ("I'm
    done" decoded as nothing); 1e-40 with the word beam below, per item on both bench noise
    mixes: CMU voices +11 of 1,200 decisions, espeak-ng +15 of 800, false accepts on single
    words 24 -> 24 of 432, CPU +25% (docs/voice.md)."""
    word_beam: float = 1e-30
    """Word-exit beam (pocketsphinx -wbeam)."""
    wide_beam: float | None = 1e-60
    """A segment whose search reached no sentence's end is searched again with this beam."""
    wide_word_beam: float = 1e-50
    """Word-exit beam of that second search."""
    max_clipped_frames: int = 12
    """A last word this short (10 ms frames) that keeps a sentence from parsing is dropped:
    the search made it out of the closing pause ("turn it up a": "a" in 50 ms, "stop the": "the"
    in 80 ms) or of a final release (espeak-ng's "hold on", "slow down": "a" in 90-100 ms).
    8 -> 12, per item on the bench: 7 commands more, none fewer, no false accept more."""
    max_frames_per_phone: float = 40
    """A word lasting longer than this many 10 ms frames per phone (and than
    min_stretched_word_s) is noise the search stretched a word over (gym noise held as
    "advice" for 2.6 s); the slowest spoken word measured took 32."""
    min_stretched_word_s: float = 1.2
    """No word shorter than this (seconds) counts as stretched: a drawn-out "nooo" is a word."""
    rehear_max_extra_phones: int = 2
    """Heard again without garbage words, a segment may come out at most this many phones
    longer than its first hearing: a real person's "dog", a garbage word, was heard again as
    "talk louder", while the commands garbage words had taken came back at most 2 longer
    ("turn it" -> "turn it up")."""
    silence_prob: float = 0.1
    """Probability of silence between words (pocketsphinx -silprob, its default 0.005): higher
    keeps the decoder from inventing a trailing word ("resume the") out of the closing pause."""
    transcript_check: TranscriptCheckSettings = field(default_factory=TranscriptCheckSettings)
    """Long commands must sound like what a free language-model decode heard."""

    def validate(self) -> None:
        """Raise ValueError for settings that cannot work."""
        for name in ("garbage_weight", "garbage_loop", "silence_prob"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} = {getattr(self, name)}: must be 0 to below 1")
        if self.max_frames_per_phone <= 0:  # every word would be "stretched": nothing obeyed
            raise ValueError(f"max_frames_per_phone = {self.max_frames_per_phone}: "
                             "must be above 0")
        if self.wide_beam is not None and not 0 < self.wide_beam <= self.beam:
            raise ValueError(f"wide_beam = {self.wide_beam:g}: must be above 0 and at most "
                             f"beam ({self.beam:g}): smaller is wider")


@dataclass(frozen=True)
class PhoneLoop:
    """What the free phone loop heard in a segment."""

    score: float | None
    """Its path score (log 1.0001 units), None if it found no path."""
    voiced_frames: int
    """Frames it heard as phones or noise, not silence."""
    phones: list[str]
    """The phones it heard, in order."""


@dataclass(frozen=True)
class WordSpan:
    """Where one heard word lies in its segment."""

    word: str
    """The word as the grammar spells it (no alternate-pronunciation mark)."""
    start_s: float
    """Where it starts, seconds from the start of the segment."""
    end_s: float
    """Where it ends, seconds from the start of the segment."""


@dataclass(frozen=True)
class EngineResult:
    """What an engine heard in one segment."""

    text: str
    """Words, garbage words included (gb_...)."""
    confidence: float | None
    """0-1, None if the engine gives none."""
    doubt: str = ""
    """Why this was not the command although the grammar says so ("did not sound like that to
    a free decode"); "" if nothing speaks against it. A doubted result is never obeyed."""
    words: tuple[WordSpan, ...] = ()
    """The words of the search that heard ``text``, with where they lie; () if the engine
    does not say (vosk) or ``text`` came from a free decode."""


def _score(decoder: pocketsphinx.Decoder) -> tuple[str, float | None]:
    hyp = decoder.hyp()
    return (hyp.hypstr if hyp else ""), path_score(hyp)


def _word_segments(decoder: pocketsphinx.Decoder) -> list[pocketsphinx.Segment]:
    """The best path's words, without silences, fillers and null arcs."""
    return [seg for seg in decoder.seg() or []
            if not seg.word.startswith(("<", "[", "+")) and seg.word != "(NULL)"]


def _phone_count(decoder: pocketsphinx.Decoder, words: Iterable[str] | None = None) -> int:
    """Phones in ``words`` as ``decoder`` says them; by default the best path's words."""
    if words is None:
        words = (seg.word for seg in _word_segments(decoder))
    return sum(len((decoder.lookup_word(word) or "").split()) for word in words)


def _seconds(pcm: bytes) -> float:
    """Duration of 16 kHz int16 audio."""
    return len(pcm) / (2 * FRAME_SAMPLES * 100)


def _decoded(grammar: Grammar, heard_wrap: bool) -> Grammar:
    """The commands as decoded: with only the heard lead and tail words, or none."""
    from intents.template import EMPTY

    commands = grammar.commands
    lead, tail, request = ((commands.heard_lead, commands.heard_tail, commands.request)
                           if heard_wrap else (EMPTY, EMPTY, EMPTY))
    return replace(grammar, commands=replace(commands, lead=lead, tail=tail, request=request))


class PocketsphinxEngine:
    """Grammar decoder + phone-loop verifier for one segment at a time."""

    name = NAME

    def __init__(self, grammar: Grammar, settings: PocketsphinxSettings | None = None) -> None:
        self.settings = s = settings or PocketsphinxSettings()
        model = Path(s.model_dir or Path(pocketsphinx.get_model_path()) / "en-us" / "en-us")
        cmu = parse_dictionary(bundled_dictionary_path().read_text(encoding="utf-8"))
        additions = dict(pocketsphinx_dictionary_additions(grammar))
        # A garbage word may be a grammar word ("left", "up") as long as it is not a whole
        # command by itself: then a bare "left" has a better path than "how many left".
        garbage = [w for w in GARBAGE_WORDS if w in cmu and grammar.parse(w) is None]
        words = {**additions, **{GARBAGE_PREFIX + w: cmu[w] for w in garbage}}
        self.decoder = self._decoder(model, words, dither=True)
        self.grammar = grammar  # with every lead/tail word: the free decode may hear any
        decoded = _decoded(grammar, s.heard_wrap)
        self.decoder.add_fsg("commands", self._fsg(self.decoder, decoded, garbage))
        self.decoder.activate_search("commands")
        # The same search without the garbage words, for rehear(), and with them but wider
        # beams, for a segment whose first search reached no sentence's end.
        self.plain = self._decoder(model, words, dither=False)
        self.plain.add_fsg("commands", self._fsg(self.plain, decoded, []))
        if s.wide_beam is not None:
            # A search's beams are read from the configuration when it is made.
            config = self.plain.config
            config["beam"] = config["pbeam"] = s.wide_beam
            config["wbeam"] = s.wide_word_beam
            self.plain.add_fsg(WIDE, self._fsg(self.plain, decoded, garbage))
            config["beam"], config["pbeam"], config["wbeam"] = s.beam, s.beam, s.word_beam
        self.plain.activate_search("commands")
        self.verifier: pocketsphinx.Decoder | None = None
        if s.verify:
            phone_lm = Path(pocketsphinx.get_model_path()) / "en-us" / "en-us-phone.lm.bin"
            self.verifier = pocketsphinx.Decoder(hmm=str(model), lm=None, allphone=str(phone_lm),
                                                 loglevel="FATAL")
        self.transcript_check = (TranscriptCheck(model, s.transcript_check, additions,
                                                 grammar.split_wrap)
                                 if s.transcript_check.enabled else None)
        self._audio: list[bytes] = []
        self._unfinished = ""  # the search's words before it ended
        self._narrow: dict[tuple[str, ...], str] = {}  # phrases -> the plain decoder's search
        self._loop: PhoneLoop | None = None  # the phone loop's hearing of this segment
        self._rng = np.random.default_rng(0)  # deterministic comfort noise

    def _decoder(self, model: Path, words: dict[str, str], dither: bool) -> pocketsphinx.Decoder:
        """A grammar decoder, as tuned in the settings, that knows ``words`` (word -> phones).
        pocketsphinx's dither draws from one generator per process: a second dithered
        decoder would change what the first hears next."""
        s = self.settings
        decoder = pocketsphinx.Decoder(hmm=str(model), lm=None, loglevel="FATAL", beam=s.beam,
                                       pbeam=s.beam, wbeam=s.word_beam, silprob=s.silence_prob,
                                       dither=dither, seed=DITHER_SEED,
                                       cmninit=f"{s.initial_mean_c0:g},3,-1")  # c1, c2 the model's
        for i, (word, phones) in enumerate(words.items()):
            decoder.add_word(word, phones, update=i == len(words) - 1)
        return decoder

    def _fsg(self, decoder: pocketsphinx.Decoder, grammar: Grammar,
             garbage: list[str]) -> pocketsphinx.FsgModel:
        """The grammar's automaton with a garbage-word loop (if any) as a rival branch from
        the start."""
        s = self.settings
        automaton = grammar.automaton()
        if not garbage:
            return decoder.create_fsg("commands", automaton.start, automaton.final,
                                      list(automaton.transitions()))
        arcs = [(a, b, p * (1 - s.garbage_weight), *w) if a == automaton.start else (a, b, p, *w)
                for a, b, p, *w in automaton.transitions()]
        loop = 1 + max(max(a, b) for a, b, *_ in arcs)
        each = s.garbage_weight / len(garbage)
        for word in garbage:
            arcs.append((automaton.start, loop, each, GARBAGE_PREFIX + word))
            if s.garbage_loop > 0:
                arcs.append((loop, loop, s.garbage_loop / len(garbage), GARBAGE_PREFIX + word))
        arcs.append((loop, automaton.final, 1 - s.garbage_loop))
        return decoder.create_fsg("commands", automaton.start, automaton.final, arcs)

    def begin(self) -> None:
        """Start a segment."""
        self._audio.clear()
        self._loop = None
        self.decoder.start_utt()

    def forget(self) -> None:
        """Hear the next segment as a new engine would: the grammar decoder's running cepstral
        mean follows whoever spoke last, and the dither and comfort noise run on from there."""
        check = self.transcript_check
        for decoder in (self.decoder, self.verifier, check.decoder if check else None):
            if decoder is not None:
                decoder.reinit_feat()
        self._rng = np.random.default_rng(0)

    def feed(self, pcm: bytes) -> None:
        """16 kHz mono int16 bytes of the current segment."""
        level = self.settings.comfort_noise_dbfs
        if level is not None:
            x = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
            x += self._rng.normal(0.0, 32768.0 * 10 ** (level / 20), len(x)).astype(np.float32)
            pcm = np.clip(x, -32768, 32767).astype(np.int16).tobytes()
        self._audio.append(pcm)
        self.decoder.process_raw(pcm, no_search=False, full_utt=False)

    def partial(self) -> str:
        """Best words so far in this segment."""
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp else ""

    def end(self, trailing_silence_s: float = 0.0, loud: bool = False) -> EngineResult:
        """Finish the segment (whose last ``trailing_silence_s`` the endpointer found silent,
        heard through noise suppression if ``loud``): words, a 0-1 confidence, agreement with
        a free decode."""
        # The search's best words so far: if the best path then reaches no sentence's end,
        # they are what rehear() measures its hearing against.
        self._unfinished = self.partial()
        self.decoder.end_utt()
        if self.decoder.hyp() is None and self.settings.wide_beam is not None:
            # Every path that would have finished a sentence was pruned: nothing was heard.
            return self._result(self._decoded_again(WIDE), trailing_silence_s, loud)
        return self._result(self.decoder, trailing_silence_s, loud)

    def _decoded_again(self, search: str) -> pocketsphinx.Decoder:
        """The plain decoder, left with its ``search`` over the segment just ended, heard from
        the initial cepstral mean: no history but this segment."""
        plain = self.plain
        plain.activate_search(search)
        plain.reinit_feat()
        plain.start_utt()
        plain.process_raw(b"".join(self._audio), no_search=False, full_utt=False)
        plain.end_utt()
        return plain

    def rehear(self, trailing_silence_s: float = 0.0, loud: bool = False,
               only: Sequence[str] = ()) -> EngineResult:
        """The segment just ended, decoded again by the grammar without its garbage words (or,
        given ``only``, by a grammar of just those phrases) and checked as end() checks: what
        it would be if it had to be a command."""
        first = _phone_count(self.decoder) or _phone_count(self.decoder, self._unfinished.split())
        plain = self._decoded_again(self._search_of(tuple(only)) if only else "commands")
        result = self._result(plain, trailing_silence_s, loud, rehearing=True)
        if _phone_count(plain) > first + self.settings.rehear_max_extra_phones:
            return replace(result, doubt=STRETCHED_AGAIN)
        return result

    def hear_freely(self) -> str | None:
        """The segment just ended as the language-model decode hears it (None without the
        transcript check)."""
        if self.transcript_check is None:
            return None
        return self.transcript_check.hear(b"".join(self._audio))

    def _search_of(self, phrases: tuple[str, ...]) -> str:
        """The plain decoder's search for just ``phrases`` (made once)."""
        if phrases not in self._narrow:
            name = f"only{len(self._narrow)}"
            arcs, state = [], 2  # 0 start, 1 final
            for phrase in phrases:
                words = phrase.split()
                chain = [0, *range(state, state + len(words) - 1), 1]
                state += len(words) - 1
                arcs += [(a, b, 1.0 / len(phrases) if a == 0 else 1.0, word)
                         for a, b, word in zip(chain[:-1], chain[1:], words, strict=True)]
            self.plain.add_fsg(name, self.plain.create_fsg(name, 0, 1, arcs))
            self._narrow[phrases] = name
        return self._narrow[phrases]

    def _result(self, decoder: pocketsphinx.Decoder, trailing_silence_s: float, loud: bool,
                rehearing: bool = False) -> EngineResult:
        """The finished search of ``decoder`` over the segment, with its confidence and
        checks."""
        heard, score = _score(decoder)
        audio = b"".join(self._audio)
        speech_frames = len(audio) // (2 * FRAME_SAMPLES) - round(trailing_silence_s * 100)
        text = self._without_invented_word(decoder, heard, speech_frames)
        if stretched := self._stretched_word(decoder):
            return EngineResult(text, None, doubt=stretched)
        unrescued = loud or rehearing
        if not text or GARBAGE_PREFIX in text or not self._is_sentence(text):
            return self._no_command(text, audio, score, unrescued)
        confidence = self._confidence(score, audio)
        spans = tuple(WordSpan(seg.word.split("(")[0], seg.start_frame / 100,
                               (seg.end_frame + 1) / 100) for seg in _word_segments(decoder))
        result = self._checked(EngineResult(text, confidence, words=spans), audio, rehearing)
        if result.doubt and text != heard:
            # The dropped word may have been the command's own end (a real person's "yes"
            # heard as "yeah i"): then the segment is what the search heard, a fragment.
            fragment = self._no_command(heard, audio, score, unrescued)
            if fragment.text != heard:
                return fragment
        return result

    def _no_command(self, text: str, audio: bytes, score: float | None,
                    unrescued: bool) -> EngineResult:
        """The grammar made no command of the segment (a garbage word, a fragment): what the
        free decode heard, if it rescues a short command (never if ``unrescued``)."""
        # The phone loop (a fifth of the CPU) runs only if one is rescued. In a loud room the
        # free decode hears short words in what noise suppression leaves ("no" in 5 s of gym
        # noise), so only a quiet room's segments are rescued.
        if not text or unrescued or self.transcript_check is None:
            return EngineResult(text, None)
        return self._rescued(EngineResult(text, None), audio, score)

    def _without_invented_word(self, decoder: pocketsphinx.Decoder, text: str,
                               speech_frames: int) -> str:
        """Drop a last word the search made out of the closing pause, if the rest parses:
        one lying mostly where the endpointer heard silence ("stop for"), or one too short to
        be a word ("turn it up a")."""
        words = _word_segments(decoder)
        if len(words) < 2 or self.grammar.parse(text) is not None:
            return text
        last = words[-1]
        in_silence = last.end_frame - speech_frames > speech_frames - last.start_frame
        if not in_silence and last.end_frame - last.start_frame + 1 > \
                self.settings.max_clipped_frames:
            return text
        shorter = text.rsplit(" ", 1)[0]
        return shorter if self.grammar.parse(shorter) is not None else text

    def _stretched_word(self, decoder: pocketsphinx.Decoder) -> str:
        """Why the best path is noise, not speech: a word held far longer than anyone says it."""
        for seg in _word_segments(decoder):
            phones = (decoder.lookup_word(seg.word) or "").split()
            frames = seg.end_frame - seg.start_frame + 1
            limit = max(self.settings.max_frames_per_phone * len(phones),
                        100 * self.settings.min_stretched_word_s)
            if phones and frames > limit:
                word = seg.word.split("(")[0].removeprefix(GARBAGE_PREFIX)
                return f'"{word}" stretched over {frames / 100:.1f} s'
        return ""

    def _checked(self, result: EngineResult, audio: bytes, rehearing: bool) -> EngineResult:
        """A long command must sound like the free decodes; if not, and the language-model
        decode is itself a command (the grammar search lost its way), that is what was said.
        A short one must sound like the phone loop's hearing, loosely. Heard again, only a
        short one is a result."""
        check, text = self.transcript_check, result.text
        if check is None:
            return result
        loop = self._loop.phones if self._loop else None
        phones = check.phones(text)
        # "okay" before a short command ("okay then" heard as "okay again") is checked whole.
        wrapped = check.split_wrap(text)[1] != text
        if len(phones) < check.settings.min_phones and not wrapped:
            if loop is None:
                return result
            verdict = check.check_short(phones, loop, _seconds(audio))
            if not verdict.agrees:
                return replace(result, doubt=DISAGREES)
            # A lone "stop", "pause" or "wait" is how a person stops the unit: the free decode
            # guesses some rarer word for it ("stop" as "dalton", "still"), not other talk.
            if verdict.mismatch > check.settings.short_free_mismatch \
                    and not (" " not in text and self.grammar.interrupts(text)) \
                    and self._other_talk(text, audio, rehearing):
                return replace(result, doubt=OTHER_TALK)
            return result
        if rehearing:  # the language model is left as end() left it
            return replace(result, doubt=NOT_REHEARD)
        verdict = check.check(text, audio, loop)
        if verdict.agrees:
            return result
        if self.grammar.parse(verdict.heard) is not None:
            return EngineResult(verdict.heard, result.confidence)
        return replace(result, doubt=DISAGREES)

    def _other_talk(self, text: str, audio: bytes, rehearing: bool) -> bool:
        """The free decode heard other words than the short command ``text`` in ``audio``, and
        they fit it clearly better: talk. Not a doubt the word check may overrule: it knows
        commands, and gave "let's go home" to "let's go" 0.99. Heard again, a command is obeyed
        only if the word check vouches for it, so the free decode's words must fit far better,
        max_fit_deficit (espeak-ng's "next" heard again: the free decode's "matt" fit 9.6
        better; "how's it going" heard again as "resume it": 19.8)."""
        check = self.transcript_check
        assert check is not None
        heard = check.hear(audio)
        ours, theirs = self.grammar.parse(text), self.grammar.parse(heard)
        if ours is not None and theirs is not None and ours.name == theirs.name:
            return False  # "yep" heard as "yeah"
        fit = check.fit(text, heard, audio)
        s = check.settings
        return fit is not None and fit <= -(s.max_fit_deficit if rehearing
                                            else s.lagging_fit_deficit)

    def _rescued(self, result: EngineResult, audio: bytes, score: float | None) -> EngineResult:
        """A short segment the grammar made no command of (a garbage word, a fragment) is
        what the free decode heard, if that is a short command the phone loop agrees with;
        its confidence is the grammar path's (``score``) against the phone loop."""
        check = self.transcript_check
        assert check is not None
        seconds = _seconds(audio)
        if seconds > check.settings.rescue_max_s or self.verifier is None or score is None:
            return result
        heard = check.hear(audio)
        if self.grammar.parse(heard) is None:
            return result
        phones = check.phones(heard)
        if len(phones) >= check.settings.min_phones:
            return result
        confidence = self._confidence(score, audio)
        assert self._loop is not None  # _confidence heard it
        if not check.check_short(phones, self._loop.phones, seconds).agrees:
            return result
        return EngineResult(heard, confidence)

    def _is_sentence(self, text: str) -> bool:
        """A command, or an answer to some question ("twelve" when asked how many reps)."""
        return any(self.grammar.parse(text, expecting=q) is not None for q in (None, *EXPECTING))

    def _confidence(self, score: float | None, audio: bytes) -> float | None:
        if self.verifier is None or score is None:
            return None
        if self._loop is None:  # once a segment: rehear() scores against the same hearing
            self.verifier.start_utt()
            self.verifier.process_raw(audio, full_utt=True)
            self.verifier.end_utt()
            _, free = _score(self.verifier)
            segments = [seg for seg in self.verifier.seg() or [] if seg.word != "SIL"]
            self._loop = PhoneLoop(free, sum(seg.end_frame - seg.start_frame + 1
                                             for seg in segments),
                                   [seg.word for seg in segments if seg.word not in _NOT_PHONES])
        free, voiced = self._loop.score, self._loop.voiced_frames
        if free is None or voiced <= 0:
            return None
        ratio = (score - free) / voiced
        s = self.settings
        return 1.0 / (1.0 + math.exp(-(ratio - s.lr_mid) / s.lr_scale))
