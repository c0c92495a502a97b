"""Exercise names for tests and tools that must not depend on the exercise library.

The ten ids of assistant/exercises.toml with a few spoken names each; the real grammar is
built from the library by load_default_grammar().
"""

from __future__ import annotations

EXERCISE_NAMES: dict[str, list[str]] = {
    "hip_hinge": ["hip hinge", "hip hinges", "hinge", "hinges", "wall drill", "wall drills"],
    "barbell_rdl": [
        "romanian deadlift", "romanian deadlifts", "r d l", "r d ells", "barbell romanian deadlift",
        "barbell romanian deadlifts", "barbell r d l", "barbell r d ells",
    ],
    "dumbbell_rdl": [
        "dumbbell romanian deadlift", "dumbbell romanian deadlifts",
        "dumbbell r d l", "dumbbell r d ells",
    ],
    "banded_rdl": [
        "banded romanian deadlift", "banded romanian deadlifts", "banded r d l", "banded r d ells",
        "band romanian deadlift",
    ],
    "split_stance_rdl": [
        "split stance romanian deadlift", "split stance romanian deadlifts",
        "split stance r d l", "split stance r d ells", "kickstand romanian deadlift",
        "kickstand romanian deadlifts", "kickstand r d l",
    ],
    "single_leg_rdl": [
        "single leg romanian deadlift", "single leg romanian deadlifts",
        "single leg r d l", "single leg r d ells",
        "one leg romanian deadlift", "one leg romanian deadlifts", "one leg r d l",
    ],
    "suitcase_rdl": [
        "suitcase romanian deadlift", "suitcase romanian deadlifts",
        "suitcase r d l", "suitcase r d ells",
    ],
    "barbell_good_morning": [
        "good morning", "good mornings", "barbell good morning", "barbell good mornings",
    ],
    "banded_good_morning": [
        "banded good morning", "banded good mornings", "band good morning",
    ],
    "dumbbell_good_morning": [
        "dumbbell good morning", "dumbbell good mornings", "goblet good morning",
    ],
}
