"""The unit's own voice at its microphone: python bench/own_voice.py [--quick] [--json]

1. Every line the unit says (the cue cache's texts, in its own espeak-ng voice) played into its
   recogniser, muted as the player mutes it (until mute_tail_s after the last sample) and told
   which line is playing (Recognizer.own_speech): how many lines it obeys, clean and 10 dB
   down in gym noise (20 dB SNR). The alternative in the same run: the same recogniser never
   muted, as a voice assistant that does not know it is talking hears its own lines. Also
   through the simulated room below at OWN_ECHO_DB, muted, with the echo canceller and
   without.
2. Barge-in: a person's "stop", "pause", "hold on" and "wait" (CMU voices) said over six lines,
   starting 60% into the line. The line reaches the microphone through a simulated room
   (audio.room_echo: 30 ms late, reverberation 0.4 s) at 10 dB below the person, level with
   them, and 10 dB above (a unit whose speaker is near its microphone and a person a few
   metres away). Heard with the echo canceller (audio.echo_cancel: the player's output as the
   reference) and without; and, as the ceiling, the same words said 1 s after the line.
   Each condition is one stream, as a unit runs: the canceller learns the room on the first
   lines (WARM_UP) and keeps what it learned.

One recogniser per stream, lines in order, as a unit runs all day.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.cue_texts import cue_texts  # noqa: E402
from assistant.wiring import help_lines  # noqa: E402
from audio.echo_cancel import EchoCancelSettings  # noqa: E402
from audio.gym_noise import with_noise  # noqa: E402
from audio.level import to_standard_level  # noqa: E402
from audio.person_voice import PEOPLE, render  # noqa: E402
from audio.player import PlayerSettings  # noqa: E402
from audio.recognizer import Recognizer, make_recognizer  # noqa: E402
from audio.room_echo import UnitInRoom  # noqa: E402
from audio.tts import Voice, shared_renderer  # noqa: E402
from intents import load_default_grammar  # noqa: E402

RATE = 16_000
BLOCK = RATE // 10  # the microphone's 100 ms blocks
LEAD = np.zeros(RATE // 2, np.float32)
INTERRUPTS = {"stop": "stop", "pause": "pause", "hold on": "pause", "wait": "pause"}
BARGE_LINES = ["That is the wall. Hold still for a moment.",
               "Push the floor away and finish with your glutes.",
               "Set one of two. Five reps. Go.", "Button pressed. Pause and feel the stretch.",
               "Your back is rounding. Chest up and brace.", "Rest. Ninety seconds."]
WARM_UP = ["Hip hinge, three sets of ten.", "Stand tall with your feet hip width apart.",
           "Keep a soft bend in your knees.", "Lower the bar along your thighs, hips back."]
ECHO_DB = (-10.0, 0.0, 10.0)
OWN_ECHO_DB = 10.0  # the unit's lines through the room: its speaker loud at its microphone
BARGE_AT = 0.6
PLAYER = PlayerSettings()


def heard(rec: Recognizer, audio: np.ndarray, line: str, muted_until_s: float) -> list[str]:
    """Intents obeyed in ``audio`` (float, 16 kHz) while the unit says ``line`` until
    ``muted_until_s`` (0: never muted)."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    rec.reset()
    rec.own_speech = lambda seconds: [line]
    obeyed = []
    for start in range(0, len(pcm), BLOCK):
        rec.muted = start / RATE < muted_until_s
        if (d := rec.accept(pcm[start:start + BLOCK])) and d.intent:
            obeyed.append(d.intent.name)
    rec.muted = False
    if (d := rec.final()) is not None and d.intent:
        obeyed.append(d.intent.name)
    return obeyed


def unit_voice(text: str, rate_hz: int = RATE) -> np.ndarray:
    return shared_renderer().render(text, replace(Voice(), sample_rate_hz=rate_hz))


def own_lines(lines: list[str]) -> dict[str, object]:
    rec, tail = make_recognizer(), PlayerSettings().mute_tail_s
    rng = np.random.default_rng(5)
    counts = {"lines": len(lines)}
    examples: dict[str, list[str]] = {}
    rooms = {f"room_{OWN_ECHO_DB:+g}dB_{name}_muted":
             UnitInRoom(make_recognizer(), OWN_ECHO_DB, settings)
             for name, settings in (("cancelled", EchoCancelSettings()), ("raw", None))}
    for text in lines:
        for key, unit in rooms.items():
            obeyed = unit.hear(text, played_line(text))
            counts[key] = counts.get(key, 0) + bool(obeyed)
            if obeyed:
                examples.setdefault(key, []).append(f"{text[:50]} -> {obeyed}")
        line = unit_voice(text)
        noisy = with_noise(line * 10 ** (-10 / 20), 20, rng).astype(np.float32) / 32768
        for name, audio, start_s in (("clean", np.concatenate([LEAD, line, LEAD, LEAD]),
                                      len(LEAD) / RATE), ("noisy", noisy, 0.6)):
            end_s = start_s + len(line) / RATE
            for rule, until in (("muted", end_s + tail), ("never_muted", 0.0)):
                key = f"{name}_{rule}"
                obeyed = heard(rec, audio, text, until)
                counts[key] = counts.get(key, 0) + bool(obeyed)
                if obeyed:
                    examples.setdefault(key, []).append(f"{text[:50]} -> {obeyed}")
    return {"obeyed": counts, "examples": {k: v[:6] for k, v in examples.items()}}


def played_line(text: str) -> np.ndarray:
    """A line as the player plays it: the unit's voice at the stream rate."""
    return to_standard_level(unit_voice(text, PLAYER.sample_rate_hz), PLAYER.sample_rate_hz)


def person_says(said: str, voice_index: int) -> np.ndarray:
    voice = PEOPLE[voice_index]
    return to_standard_level(render(said, voice).astype(np.float32) / 32768, RATE)


def barge_in(lines: list[str], voices: int) -> dict[str, object]:
    result: dict[str, object] = {"said": len(lines) * len(INTERRUPTS) * voices}
    for echo_db in ECHO_DB:
        for name, cancel, where in (("over_line", False, BARGE_AT), ("over_line", True, BARGE_AT),
                                    ("after_line", True, None)):
            unit = UnitInRoom(make_recognizer(), echo_db,
                              EchoCancelSettings() if cancel else None)
            for text in WARM_UP:
                unit.hear(text, played_line(text))
            right = wrong = 0
            for text in lines:
                length_s = len(unit_voice(text, RATE)) / RATE
                at_s = length_s * where if where is not None else length_s + 1.0
                for said, intent in INTERRUPTS.items():
                    for v in range(voices):
                        obeyed = unit.hear(text, played_line(text), person_says(said, v),
                                           at_s)
                        right += obeyed == [intent]
                        wrong += bool(obeyed) and obeyed != [intent]
            key = f"echo_{echo_db:+g}dB_{name}_{'cancelled' if cancel else 'raw'}"
            result[key] = {"understood": right, "wrong": wrong}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every fourth line, two barge-ins")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    t0 = time.time()
    lines = cue_texts(list(help_lines(load_default_grammar()).values()))
    report = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
              "python": platform.python_version(), "quick": args.quick,
              "own_lines": own_lines(lines[::4] if args.quick else lines),
              "barge_in": barge_in(BARGE_LINES[:2] if args.quick else BARGE_LINES,
                                   2 if args.quick else 3)}
    report["wall_s"] = round(time.time() - t0, 1)
    print(json.dumps(report) if args.json else json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
