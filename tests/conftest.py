"""Fixtures shared by the whole suite."""

from tests.pulse_fixture import pulse  # noqa: F401 - a private PulseAudio virtual sound card
