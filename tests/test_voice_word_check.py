"""The word check: a speech embedding's second opinion on short commands, on real people.

The classifier never heard a person (scripts/train_word_check.py renders its training set).
Of the words tested here as non-commands it was taught only the six bare words the issue names
("up", "down", "left", "right", "on", "off"), as rendered voices say them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.config import ConfigError, load_config
from audio.gym_noise import gym_noise, with_noise
from audio.listen import decide_file, decide_source
from audio.microphone import ArraySource
from audio.person_voice import DEFAULT_VOICE, PEOPLE, PersonVoice, render
from audio.recognizer import RecognizerSettings, make_recognizer
from audio.word_check import WordCheck, WordCheckSettings, WordCheckUnavailable
from intents import load_default_grammar

DATA = Path(__file__).parent / "data" / "speech_commands"
COMMANDS = {"stop": "stop", "go": "start", "yes": "yes", "no": "no"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checked():
    return make_recognizer(RecognizerSettings(engine="pocketsphinx"))


@pytest.fixture(scope="module")
def unchecked():
    return make_recognizer(RecognizerSettings(engine="pocketsphinx",
                                              word_check=WordCheckSettings(enabled=False)))


def heard(rec, path: Path):
    decision = decide_file(rec, path)
    return decision, (decision.intent.name if decision and decision.intent else None)


def test_the_shipped_recogniser_has_the_word_check(checked):
    assert isinstance(checked.word_check, WordCheck)
    assert checked.word_check.knows("stop") and checked.word_check.knows("hold on")
    assert not checked.word_check.knows("how many reps are left")


def test_stray_words_taken_for_short_commands_are_refused(checked, unchecked):
    others = sorted(p for p in DATA.glob("*/*.wav") if p.parent.name not in COMMANDS)
    before = {p: heard(unchecked, p)[1] for p in others}
    after = {p: heard(checked, p) for p in others}
    taken = [p for p, intent in before.items() if intent]
    refused = [p for p in taken if after[p][1] is None]
    assert len(taken) >= 3, taken  # measured: 4 of 100 without the check, all 4 refused
    assert len(refused) >= len(taken) // 2, (taken, refused)
    assert all("word check" in after[p][0].rejected for p in refused)
    assert not [p for p, intent in before.items() if not intent and after[p][1]]


def test_real_peoples_commands_pass_the_word_check(checked, unchecked):
    commands = sorted(p for p in DATA.glob("*/*.wav") if p.parent.name in COMMANDS)
    understood = [p for p in commands if heard(unchecked, p)[1] == COMMANDS[p.parent.name]]
    lost = [p.name for p in understood if heard(checked, p)[1] != COMMANDS[p.parent.name]]
    assert len(understood) >= 30 and len(lost) <= 1, (len(understood), lost)


def test_a_command_the_check_hears_as_another_is_refused(checked):
    # flite kal16's "hold on": pause 0.97 to the check. Had the grammar heard "all done" in it
    # (festival slt's "hold on" was, in noise), stop gets 0.025: above the floor of 0.02, but
    # far outvoted.
    samples = render("hold on", PersonVoice("flite", "kal16"))
    assert checked.word_check.check("pause", samples).agrees
    verdict = checked.word_check.check("stop", samples)
    assert 0.02 <= verdict.intent_probability < 0.05
    assert not verdict.agrees


def test_commands_said_with_okay_or_while_asked_a_number_are_not_checked(checked):
    check = checked.word_check
    assert not check.knows("okay stop") and not check.knows("twelve")


def test_without_the_embedding_models_the_unit_still_listens_and_says_why(tmp_path, caplog):
    settings = RecognizerSettings(engine="pocketsphinx",
                                  word_check=WordCheckSettings(models_dir=str(tmp_path)))
    with caplog.at_level(logging.WARNING):
        rec = make_recognizer(settings)
    assert rec.word_check is None
    assert "openwakeword==0.4.0" in caplog.text
    assert heard(rec, sorted((DATA / "stop").glob("*.wav"))[0])[1] == "stop"


def test_damaged_model_files_are_named_and_the_unit_still_listens(tmp_path, caplog):
    for name in ("melspectrogram", "embedding_model"):
        (tmp_path / f"{name}.onnx").write_bytes(b"not a model")
    with pytest.raises(WordCheckUnavailable, match="cannot load the speech embedding models"):
        WordCheck(WordCheckSettings(models_dir=str(tmp_path)))
    weights = tmp_path / "word_check.npz"
    weights.write_bytes(b"not numpy")
    with pytest.raises(WordCheckUnavailable, match="cannot read the classifier"):
        WordCheck(weights=weights)
    with caplog.at_level(logging.WARNING):
        rec = make_recognizer(RecognizerSettings(
            engine="pocketsphinx", word_check=WordCheckSettings(models_dir=str(tmp_path))))
    assert rec.word_check is None and "cannot load" in caplog.text


@pytest.mark.parametrize("name", ["min_intent_probability", "outvoted_below"])
def test_a_word_check_limit_outside_0_to_1_is_refused_with_the_reason(tmp_path, name):
    path = tmp_path / "config.toml"
    path.write_text(f"[recognizer.word_check]\n{name} = 2\n")
    with pytest.raises(ConfigError, match=f"{name} = 2.*must be 0 to 1"):
        load_config(path)


def test_training_holds_out_measured_words_and_words_that_sound_like_commands():
    """The benchmark's words stay unheard by the classifier, but for the six bare words the
    issue names as never to be obeyed: those it is taught, "up" though it sounds like "yup"."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from train_word_check import NAMED_WORDS, other_words, short_commands
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    grammar = load_default_grammar()
    commands = short_commands(grammar, 8)
    assert commands["stop"] == "stop" and commands["hold on"] == "pause"
    assert "how many reps are left" not in commands
    others = other_words(grammar, list(commands))
    assert len(others) > 200
    assert not {"water", "bed", "cat", "hello", "house"} & set(others)  # measured on
    assert set(NAMED_WORDS) == {"up", "down", "left", "right", "on", "off"} <= set(others)
    assert not {"now", "top", "know"} & set(others)  # sound like "no", "stop"
    assert not [w for w in others if grammar.parse(w)]


def test_the_shipped_weights_fit_the_features_they_were_trained_on(checked):
    """A sanity check, not a measure: flite's rms is one of the training voices."""
    check = checked.word_check
    pad = np.zeros(4000, np.int16)
    for text, intent in (("stop", "stop"), ("hold on", "pause"), ("yes", "yes")):
        verdict = check.check(intent, np.concatenate([pad, render(text, DEFAULT_VOICE), pad]))
        assert verdict.agrees and verdict.intent_probability > 0.5, (text, verdict)


SHORT_COMMANDS = ("pause", "hold on", "stop", "slower", "next", "go", "quieter", "i'm done")


@pytest.fixture(scope="module")
def not_heard_again():
    return make_recognizer(RecognizerSettings(
        engine="pocketsphinx", word_check=WordCheckSettings(vouch_probability=2.0)))


def heard_fresh(rec, samples: np.ndarray):
    """``samples`` heard as a first recording, whatever the recogniser heard before."""
    rec.restart(room=samples)
    decision = decide_source(rec, ArraySource(samples, tail_silence_s=0.6))
    return decision.intent.name if decision and decision.intent else None


def test_commands_a_garbage_word_outbid_in_gym_noise_are_heard_again_and_obeyed(
        checked, not_heard_again):
    """In gym noise a garbage word often outbids a short command ("pause" heard as "those",
    "go" as "so"). Decoded again without the garbage words they are commands, and the word
    check hears the same command; nothing heard before is lost."""
    rng, grammar = np.random.default_rng(5), load_default_grammar()
    said = [(text, voice) for voice in PEOPLE for text in SHORT_COMMANDS]
    clips = [with_noise(render(text, voice) / 32768, 10, rng) for text, voice in said]
    want = [grammar.parse(text).name for text, _ in said]
    before = [heard_fresh(not_heard_again, clip) for clip in clips]
    after = [heard_fresh(checked, clip) for clip in clips]
    assert not [(s, b) for s, w, b, a in zip(said, want, before, after, strict=True)
                if b == w and a != w]  # none lost
    assert not [(s, a) for s, w, b, a in zip(said, want, before, after, strict=True)
                if a not in (w, None, b)]  # no new wrong command
    gained = [s for s, w, b, a in zip(said, want, before, after, strict=True) if b != w == a]
    assert len(gained) >= 2, gained  # measured: 4 of 48 (35 -> 39 understood)


def test_hearing_again_needs_the_word_check_to_agree(checked):
    """A real person's "house", "bed" or "off" decoded without garbage words can be a command
    ("pause", "bad" -> "back", "off" -> "stop"): the word check does not hear one, so none is
    obeyed; nor is 5 s of gym noise."""
    others = sorted(p for p in DATA.glob("*/*.wav") if p.parent.name not in COMMANDS)
    obeyed = [p.parent.name for p in others if heard(checked, p)[1]]
    assert len(obeyed) <= 4, obeyed  # measured: 0 of 100 (2 with the first classifier)
    noise = (gym_noise(5.0, np.random.default_rng(3)) * 32767).astype(np.int16)
    assert not [d for b in ArraySource(noise).blocks() if (d := checked.accept(b)) and d.intent]


@pytest.mark.parametrize("name", ["rehear_max_s", "word_margin_s", "rival_probability"])
def test_a_negative_word_check_setting_is_refused_with_the_reason(tmp_path, name):
    path = tmp_path / "config.toml"
    path.write_text(f"[recognizer.word_check]\n{name} = -1\n")
    with pytest.raises(ConfigError, match=f"{name} = -1.*must not be negative"):
        load_config(path)
