"""`hinge-coach listen`: decode WAV files to JSON lines, or print what the microphone hears."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import numpy as np

from .level import SILENCE_DBFS, peak_dbfs, to_standard_level
from .microphone import ArraySource, AudioSource
from .person_voice import DEFAULT_VOICE, PersonVoice, render
from .recognizer import Decision, Recognizer, RecognizerSettings, make_recognizer
from .resample import TARGET_RATE_HZ
from .wav import WavError, read_wav

TAIL_SILENCE_S = 0.6
"""Silence appended to each file so a word at its very end still gets its hangover."""
TAIL_SAMPLES = int(TAIL_SILENCE_S * TARGET_RATE_HZ)
"""That silence in samples at 16 kHz, as ArraySource appends it."""
LEAD_SILENCE_S = 0.5
"""Silence before a rendered line, as between a person's sentences."""
QUIET_SPEECH_DBFS = -35.0
"""Speech peaking below this is heard poorly live: the recogniser's levels are absolute."""
QUIET_HINT = "  (quiet: raise the microphone gain until speech peaks near -20 dBFS)"


def decide_file(recognizer: Recognizer, path: str | os.PathLike[str]) -> Decision | None:
    """The most command-like Decision in one file, or None if no speech: judged at idle, at
    the standard level, by a recogniser that has heard nothing before it but the file itself
    (a noisy file is played to noise suppression first). Raises wav.WavError."""
    samples, rate = read_wav(path)
    source = ArraySource(to_standard_level(samples, rate), rate, tail_silence_s=TAIL_SILENCE_S)
    # Heard the same whichever files came before it; its room is the file without our tail.
    recognizer.restart(room=source.samples[:len(source.samples) - TAIL_SAMPLES])
    return decide_source(recognizer, source)


def decide_source(recognizer: Recognizer, source: AudioSource) -> Decision | None:
    """The most command-like Decision in a whole source, or None if no speech."""
    recognizer.reset()
    best: Decision | None = None
    for block in source.blocks():
        decision = recognizer.accept(block)
        best = _better(best, decision)
    return _better(best, recognizer.final())


def hear_spoken(recognizer: Recognizer, text: str, voice: PersonVoice = DEFAULT_VOICE,
                expecting: str | None = None) -> Decision | None:
    """``text`` said by ``voice`` and heard by ``recognizer``, as if the coach had just asked
    ``expecting`` (see intents.EXPECTING). Raises person_voice.VoiceUnavailable."""
    lead = np.zeros(int(LEAD_SILENCE_S * TARGET_RATE_HZ), dtype=np.int16)
    source = ArraySource(np.concatenate([lead, render(text, voice)]),
                         tail_silence_s=TAIL_SILENCE_S)
    recognizer.expecting = expecting
    try:
        return decide_source(recognizer, source)
    finally:
        recognizer.expecting = None


def _better(a: Decision | None, b: Decision | None) -> Decision | None:
    if b is None:
        return a
    if a is None or (a.intent is None and (b.intent is not None or len(b.text) > len(a.text))):
        return b
    return a


def listen_files(paths: Iterable[str | os.PathLike[str]], engine: str | None = None,
                 settings: RecognizerSettings | None = None) -> Iterator[dict[str, object]]:
    """One dict per file: file, text, intent (name or None), slots, confidence, engine; and
    error, only for a file that could not be read (the others are still decoded)."""
    settings = settings or RecognizerSettings()
    if engine:
        settings = replace(settings, engine=engine)
    recognizer = make_recognizer(settings)
    for path in paths:
        row: dict[str, object] = {"file": os.fspath(path), "text": "", "intent": None,
                                  "slots": {}, "confidence": None,
                                  "engine": recognizer.engine.name}
        try:
            decision = decide_file(recognizer, path)
        except WavError as exc:
            row["error"] = str(exc)
        else:
            if decision is not None:
                row.update(decision.to_json())
        yield row


def listen(source: AudioSource, recognizer: Recognizer,
           emit: Callable[[str], None] = print, max_s: float | None = None) -> None:
    """Print every segment heard from ``source`` until it ends (or max_s of audio), with the
    loudest level since the last one, and a hint when speech is too quiet to be heard well."""
    loudest = SILENCE_DBFS
    for block in source.blocks():
        block = np.asarray(block)
        loudest = max(loudest, peak_dbfs(block.astype(np.float32) / 32768, TARGET_RATE_HZ))
        decision = recognizer.accept(block)
        if decision is not None:
            intent = decision.intent
            what = (f"{intent.name} {intent.slots or ''}".strip() if intent else
                    f"(rejected: {decision.rejected or 'nothing heard'})")
            conf = "-" if decision.confidence is None else f"{decision.confidence:.2f}"
            emit(f"{decision.time_s:8.2f}s  {decision.text!r:40} -> {what}  conf {conf}"
                 f"  +{decision.time_s - decision.speech_end_s:.2f}s"
                 f"{'  denoised' if decision.denoised else ''}  peak {loudest:.0f} dBFS"
                 f"{QUIET_HINT if loudest < QUIET_SPEECH_DBFS else ''}")
            loudest = SILENCE_DBFS
        if max_s is not None and recognizer.time_s >= max_s:
            break
