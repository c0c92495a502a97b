"""Builds the unit's parts from a Config: the one place that knows how they fit together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.coach import Coach
from assistant.config import Config
from assistant.exercises import load_library
from assistant.simulation import Recognise, Simulation, Timeline
from hardware.calibration import Calibration
from intents.grammar import Grammar, load_default_grammar
from intents.intent import INTENT_NAMES, Intent

if TYPE_CHECKING:
    from assistant.live import LiveRuntime

log = logging.getLogger(__name__)


def build_coach(config: Config, grammar: Grammar) -> Coach:
    return Coach(load_library(), config.workout, config.coach, help_lines(grammar))


HEARINGS = ("voice", "text")
"""How a simulation hears its scenario's lines: spoken and recognised, or read as written."""


def build_simulation(config: Config, hearing: str = "voice") -> Simulation:
    """A simulation with the default calibration, so a scenario runs the same everywhere.

    hearing "voice": each line is spoken by the synthetic person (audio.person_voice) and
    decoded by the configured recogniser, misrecognitions and all; raises VoiceUnavailable
    if that voice is not installed. "text": each line is parsed exactly as written.
    """
    grammar = load_default_grammar()
    if hearing == "text":
        def recognise(text: str, expecting: str | None) -> tuple[str, Intent | None]:
            return text, grammar.parse(text, expecting)
    else:
        recognise = _hear_by_voice(config, grammar)
    return Simulation(build_coach(config, grammar), Calibration(), recognise)


def _hear_by_voice(config: Config, grammar: Grammar) -> Recognise:
    from audio.listen import hear_spoken
    from audio.person_voice import DEFAULT_VOICE, VoiceUnavailable, available
    from audio.recognizer import make_recognizer

    if not available(DEFAULT_VOICE):
        raise VoiceUnavailable(f"{DEFAULT_VOICE.engine} is not installed, so the scenario's "
                               "lines cannot be spoken (scripts/install-system-deps.sh)")
    recognizer = make_recognizer(config.recognizer, grammar)

    def recognise(text: str, expecting: str | None) -> tuple[str, Intent | None]:
        decision = hear_spoken(recognizer, text, expecting=expecting)
        return (decision.text, decision.intent) if decision else ("", None)

    return recognise


def write_timeline_wav(timeline: Timeline, path: Path, config: Config) -> float:
    """Render what the unit played to one WAV; returns its length in seconds."""
    from audio.speaker import render_timeline  # pulls in the TTS engine

    return render_timeline(timeline.sounds, path, settings=config.speaker)


def help_lines(grammar: Grammar) -> dict[str, str]:
    return dict(zip(INTENT_NAMES, grammar.help_lines(), strict=True))


def build_cue_cache(config: Config, progress: Callable[[int, int, str], None] | None) -> int:
    """Render every known cue into the cache; returns how many cues it holds."""
    from assistant.cue_texts import cue_texts
    from audio.cue_cache import CueCache

    speaker = config.speaker
    cache = CueCache(speaker.cache_dir, speaker.voice, speaker.rate_wpm,
                     sample_rate_hz=speaker.player.sample_rate_hz)
    texts = cue_texts(list(help_lines(load_default_grammar()).values()), config)
    cache.build(texts, progress=progress)
    return len(texts)


def build_live(config: Config) -> LiveRuntime:
    """The live unit on the configured devices. Devices that are missing are tolerated (the
    runtime announces them and carries on); only a recogniser that can't start is fatal."""
    from assistant.cue_texts import cue_texts
    from assistant.history import History
    from assistant.live import Devices, LiveRuntime
    from assistant.paths import calibration_path, history_path
    from audio.echo_cancel import PlaybackTap, make_echo_canceller
    from audio.microphone import Microphone
    from audio.recognizer import make_recognizer
    from audio.speaker import Speaker
    from hardware.calibration import load_calibration
    from hardware.reconnecting import ReconnectingSensor

    grammar = load_default_grammar()
    recognizer = make_recognizer(config.recognizer, grammar)

    def speaking(now_speaking: bool) -> None:
        recognizer.muted = now_speaking  # the unit must not obey its own voice

    def progress(done: int, total: int, text: str) -> None:
        if done == total or done % 50 == 0:  # the first start renders every cue: show it
            log.info("cue cache: %d/%d rendered", done, total)

    echo = config.microphone.echo_cancel
    tap = PlaybackTap(config.speaker.player.sample_rate_hz, echo.keep_s)
    echo_canceller = make_echo_canceller(echo, tap)
    speaker = Speaker(config.speaker, on_speaking=speaking,
                      tap=tap if echo_canceller is not None else None)
    recognizer.own_speech = speaker.player.said_within
    if echo_canceller is not None:
        recognizer.echo_kept = echo_canceller.kept_db
    speaker.build(cue_texts(list(help_lines(grammar).values()), config), progress=progress)
    history = None
    try:
        history_path().parent.mkdir(parents=True, exist_ok=True)
        history = History(history_path())
    except Exception as exc:  # noqa: BLE001 - coaching matters more than records
        log.error("workout history disabled: %s", exc)
    devices = Devices(sensor=ReconnectingSensor(config.sensor),
                      microphone=Microphone(config.microphone, echo_canceller=echo_canceller),
                      recognizer=recognizer,
                      speaker=speaker, history=history)
    calibration = load_calibration(calibration_path()) or Calibration()
    return LiveRuntime(build_coach(config, grammar), devices, calibration, calibration_path())
