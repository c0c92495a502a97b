"""One streaming recogniser: 16 kHz int16 in, a Decision per spoken segment out.

The endpointer finds speech; the engine (pocketsphinx or vosk) decodes only that; rejection
decides whether the words are a command. Stop and pause are decided early, from the partial
result, once a short pause follows them.

>>> from intents import load_default_grammar
>>> rec = make_recognizer(RecognizerSettings(engine="pocketsphinx"), load_default_grammar())
>>> rec.accept(np.zeros(16_000, dtype=np.int16)) is None  # silence decides nothing
True
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from intents import Intent

from .denoise import Denoiser, DenoiseSettings, RnnoiseUnavailable
from .endpoint import FRAME_S, FRAME_SAMPLES, Endpointer, EndpointSettings
from .models import find_vosk_model
from .pocketsphinx_engine import DISAGREES, EngineResult, PocketsphinxSettings, WordSpan
from .rejection import (
    EARLY_INTENTS,
    GARBAGE_PREFIX,
    NOT_A_COMMAND,
    OWN_ECHO,
    OWN_WORDS,
    Parser,
    RejectionSettings,
    judge,
    said_by_unit,
)
from .word_check import WordCheck, WordCheckSettings, WordCheckUnavailable

log = logging.getLogger(__name__)

ENGINES = ("pocketsphinx", "vosk")
"""Engine names accepted in settings and on the command line."""
WORD_DOUBT = "sounded like other words to the word check"
"""Why a short command was refused that the word check did not hear in its segment (the
intent and its probability follow in brackets)."""
REHEARD_AFTER = (NOT_A_COMMAND, DISAGREES, WORD_DOUBT, "")
"""Why a segment was not obeyed that hearing it again may change ("": the search reached no
sentence's end, so there were no words; the word check's doubt: pyttsx3's "speed up" heard as
"speak up", which the word check gave faster 0.99)."""


class Engine(Protocol):
    """A decoder for one segment at a time (see pocketsphinx_engine, vosk_engine)."""

    name: str

    def begin(self) -> None: ...
    def forget(self) -> None:
        """Hear what comes next as a newly made engine would (another file, not more of
        the same room)."""
    def feed(self, pcm: bytes) -> None: ...
    def partial(self) -> str: ...
    def end(self, trailing_silence_s: float = 0.0, loud: bool = False) -> EngineResult:
        """Finish the segment, whose last ``trailing_silence_s`` were silent; ``loud``: it
        was heard through noise suppression."""
    def rehear(self, trailing_silence_s: float = 0.0, loud: bool = False,
               only: Sequence[str] = ()) -> EngineResult | None:
        """The segment just ended, decoded again as if it had to be a command (no garbage
        words; only the phrases ``only``, if given); None if this engine cannot."""
    def hear_freely(self) -> str | None:
        """The segment just ended as a decode free to hear any words hears it; None if this
        engine has none."""


@dataclass(frozen=True)
class Decision:
    """What one spoken segment was judged to be."""

    text: str
    """Recognised words (garbage words shown plainly); "" if nothing was recognised."""
    intent: Intent | None
    """The command, or None if rejected."""
    confidence: float | None
    """0-1 from the engine, None if it gives none."""
    engine: str
    """Engine name: pocketsphinx or vosk."""
    time_s: float
    """Audio time (seconds since the stream began) at which this was decided."""
    speech_end_s: float
    """Audio time of the end of the last voiced frame; time_s - speech_end_s is the latency."""
    early: bool = False
    """Decided from a partial result (stop, pause) before the full hangover."""
    denoised: bool = False
    """Decoded from the noise-suppressed stream (the room was loud)."""
    rejected: str = ""
    """Why the words are not obeyed ("" when they are, or when nothing was heard)."""

    def to_json(self) -> dict[str, object]:
        """The listen --json fields, without the file name."""
        return {"text": self.text, "intent": self.intent.name if self.intent else None,
                "slots": dict(self.intent.slots) if self.intent else {},
                "confidence": None if self.confidence is None else round(self.confidence, 3),
                "engine": self.engine}


@dataclass(frozen=True)
class RecognizerSettings:
    """Which engine, and how quickly and how strictly it decides."""

    engine: str = "auto"
    """pocketsphinx, vosk, or auto: vosk if an English vosk model is found, else pocketsphinx."""
    vosk_model_dir: str | None = None
    """An English vosk model directory (has am/ and conf/); None searches the usual places."""
    early_hangover_s: float = 0.12
    """Silence (seconds) after a partial "stop"/"pause" before acting on it."""
    endpoint: EndpointSettings = field(default_factory=EndpointSettings)
    """Speech start/end detection."""
    denoise: DenoiseSettings = field(default_factory=DenoiseSettings)
    """Noise suppression in a loud room."""
    rejection: RejectionSettings = field(default_factory=RejectionSettings)
    """Confidence floors and the muted rule."""
    pocketsphinx: PocketsphinxSettings = field(default_factory=PocketsphinxSettings)
    """pocketsphinx engine tuning."""
    word_check: WordCheckSettings = field(default_factory=WordCheckSettings)
    """The speech-embedding check of short commands (either engine)."""


def _plain(text: str) -> str:
    return " ".join(w.removeprefix(GARBAGE_PREFIX) for w in text.split())


class Recognizer:
    """Streaming: accept() audio as it comes; a Decision when a segment ends, else None.

    Set ``muted`` while the unit speaks and ``expecting`` to the question just asked (see
    intents.EXPECTING) so bare answers parse. A segment heard while muted at any moment is
    judged as muted: only a plain stop or pause passes, at a stricter floor, and not if
    ``own_speech`` (seconds -> the lines the unit said in that time) has the unit saying it.
    """

    def __init__(self, engine: Engine, grammar: Parser,
                 settings: RecognizerSettings | None = None,
                 denoiser: Denoiser | None = None,
                 word_check: WordCheck | None = None) -> None:
        self.engine = engine
        self.grammar = grammar
        self.settings = settings or RecognizerSettings()
        self.endpointer = Endpointer(self.settings.endpoint)
        self.denoiser = denoiser
        """None: the raw stream is always decoded."""
        self.word_check = word_check
        """None: short commands are not checked by the speech embedding."""
        self.muted = False
        self.own_speech: Callable[[float], Iterable[str]] | None = None
        """What the unit said in the last so many seconds (audio.player.Player.said_within)."""
        self.echo_kept: Callable[[float], float | None] | None = None
        """How much (dB) of the microphone the echo canceller left in the last so many
        seconds while the unit talked (audio.echo_cancel.EchoCanceller.kept_db)."""
        self.expecting: str | None = None
        self._heard_muted = False  # the unit spoke during this segment
        self._segment_start_s = 0.0
        self._streams = 1 if denoiser is None else 2  # raw, then denoised
        self._pending = np.zeros((self._streams, 0), dtype=np.int16)
        self._denoised = False  # this segment is heard in the denoised stream
        self._frames = 0
        self._segment: list[np.ndarray] = []  # the audio decoded in this segment
        self._speech_end_s = 0.0
        self._since_partial = 0

    @property
    def time_s(self) -> float:
        """Audio time consumed so far, in seconds."""
        return self._frames * FRAME_S

    def reset(self) -> None:
        """Drop any segment in progress and pending samples (e.g. after a device restart)."""
        if self.endpointer.in_speech:
            self.engine.end()
        self.endpointer.reset()
        if self.denoiser is not None:
            self.denoiser.reset()
        self._pending = np.zeros((self._streams, 0), dtype=np.int16)

    def restart(self, room: np.ndarray | None = None) -> None:
        """Another recording, unrelated to the last: reset, and forget what was learnt of the
        last one's room and voice too, so that it is heard the same whatever came before.
        ``room``: the recording itself (16 kHz int16), for noise suppression to learn its noise
        from first if it is noisy (RNNoise needs seconds of it, which a unit on the wall has)."""
        self.reset()
        self.endpointer.forget()
        self.engine.forget()
        if self.denoiser is not None:
            self.denoiser.forget()
            if room is not None:
                self.denoiser.learn(room)

    def accept(self, pcm16: bytes | np.ndarray) -> Decision | None:
        """Feed 16 kHz mono int16 audio; returns the first Decision completed in it, if any.

        Feed blocks of at most a few hundred ms so that two segments never end in one call.
        """
        samples = (np.frombuffer(pcm16, dtype=np.int16) if isinstance(pcm16, bytes | bytearray)
                   else np.asarray(pcm16, dtype=np.int16).reshape(-1))
        streams = (samples[None, :] if self.denoiser is None
                   else np.stack(self.denoiser.process(samples)[::-1]))
        data = np.concatenate([self._pending, streams], axis=1)
        n = data.shape[1] // FRAME_SAMPLES
        self._pending = data[:, n * FRAME_SAMPLES:].copy()
        decision = None
        for i in range(n):
            found = self._frame(data[:, i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES])
            decision = decision or found
        return decision

    def final(self) -> Decision | None:
        """End of stream: decide the segment in progress, if any."""
        if self._pending.shape[1]:
            rest = self._pending
            self._pending = np.zeros((self._streams, 0), dtype=np.int16)
            pad = np.zeros((self._streams, FRAME_SAMPLES - rest.shape[1]), dtype=np.int16)
            decision = self._frame(np.concatenate([rest, pad], axis=1))
            if decision:
                return decision
        return self._finish(early=False) if self.endpointer.in_speech else None

    def _frame(self, streams: np.ndarray) -> Decision | None:
        """One 20 ms frame of each stream (raw, and denoised if there is a denoiser)."""
        if not self.endpointer.in_speech:  # a segment is heard in one stream only
            self._denoised = self.denoiser is not None and self.denoiser.noisy
        frame = streams[-1] if self._denoised else streams[0]
        self._frames += 1
        ep = self.endpointer
        was_in_speech = ep.in_speech
        event = ep.push(frame)
        self._heard_muted = self.muted or (was_in_speech and self._heard_muted)
        if event == "start":
            self._segment_start_s = self.time_s
            self.engine.begin()
            self._segment = list(ep.preroll)
            self.engine.feed(np.concatenate(self._segment).tobytes())
            self._speech_end_s = self.time_s
            self._since_partial = 0
            return None
        if not was_in_speech:
            return None
        self.engine.feed(frame.tobytes())
        self._segment.append(frame)
        if ep.silence_s == 0.0:
            self._speech_end_s = self.time_s
        if event == "end":
            return self._finish(early=False)
        return self._maybe_early()

    def _maybe_early(self) -> Decision | None:
        """Act on stop/pause after a short pause instead of the full hangover."""
        ep = self.endpointer
        if ep.silence_s < self.settings.early_hangover_s:
            return None
        self._since_partial += 1
        if self._since_partial % 2:  # a partial every 40 ms is plenty
            return None
        heard = self.grammar.parse(self.engine.partial(), expecting=None)
        if heard is None or heard.name not in EARLY_INTENTS:
            return None
        return self._finish(early=True)

    def _finish(self, early: bool) -> Decision:
        ep = self.endpointer
        trailing_s = ep.silence_s
        result = self.engine.end(trailing_silence_s=trailing_s, loud=self._denoised)
        voiced_s = ep.speech_frames * FRAME_S
        ep.reset()
        muted = self._heard_muted or self.muted
        if voiced_s < self.settings.rejection.min_speech_s:
            intent, why = None, f"only {voiced_s:.2f} s of speech"
        else:
            intent, why = self._judged(result, muted)
            # The word check's doubt carries its figures in brackets.
            if intent is None and not muted and why.split(" (")[0] in REHEARD_AFTER and \
                    (again := self._heard_again(trailing_s, result.text)):
                result, (intent, why) = again, self._judged(again, muted)
        return Decision(_plain(result.text), intent, result.confidence, self.engine.name,
                        self.time_s, self._speech_end_s, early, self._denoised, why)

    def _judged(self, result: EngineResult, muted: bool) -> tuple[Intent | None, str]:
        """The command in ``result`` if every lever lets it through, else (None, why not)."""
        if result.doubt and not (result.doubt == DISAGREES and not muted
                                 and self._word_check_sure_of(result.text)):
            return None, result.doubt
        intent, why = judge(result.text, result.confidence, self.grammar,
                            self.settings.rejection, muted=muted, expecting=self.expecting)
        if intent is not None and muted and self._said_by_unit(intent.text):
            return None, OWN_WORDS
        if intent is not None and muted and self._cancelled_away():
            return None, OWN_ECHO
        if intent is not None and not muted and (doubt := self._word_doubt(intent, result)):
            return None, doubt
        return intent, why

    def _heard_again(self, trailing_s: float, first: str) -> EngineResult | None:
        """The segment decoded again without garbage words, if that makes it a short command
        the word check also hears in it: two listeners that share no model agreeing. A
        garbage word often outbids a command said by a voice unlike the model's training
        (espeak-ng's "pause" heard as "call", a command in loud noise)."""
        check = self.word_check
        if check is None or len(self._segment) * FRAME_S > check.settings.rehear_max_s:
            return None
        vouch = check.settings.vouch_probability
        heard = check.intent_probabilities(np.concatenate(self._segment))
        if max(heard.values(), default=0.0) < vouch:  # spare the second decode
            return None
        again = self.engine.rehear(trailing_silence_s=trailing_s, loud=self._denoised)
        if self._vouched(again, heard):
            return again
        # The grammar still heard other words: a voice far from pocketsphinx's training
        # (espeak-ng's "pause" as "call it"). If the word check is sure of one intent, only
        # that intent's phrases may be heard, and the usual checks still apply. Phrases with
        # a number or a name in them are left out: the slot is what matters.
        top = max(heard, key=heard.get)
        if heard[top] < check.settings.narrow_probability or self._wrapped_remark(first):
            return None
        phrases = [p for p in check.phrases_of(top)
                   if (intent := self.grammar.parse(p, expecting=None)) and not intent.slots]
        if not phrases:
            return None
        again = self.engine.rehear(trailing_silence_s=trailing_s, loud=self._denoised,
                                   only=phrases)
        return again if self._vouched(again, heard) else None

    def _wrapped_remark(self, first: str) -> bool:
        """The first hearing had "okay", "coach", ... around its words and a free decode hears
        such words there too: then the word check, which knows bare commands only, is no
        judge of the segment ("okay then" was "again" to it, 0.99). Words around it that only
        the grammar heard were its own invention (espeak-ng's "resume" as "please you", a
        pyttsx3 "carry on" as "can you walk"; the free decode: "on")."""
        lead, _, tail = self.grammar.split_wrap(first)
        if not (lead or tail):
            return False
        free = self.engine.hear_freely()
        if free is None:
            return True
        free_lead, _, free_tail = self.grammar.split_wrap(free)
        return bool(lead and free_lead or tail and free_tail)

    def _vouched(self, again: EngineResult | None, heard: dict[str, float]) -> bool:
        """A hearing again is a short command the word check heard in the segment too."""
        if again is None or again.doubt:
            return False
        return self._word_check_sure_of(again.text, heard)

    def _word_check_sure_of(self, text: str, heard: dict[str, float] | None = None) -> bool:
        """``text`` is a bare short command the word check knows and gives its intent at least
        ``vouch_probability`` in the segment (``heard``: its intents' probabilities there,
        worked out if not given). Then the free decodes' hearing does not refuse it: the phone
        loop hears little of some real people's words ("TH" for a "stop", "TH EH L" for a
        "go"), which the word check, owing nothing to pocketsphinx's model, gave 0.96 and 0.76.
        Two listeners that share no model agree, as in _heard_again."""
        check = self.word_check
        intent = self.grammar.parse(text, expecting=self.expecting)
        if check is None or intent is None or not check.knows(intent.text):
            return False
        if heard is None:
            heard = check.intent_probabilities(np.concatenate(self._segment))
        return heard.get(intent.name, 0.0) >= check.settings.vouch_probability

    def _word_doubt(self, intent: Intent, result: EngineResult) -> str:
        """Why a short command is not what the speech embedding heard ("" if it is): in the
        whole segment, or, said with "okay", "please", ... around it, in the command's own
        words (the check knows bare commands only: "okay next" was "next" 0.000 to it, the
        words "next" 0.3 to 1.0). Not while the unit spoke: its voice is in the segment too,
        and stop must work then."""
        check = self.word_check
        lead, command, tail = self.grammar.split_wrap(intent.text)
        if check is None or not check.knows(command):
            return ""
        samples = np.concatenate(self._segment)
        if lead or tail:
            samples = _words_audio(samples, result.words, command.split(),
                                   check.settings.word_margin_s)
            if samples is None:  # the engine did not say where its words lie
                return ""
        verdict = check.check(intent.name, samples)
        if verdict.agrees:
            return ""
        return f"{WORD_DOUBT} ({intent.name} {verdict.intent_probability:.3f})"

    def _cancelled_away(self) -> bool:
        """The echo canceller took nearly all of the segment away: it was the unit's voice."""
        if self.echo_kept is None:
            return False
        kept = self.echo_kept(self.time_s - self._segment_start_s)
        return kept is not None and kept < self.settings.rejection.min_kept_db

    def _said_by_unit(self, text: str) -> bool:
        if self.own_speech is None:
            return False
        seconds = self.time_s - self._segment_start_s + self.settings.rejection.own_speech_margin_s
        return said_by_unit(self.grammar.split_wrap(text)[1], self.own_speech(seconds))


def _words_audio(segment: np.ndarray, spans: Sequence[WordSpan], words: Sequence[str],
                 margin_s: float) -> np.ndarray | None:
    """The part of ``segment`` where ``words`` were heard one after another (``spans``: the
    engine's words and where they lie), ``margin_s`` wider each side; None if they were not."""
    heard, rate_hz = [span.word for span in spans], FRAME_SAMPLES / FRAME_S
    for i in range(len(heard) - len(words) + 1):
        if heard[i:i + len(words)] == list(words):
            start_s = max(0.0, spans[i].start_s - margin_s)
            end_s = spans[i + len(words) - 1].end_s + margin_s
            return segment[round(start_s * rate_hz):round(end_s * rate_hz)]
    return None


def make_recognizer(settings: RecognizerSettings | None = None,
                    grammar: Parser | None = None) -> Recognizer:
    """The recogniser the settings ask for (auto: vosk if an English model is found)."""
    settings = settings or RecognizerSettings()
    if grammar is None:
        from intents import load_default_grammar

        grammar = load_default_grammar()
    name = settings.engine
    model_dir = settings.vosk_model_dir or find_vosk_model()
    if name == "auto":
        name = "vosk" if model_dir else "pocketsphinx"
    if name == "vosk":
        if not model_dir:
            raise RuntimeError("no English vosk model found: run `hinge-coach models`")
        from .vosk_engine import VoskEngine

        engine: Engine = VoskEngine(grammar, model_dir)
    elif name == "pocketsphinx":
        from .pocketsphinx_engine import PocketsphinxEngine

        engine = PocketsphinxEngine(grammar, settings.pocketsphinx)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    log.info("recogniser: %s", engine.name)
    return Recognizer(engine, grammar, settings, _denoiser(settings.denoise),
                      _word_check(settings.word_check))


def _denoiser(settings: DenoiseSettings) -> Denoiser | None:
    if not settings.enabled:
        return None
    try:
        return Denoiser(settings)
    except RnnoiseUnavailable as exc:
        log.warning("no noise suppression, commands are harder to hear in a loud room: %s", exc)
        return None


def _word_check(settings: WordCheckSettings) -> WordCheck | None:
    if not settings.enabled:
        return None
    try:
        return WordCheck(settings)
    except WordCheckUnavailable as exc:
        log.warning("short commands are not checked by the speech embedding, so more stray "
                    "words are taken for them: %s", exc)
        return None
