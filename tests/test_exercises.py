"""The exercise library: what the person hears and what they can ask for by voice."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from assistant.exercises import Exercise, load_library

EXPECTED_IDS = (
    "hip_hinge",
    "barbell_rdl",
    "dumbbell_rdl",
    "banded_rdl",
    "split_stance_rdl",
    "single_leg_rdl",
    "suitcase_rdl",
    "barbell_good_morning",
    "banded_good_morning",
    "dumbbell_good_morning",
)

MAX_WORDS = 14
# Letters, spaces and sentence punctuation only: espeak reads digits and symbols aloud oddly.
SPEAKABLE = re.compile(r"[A-Za-z][A-Za-z ,.'!?]*")
# Written forms espeak would spell out or mispronounce; the coach must say the words instead.
ABBREVIATIONS = {"rdl", "rdls", "db", "dbs", "bb", "kb", "eg", "ie", "etc", "approx"}
ALL_CAPS = re.compile(r"\b[A-Z]{2,}\b")


def spoken_strings(exercise: Exercise) -> list[str]:
    """Every string the coach may say aloud for this exercise."""
    return [
        exercise.name,
        exercise.tip,
        *exercise.setup,
        *exercise.descent_cues,
        *exercise.bottom_cues,
        *exercise.ascent_cues,
        *exercise.faults,
        *exercise.muscles,
        *exercise.equipment,
    ]


def all_spoken() -> list[tuple[str, str]]:
    return [(ex.id, text) for ex in load_library().values() for text in spoken_strings(ex)]


def exercise_for(phrase: str) -> list[str]:
    return [ex.id for ex in load_library().values() if phrase in ex.spoken_names]


def test_library_has_the_ten_exercises_in_order():
    assert tuple(load_library()) == EXPECTED_IDS


@pytest.mark.parametrize("exercise_id", EXPECTED_IDS)
def test_each_exercise_is_complete(exercise_id):
    ex = load_library()[exercise_id]
    assert ex.id == exercise_id
    assert ex.name and ex.tip
    assert 3 <= len(ex.spoken_names) <= 8
    assert 4 <= len(ex.setup) <= 6
    assert len(ex.descent_cues) == 3
    assert len(ex.bottom_cues) == 3
    assert len(ex.ascent_cues) == 3
    assert 3 <= len(ex.faults) <= 4
    assert ex.muscles
    for field in ("spoken_names", "equipment", "muscles", "setup", "descent_cues",
                  "bottom_cues", "ascent_cues", "faults"):
        assert isinstance(getattr(ex, field), tuple), field


@pytest.mark.parametrize("exercise_id", EXPECTED_IDS)
def test_setup_places_the_person_a_foot_from_the_wall(exercise_id):
    setup = " ".join(load_library()[exercise_id].setup).lower()
    assert "foot" in setup and "wall" in setup
    assert "say ready" not in setup  # the coach adds that prompt itself


def test_hinge_works_the_posterior_chain_from_the_article():
    muscles = load_library()["hip_hinge"].muscles
    assert muscles[0] == "hamstrings"
    for muscle in ("gluteus maximus", "gluteus medius", "gluteus minimus", "lower back"):
        assert muscle in muscles
    assert load_library()["hip_hinge"].equipment == ()


def test_suitcase_works_the_obliques():
    assert "obliques" in load_library()["suitcase_rdl"].muscles


def test_bottom_cue_asks_for_a_pause():
    for ex in load_library().values():
        assert any("hold" in cue.lower() or "pause" in cue.lower() for cue in ex.bottom_cues), ex.id


def test_no_spoken_name_is_shared():
    counts = Counter(name for ex in load_library().values() for name in ex.spoken_names)
    shared = [name for name, n in counts.items() if n > 1]
    assert shared == []


def test_spoken_names_are_plain_lower_case_words():
    for ex in load_library().values():
        for name in ex.spoken_names:
            assert re.fullmatch(r"[a-z]+( [a-z]+)*", name), (ex.id, name)
            assert not set(name.split()) & ABBREVIATIONS, (ex.id, name)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("romanian deadlift", "barbell_rdl"),
        ("romanian deadlifts", "barbell_rdl"),
        ("r d l", "barbell_rdl"),
        ("good morning", "barbell_good_morning"),
        ("good mornings", "barbell_good_morning"),
        ("hip hinge", "hip_hinge"),
        ("hinge", "hip_hinge"),
        ("hinges", "hip_hinge"),
        ("wall drill", "hip_hinge"),
        ("single leg romanian deadlift", "single_leg_rdl"),
        ("suitcase romanian deadlift", "suitcase_rdl"),
        ("dumbbell good mornings", "dumbbell_good_morning"),
    ],
)
def test_plain_phrases_pick_the_expected_exercise(phrase, expected):
    assert exercise_for(phrase) == [expected]


@pytest.mark.parametrize(("exercise_id", "text"), all_spoken())
def test_spoken_text_reads_well_aloud(exercise_id, text):
    assert SPEAKABLE.fullmatch(text), f"{exercise_id}: symbols or digits in {text!r}"
    assert not ALL_CAPS.search(text), f"{exercise_id}: abbreviation in {text!r}"
    words = {w.strip(",.'!?").lower() for w in text.split()}
    assert not words & ABBREVIATIONS, f"{exercise_id}: abbreviation in {text!r}"
    assert len(text.split()) <= MAX_WORDS, f"{exercise_id}: too long: {text!r}"


def test_names_say_romanian_deadlift_in_full():
    for ex in load_library().values():
        if ex.id.endswith("_rdl"):
            assert ex.name.endswith("Romanian deadlift"), ex.id
