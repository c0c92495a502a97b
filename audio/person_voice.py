"""The person's voice, rendered: speech for simulation, tests and benchmarks.

The coach speaks with espeak-ng; the person is rendered with other synthesisers, since a
recogniser should be judged on speech like a person's. pocketsphinx's acoustic model hears
flite's and festival's CMU voices (built from recordings of people) about as well as real
speech, and espeak-ng's formant voices hardly at all (docs/benchmarks.md).

>>> samples = render("how many left", PersonVoice("flite", "slt"))
>>> samples.dtype, len(samples) > 8_000
(dtype('int16'), True)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .resample import resample_all
from .wav import read_wav

RATE_HZ = 16_000


@dataclass(frozen=True)
class PersonVoice:
    """One synthetic speaker."""

    engine: str
    """flite, festival or espeak-ng."""
    name: str
    """The engine's voice: flite slt/awb/rms/kal16; festival voice_kal_diphone; espeak-ng en-us."""
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

_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")


def as_said(text: str) -> str:
    """A plural acronym spelled out as people say it: "RDLs" is "R D L's" ("ar dee ells");
    the synthesisers read it as R D L S."""
    return _ACRONYM_PLURAL.sub(lambda m: " ".join(m.group(1)) + "'s", text)


_PROGRAMS = {"flite": "flite", "festival": "text2wave", "espeak-ng": "espeak-ng"}


class VoiceUnavailable(RuntimeError):
    """The synthesiser for a voice is not installed or failed."""


def available(voice: PersonVoice) -> bool:
    """Whether the voice's synthesiser is installed."""
    return shutil.which(_PROGRAMS.get(voice.engine, "")) is not None


def render(text: str, voice: PersonVoice = DEFAULT_VOICE) -> np.ndarray:
    """``text`` spoken by ``voice``: 16 kHz mono int16."""
    if not available(voice):
        raise VoiceUnavailable(f"{voice.engine} is not installed (scripts/install-system-deps.sh)")
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
    raise VoiceUnavailable(f"unknown speech engine {voice.engine!r}")
