"""vosk (Kaldi) in grammar mode: the grammar's phrases plus "[unk]".

vosk 0.3.45 builds a bigram model from the phrases, so out-of-grammar speech can come back as
grammar words with confidence 1.0: "[unk]" absorbs some of it, and rejection re-parses the text
against the real grammar. End of speech comes from our endpointer, not vosk's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from .pocketsphinx_engine import EngineResult
from .rejection import UNKNOWN

if TYPE_CHECKING:
    import vosk

NAME = "vosk"


class PhraseSource(Protocol):
    """What the engine needs of a grammar (intents.Grammar is one)."""

    def vosk_phrases(self, known_words: Callable[[str], bool] | None = None) -> list[str]: ...


class VoskEngine:
    """One KaldiRecognizer, reset at the start of each segment."""

    name = NAME

    def __init__(self, grammar: PhraseSource | None, model_dir: str,
                 phrases: Sequence[str] | None = None, sample_rate_hz: int = 16_000) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        self.model = vosk.Model(model_dir)
        if phrases is None:
            if grammar is None:
                raise ValueError("give a grammar or phrases")
            phrases = grammar.vosk_phrases(lambda w: self.model.vosk_model_find_word(w) != -1)
        self.phrases = list(phrases)
        if UNKNOWN not in self.phrases:
            self.phrases.append(UNKNOWN)
        self.sample_rate_hz = sample_rate_hz
        self.recognizer = self._new_recognizer()
        self._done: list[dict] = []

    def _new_recognizer(self) -> vosk.KaldiRecognizer:
        import vosk

        recognizer = vosk.KaldiRecognizer(self.model, self.sample_rate_hz,
                                          json.dumps(self.phrases, ensure_ascii=False))
        recognizer.SetWords(True)
        return recognizer

    def begin(self) -> None:
        """Start a segment."""
        self.recognizer.Reset()
        self._done = []

    def forget(self) -> None:
        """Hear the next segment as a new engine would: a new KaldiRecognizer, so nothing it
        adapted to carries over. Not bit-exact: vosk dithers at random (with the Korean model,
        2 of 12 clips got other confidences from one new recogniser to the next)."""
        self.recognizer = self._new_recognizer()
        self._done = []

    def feed(self, pcm: bytes) -> None:
        """16 kHz mono int16 bytes of the current segment."""
        if self.recognizer.AcceptWaveform(pcm):
            # vosk's own endpoint fired inside our segment: keep that piece.
            self._done.append(json.loads(self.recognizer.Result()))

    def partial(self) -> str:
        """Best words so far in this segment."""
        return json.loads(self.recognizer.PartialResult()).get("partial", "")

    def end(self, trailing_silence_s: float = 0.0, loud: bool = False) -> EngineResult:
        """Finish the segment: words and the lowest word confidence (vosk's own word
        timings keep it from inventing words in the closing pause)."""
        pieces = [*self._done, json.loads(self.recognizer.FinalResult())]
        self._done = []
        text = " ".join(p.get("text", "") for p in pieces).split()
        confs = [w.get("conf", 1.0) for p in pieces for w in p.get("result", [])]
        return EngineResult(" ".join(text), min(confs) if confs else None)

    def rehear(self, trailing_silence_s: float = 0.0, loud: bool = False,
               only: Sequence[str] = ()) -> None:
        """vosk's grammar has no garbage words to leave out ("[unk]" stands for any word)."""
        return None

    def hear_freely(self) -> None:
        """vosk is decoded in grammar mode only."""
        return None
