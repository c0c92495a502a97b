"""Held-out voice check: python bench/voice_heldout.py [--json] [--engine NAME ...]

Speech no threshold was chosen on, to see whether a change that helped bench/voice.py's corpus
helps speech it was not tuned on: 30 sentences of everyday talk and 47 command phrasings that
corpus does not hold (10 with "coach" or "thanks" after them), from the CMU voices and the
neural voice (if installed); talk clean, commands clean and at 10 dB SNR. Each item is heard
fresh, as `hinge-coach listen --wav` hears a file. Engines as in bench/voice.py (default:
pocketsphinx and pocketsphinx-no-talk-fit, in one process). Keep it held out: once a change is
tuned on these sentences, add new ones here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voice import Item, run, snr_name, speak  # noqa: E402

from audio.gym_noise import with_noise  # noqa: E402
from audio.person_voice import NEURAL, PEOPLE, available  # noqa: E402

TALK = [
    "how's your mum doing", "what are we doing this weekend", "where's my bag",
    "I think it's going to rain", "can you turn the oven off", "the kids are asleep",
    "let's watch a movie tonight", "who left the door open", "I need a new pair of shoes",
    "what's for breakfast", "my sister is visiting next week", "did you lock the car",
    "it's my turn", "that's not what I said", "hold the door please", "I'm going for a run",
    "how much was that", "can you help me move this", "we're out of coffee",
    "tell me about your day", "I'll text you", "the game starts at eight", "is it ready yet",
    "stop by the shop on your way", "what time is it", "how many people are coming",
    "go and ask your dad", "I'm not sure about that", "thanks for your help",
    "where do you want to sit",
]
COMMANDS = [  # (text, intent)
    ("hold on a second", "pause"), ("wait", "pause"), ("I'm done for today", "stop"),
    ("that's enough", "stop"), ("let's start", "start"), ("begin", "start"),
    ("okay let's do this", "start"), ("continue", "resume"), ("carry on", "resume"),
    ("next exercise", "next"), ("what was that", "repeat"), ("repeat that", "repeat"),
    ("how many reps left", "status"), ("how many sets to go", "status"), ("speed up", "faster"),
    ("go faster", "faster"), ("slow it down", "slower"), ("louder please", "louder"),
    ("turn it down", "quieter"), ("help", "help"), ("explain the steps", "explain"),
    ("how do I do this", "explain"), ("switch to romanian deadlifts", "choose"),
    ("let's do good mornings", "start"), ("give me ten reps", "set_reps"),
    ("do four sets", "set_sets"), ("take a break", "rest"), ("rest for a minute", "rest"),
    ("calibrate", "calibrate"), ("yes", "yes"), ("no", "no"), ("yeah", "yes"), ("nope", "no"),
    ("stop the workout", "stop"), ("pause please", "pause"), ("I'm ready", "start"),
    ("start the workout", "start"), ("next one coach", "next"), ("stop thanks", "stop"),
    ("pause coach", "pause"), ("how many left coach", "status"), ("louder thanks", "louder"),
    ("let's go coach", "start"), ("give me a tip thanks", "explain"),
    ("say that again thank you", "repeat"), ("slow down coach", "slower"),
    ("i'm done thanks", "stop"),
]


def corpus() -> list[Item]:
    voices = [v for v in PEOPLE + NEURAL if available(v)]
    rng = np.random.default_rng(3)
    items: list[Item] = []
    for text, intent in COMMANDS:
        for voice in voices:
            speech = speak(text, voice)
            items += [(f"acc_{snr_name(snr)}_heldout", intent, with_noise(speech, snr, rng),
                       f"{text} / {voice} / {snr_name(snr)}") for snr in (None, 10)]
    items += [("fa_talk_heldout", None, with_noise(speak(text, voice), None, rng),
               f"{text} / {voice}") for text in TALK for voice in voices]
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", action="append")
    args = parser.parse_args()
    t0 = time.time()
    items = corpus()
    report = {"corpus_items": len(items), "fresh": True,
              "engines": {engine: run(engine, items, fresh=True)
                          for engine in args.engine or ["pocketsphinx",
                                                        "pocketsphinx-no-talk-fit"]}}
    report["wall_s"] = round(time.time() - t0, 1)
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
