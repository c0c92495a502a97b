"""Fixtures shared by the whole suite."""

from collections.abc import Iterator

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from tests.pulse_fixture import pulse  # noqa: F401 - a private PulseAudio virtual sound card


@pytest.fixture
def mock_pins(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockFactory]:
    """gpiozero's MockFactory as the pin factory, as GPIOZERO_PIN_FACTORY=mock would give."""
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    old = Device.pin_factory
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = old
