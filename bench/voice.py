"""Voice-in benchmark: python bench/voice.py [--quick] [--json] [--engine NAME] [--fresh]

Renders its corpus in memory at run time: commands in many phrasings spoken by CMU voices
(flite, festival: recorded people underneath) and by espeak-ng voices at several speeds,
chatter sentences, single non-command words, real people's commands and other words (the
Speech Commands clips in tests/data), and gym-like noise (harmonic "music", babble, clanks)
mixed in at 20, 10 and 5 dB SNR; then the same commands, chatter and words from a neural piper
voice, if the `neural` extra is installed; then commands said with "okay", "please", "coach"
around them and remarks and chatter that start or end that way, and everyday talk a few
phones from a command ("where are we going", "how's it going"), and polite requests ("can
you turn it down") and talk that starts like one ("can you hold this"), clean, from the CMU
voices; last, the commands in pyttsx3's default voice (acc_clean_pyttsx3).
Reports per engine: intent accuracy per SNR (all voices, then CMU, espeak-ng and neural voices
apart), on wrapped commands and on real people, false accepts on chatter, words and noise,
real-time factor and decision latency (audio time). ``--items FILE`` also writes each item's
hearing, one JSON line per item and engine, for finding which items a change moved.
``--fresh`` hears each item as `hinge-coach listen --wav` hears a file, as a first recording
whose room noise suppression learns first (that CPU counted too), instead of one stream going
on from the item before (another voice, another noise level).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audio.denoise import DenoiseSettings  # noqa: E402
from audio.gym_noise import gym_noise, with_noise  # noqa: E402
from audio.microphone import ArraySource, WavSource  # noqa: E402
from audio.models import find_vosk_model  # noqa: E402
from audio.person_voice import NEURAL, PEOPLE, PersonVoice, available, render  # noqa: E402
from audio.pocketsphinx_engine import PocketsphinxSettings  # noqa: E402
from audio.recognizer import RecognizerSettings, make_recognizer  # noqa: E402
from audio.transcript_check import TranscriptCheckSettings  # noqa: E402
from audio.word_check import WordCheckSettings  # noqa: E402

RATE = 16_000
COMMANDS = [  # (text, intent)
    ("stop", "stop"), ("pause", "pause"), ("hold on", "pause"), ("resume", "resume"),
    ("keep going", "resume"), ("let's go", "start"), ("I'm ready", "start"),
    ("I'm done", "stop"), ("next", "next"), ("skip the rest", "next"),
    ("say that again", "repeat"), ("how many left", "status"), ("slow down", "slower"),
    ("faster", "faster"), ("turn it up", "louder"), ("quieter", "quieter"),
    ("what can I say", "help"), ("give me a tip", "explain"),
    ("what muscles does this work", "explain"), ("switch to good mornings", "choose"),
    ("do twelve reps", "set_reps"), ("three sets of eight", "start"),
    ("rest for ninety seconds", "rest"), ("calibrate the sensor", "calibrate"),
    ("start romanian deadlifts", "start"),
]
WRAPPED = [  # (text, intent): commands with the words people say around them
    ("okay stop", "stop"), ("please stop", "stop"), ("stop please", "stop"),
    ("okay coach hold on", "pause"), ("hey coach how many left", "status"),
    ("alright let's go", "start"), ("okay next", "next"), ("coach pause", "pause"),
    ("hold on please", "pause"), ("okay keep going", "resume"),
    ("give me a tip please", "explain"), ("slow down please", "slower"),
    ("okay I'm ready", "start"), ("alright I'm done", "stop"), ("turn it up please", "louder"),
]
WRAPPED_CHATTER = [
    "okay so where did I put my phone", "alright I think I left my keys in the car",
    "please pass me the water bottle", "thanks for the coffee", "hey how are you doing",
    "okay I will call you back later", "okay cool", "okay then", "alright then", "thanks coach",
]
CHATTER = [
    "I think I left my keys in the car", "what time is dinner tonight",
    "turn left at the lights", "can you pass me the water bottle", "this song is really good",
    "my back feels a bit tight today", "did you see the game last night",
    "I need to call my mother later", "the weather is nice outside", "where did I put my phone",
]
TALK = [  # everyday talk that starts like a command or is a few phones from one
    "how are you doing", "how's it going", "hey what's up", "call me later",
    "where are we going", "how much does it cost", "are you ready to go",
    "let me check my messages", "I'll be right back", "it's getting late", "let's go home",
    "I'm so tired today", "put it over there", "see you next week", "what did the doctor say",
    "can you open the window", "I'm starving", "is this machine free",
    "what time does the gym close", "that sounds good to me",
]
POLITE = [  # (text, intent): requests said politely, and other ways added with them
    ("can you pause", "pause"), ("can you stop", "stop"), ("can you skip this", "next"),
    ("could you repeat that", "repeat"), ("can you slow down", "slower"),
    ("could you go faster", "faster"), ("can you speed up", "faster"),
    ("can you turn it up", "louder"), ("can you turn it down", "quieter"),
    ("can you help me", "help"), ("could you give me a tip", "explain"),
    ("show me the steps", "explain"), ("which muscles", "explain"),
]
POLITE_WE = [  # (text, intent): requests for the two of us (in the corpus after POLITE_TALK)
    ("can we pause", "pause"), ("could we stop", "stop"), ("can we start", "start"),
    ("can we take a break", "rest"), ("can we keep going", "resume"),
]
POLITE_TALK = [  # everyday talk that starts as a polite request does
    "can you hold this", "can you hear me", "can you see that", "can we go home",
    "could you help me with this", "can you stop that noise", "can we talk later",
    "can you turn off the lights", "can we get some coffee", "could you move a bit",
]
WORDS = ["up", "down", "left", "right", "on", "off", "bed", "cat", "hello", "water", "music",
         "coffee", "tomorrow", "seven", "wall", "okay then"]
ESPEAK = tuple(PersonVoice("espeak-ng", name, wpm) for name, wpm in
               [("en-us", 160), ("en-us+f3", 175), ("en-gb", 150), ("en+m3", 190)])
VOICES = PEOPLE + ESPEAK
PYTTSX3_DEFAULT = PersonVoice("espeak-ng", "en", 200)
"""pyttsx3's own defaults on Linux (espeak-ng's gmw/en at 200 words a minute): how anyone
renders test speech with the speech library this project uses."""
HUMAN_COMMANDS = {"stop": "stop", "go": "start", "yes": "yes", "no": "no"}
"""Speech Commands words that are commands (real people, tests/data), and their intents."""
SNRS = (None, 20, 10, 5)
STOPLIKE = {"stop", "pause"}


def speak(text: str, voice: PersonVoice) -> np.ndarray:
    return render(text, voice).astype(np.float32) / 32768


def settings_for(name: str) -> RecognizerSettings:
    """An engine by name. The obvious alternatives each lever is measured against:
    "pocketsphinx-no-check" is pocketsphinx without the transcript check,
    "pocketsphinx-no-rescue" without the free decode's rescue of short commands,
    "pocketsphinx-no-fit" without weighing how well the command and the free decode's words
    fit the audio,
    "pocketsphinx-no-denoise" without noise suppression,
    "pocketsphinx-no-word-check" without the speech embedding's check of short commands,
    "pocketsphinx-no-rehear" without decoding again, free of garbage words, a segment the
    grammar made no command of, "pocketsphinx-no-narrow" without decoding it once more with
    only the phrases of the intent the word check is sure of, "pocketsphinx-no-wide" without
    searching again, with wider beams, a segment whose search reached no sentence's end,
    "pocketsphinx-no-talk-fit" without refusing a command whose free decode heard other words
    that fit the audio clearly better (a long command's stricter mismatch then, a short
    command's free decode)."""
    if name == "pocketsphinx-no-rescue":
        engine = PocketsphinxSettings(transcript_check=TranscriptCheckSettings(rescue_max_s=0))
        return RecognizerSettings(engine="pocketsphinx", pocketsphinx=engine)
    if name == "pocketsphinx-no-fit":
        check = TranscriptCheckSettings(fitting_max_mismatch=TranscriptCheckSettings.max_mismatch,
                                        max_fit_deficit=math.inf, lagging_fit_deficit=math.inf,
                                        fluent_fit_deficit=math.inf, short_free_mismatch=math.inf)
        engine = PocketsphinxSettings(transcript_check=check)
        return RecognizerSettings(engine="pocketsphinx", pocketsphinx=engine)
    if name == "pocketsphinx-no-check":
        engine = PocketsphinxSettings(transcript_check=TranscriptCheckSettings(enabled=False))
        return RecognizerSettings(engine="pocketsphinx", pocketsphinx=engine)
    if name == "pocketsphinx-no-denoise":
        return RecognizerSettings(engine="pocketsphinx", denoise=DenoiseSettings(enabled=False))
    if name == "pocketsphinx-no-word-check":
        return RecognizerSettings(engine="pocketsphinx",
                                  word_check=WordCheckSettings(enabled=False))
    if name == "pocketsphinx-no-narrow":
        return RecognizerSettings(engine="pocketsphinx",
                                  word_check=WordCheckSettings(narrow_probability=2.0))
    if name == "pocketsphinx-no-wide":
        return RecognizerSettings(engine="pocketsphinx",
                                  pocketsphinx=PocketsphinxSettings(wide_beam=None))
    if name == "pocketsphinx-no-talk-fit":
        check = TranscriptCheckSettings(lagging_fit_deficit=math.inf,
                                        fluent_fit_deficit=math.inf, short_free_mismatch=math.inf)
        return RecognizerSettings(engine="pocketsphinx",
                                  pocketsphinx=PocketsphinxSettings(transcript_check=check))
    if name == "pocketsphinx-no-rehear":
        return RecognizerSettings(engine="pocketsphinx",
                                  word_check=WordCheckSettings(vouch_probability=2.0))
    return RecognizerSettings(engine=name)


Item = tuple[str, str | None, np.ndarray, str]
"""(group, intent wanted or None, 16 kHz samples, what was said and by whom)."""


def run(engine: str, items: list[Item], log: TextIO | None = None,
        fresh: bool = False) -> dict[str, object]:
    rec = make_recognizer(settings_for(engine))
    stats: dict[str, list] = {}
    lat, lat_stop, audio_s, cpu_s = [], [], 0.0, 0.0
    for group, want, samples, label in items:
        t0 = time.process_time()
        if fresh:
            rec.restart(room=samples)  # as the CLI hears a file: learning its room costs too
        else:
            rec.reset()
        decisions = [d for b in ArraySource(samples).blocks() if (d := rec.accept(b))]
        if (d := rec.final()) is not None:
            decisions.append(d)
        cpu_s += time.process_time() - t0
        audio_s += len(samples) / RATE
        got = [d for d in decisions if d.intent]
        if log is not None:
            log.write(json.dumps({"engine": engine, "group": group, "item": label, "want": want,
                                  "heard": [[d.text, d.intent and d.intent.name, d.rejected]
                                            for d in decisions]}) + "\n")
        if want is None:
            stats.setdefault(group, []).append(bool(got))
        else:
            ok = any(d.intent.name == want for d in got) and all(
                d.intent.name == want for d in got)
            stats.setdefault(group, []).append(ok)
            for d in got:
                (lat_stop if want in STOPLIKE else lat).append(d.time_s - d.speech_end_s)
    for snr in ("clean", *(f"{snr}dB" for snr in SNRS if snr is not None)):
        if oks := [ok for k, v in stats.items() if k.startswith(f"acc_{snr}_") for ok in v]:
            stats[f"acc_{snr}"] = oks  # a corpus may leave some levels out
    out: dict[str, object] = {k: round(100 * sum(v) / len(v), 1)
                              for k, v in sorted(stats.items())}
    out["n"] = {k: len(v) for k, v in stats.items()}
    out["rtf"] = round(cpu_s / audio_s, 3)
    out["latency_p90_s"] = round(float(np.percentile(lat, 90)), 2) if lat else None
    out["latency_stop_p90_s"] = round(float(np.percentile(lat_stop, 90)), 2) if lat_stop else None
    return out


def snr_name(snr: int | None) -> str:
    return "clean" if snr is None else f"{snr}dB"


def corpus(quick: bool) -> list[Item]:
    rng = np.random.default_rng(7)
    voices = VOICES[::3] if quick else VOICES
    items: list[Item] = []
    for text, intent in COMMANDS[::2] if quick else COMMANDS:
        for voice in voices:
            speech = speak(text, voice)
            family = "espeak" if voice.engine == "espeak-ng" else "cmu"
            for snr in SNRS:
                items.append((f"acc_{snr_name(snr)}_{family}", intent,
                              with_noise(speech, snr, rng), f"{text} / {voice} / {snr_name(snr)}"))
    for text in CHATTER[::2] if quick else CHATTER:
        for voice in voices:
            items.append(("fa_chatter", None, with_noise(speak(text, voice), 20, rng),
                          f"{text} / {voice}"))
    for text in WORDS:
        for voice in voices[::2]:
            items.append(("fa_words", None, with_noise(speak(text, voice), None, rng),
                          f"{text} / {voice}"))
    clips = sorted((ROOT / "tests/data/speech_commands").glob("*/*.wav"))
    for path in clips[::3] if quick else clips:
        want = HUMAN_COMMANDS.get(path.parent.name)
        items.append(("acc_human" if want else "fa_words_human", want,
                      np.concatenate(list(WavSource(path, tail_silence_s=0.6).blocks())),
                      f"{path.parent.name}/{path.name}"))
    for i in range(4 if quick else 40):
        items.append(("fa_noise", None, (gym_noise(5.0, rng) * 32767).astype(np.int16),
                      f"gym noise {i}"))
    # Last, with noise of their own: the items above stay as they were without the extra
    # (the recogniser's cepstral mean follows the order).
    items += voice_items([v for v in NEURAL if available(v)], "neural", quick,
                         np.random.default_rng(9))
    return items + clean_items(voices) + pyttsx3_items()


def clean_items(voices: list[PersonVoice]) -> list[Item]:
    """Commands said with "okay", "please", "coach" around them and remarks and chatter that
    start or end that way; everyday talk a few phones from a command; polite requests and talk
    that starts like one: clean, from the CMU voices. Each group was added after the ones
    before, so that their items stay as they were (the recogniser's state follows the order)."""
    groups: list[tuple[str, Sequence[tuple[str, str | None]]]] = [
        ("acc_clean_wrapped", WRAPPED), ("fa_chatter_wrapped", not_commands(WRAPPED_CHATTER)),
        ("fa_talk", not_commands(TALK)), ("acc_clean_polite", POLITE),
        ("fa_talk_polite", not_commands(POLITE_TALK)), ("acc_clean_polite", POLITE_WE)]
    cmu, clean = [v for v in voices if v in PEOPLE], np.random.default_rng(0)  # draws none
    return [(group, intent, with_noise(speak(text, v), None, clean), f"{text} / {v}")
            for group, said in groups for text, intent in said for v in cmu]


def pyttsx3_items() -> list[Item]:
    """The commands in pyttsx3's default voice, clean; last, so the items before stay as they
    were."""
    clean = np.random.default_rng(0)  # draws none
    return [("acc_clean_pyttsx3", intent, with_noise(speak(text, PYTTSX3_DEFAULT), None, clean),
             f"{text} / {PYTTSX3_DEFAULT}") for text, intent in COMMANDS]


def not_commands(texts: list[str]) -> list[tuple[str, str | None]]:
    """``texts`` as (text, intent wanted) pairs: talk, no command wanted."""
    return [(text, None) for text in texts]


def voice_items(voices: list[PersonVoice], family: str, quick: bool,
                rng: np.random.Generator) -> list[Item]:
    """Commands at every SNR, chatter at 20 dB and single words, spoken by ``voices``, in
    groups of their own (acc_clean_neural, fa_words_neural, ...)."""
    items: list[Item] = []
    for voice in voices:
        for text, intent in COMMANDS[::2] if quick else COMMANDS:
            speech = speak(text, voice)
            for snr in SNRS:
                items.append((f"acc_{snr_name(snr)}_{family}", intent,
                              with_noise(speech, snr, rng), f"{text} / {voice} / {snr_name(snr)}"))
        for text in CHATTER[::2] if quick else CHATTER:
            items.append((f"fa_chatter_{family}", None, with_noise(speak(text, voice), 20, rng),
                          f"{text} / {voice}"))
        for text in WORDS:
            items.append((f"fa_words_{family}", None, with_noise(speak(text, voice), None, rng),
                          f"{text} / {voice}"))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", action="append")
    parser.add_argument("--items", type=Path, help="write each item's hearing here (JSON lines)")
    parser.add_argument("--fresh", action="store_true",
                        help="hear each item as a first recording, as the CLI hears a file")
    args = parser.parse_args()
    engines = args.engine or (["pocketsphinx", "pocketsphinx-no-check"]
                              + (["vosk"] if find_vosk_model() else []))
    t0 = time.time()
    items = corpus(args.quick)
    report = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
              "python": platform.python_version(), "quick": args.quick, "fresh": args.fresh,
              "corpus_items": len(items), "engines": {}}
    with open(args.items, "w") if args.items else contextlib.nullcontext() as log:
        for engine in engines:
            report["engines"][engine] = run(engine, items, log, args.fresh)
    report["wall_s"] = round(time.time() - t0, 1)
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
