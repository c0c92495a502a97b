"""A private PulseAudio server with a null sink, as a virtual sound card for device tests.

Use in a test module::

    from tests.pulse_fixture import pulse  # noqa: F401  (the fixture)

    def test_record(pulse):
        pulse.play(samples, 16_000)            # into the null sink "virt_out"
        # record from device "pulse" with PULSE_SOURCE=virt_out.monitor (already set)

The server lives for one test module, in its own XDG_RUNTIME_DIR; sounddevice/PortAudio is
re-initialised so it sees the "pulse" ALSA device. Skips only if pulseaudio is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from audio.virtual_devices import start_pulseaudio

SINK = "virt_out"
"""Name of the null sink; its monitor source is SINK + ".monitor"."""


@dataclass
class PulseServer:
    """Handles to the running server."""

    runtime_dir: Path
    """Private XDG_RUNTIME_DIR holding the server socket."""
    env: dict[str, str]
    """Environment for subprocesses (pactl, paplay) talking to this server."""

    @property
    def monitor(self) -> str:
        return f"{SINK}.monitor"

    def pactl(self, *args: str) -> str:
        return subprocess.run(["pactl", *args], env=self.env, check=True, capture_output=True,
                              text=True, timeout=10).stdout

    def play(self, samples: np.ndarray, rate_hz: int, wait: bool = True) -> subprocess.Popen:
        """Play int16 mono samples into the null sink with paplay."""
        path = self.runtime_dir / f"play-{time.monotonic_ns()}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate_hz)
            w.writeframes(np.asarray(samples, dtype=np.int16).tobytes())
        proc = subprocess.Popen(["paplay", f"--device={SINK}", str(path)], env=self.env)
        if wait:
            proc.wait(timeout=30)
        return proc


def _reinit_portaudio(warm_up: bool = False) -> None:
    try:
        import sounddevice as sd
    except OSError:
        return
    sd._terminate()  # PortAudio lists devices only when initialised
    sd._initialize()
    if warm_up:
        # The first stream on a fresh server delivers only a few hundred frames per second
        # for a while; open one briefly so tests start from a warm server.
        try:
            with sd.InputStream(device="pulse", samplerate=48_000, channels=1, dtype="int16"):
                time.sleep(1.0)
        except Exception:  # noqa: BLE001 - a test will report the real problem
            pass


@pytest.fixture(scope="module")
def pulse() -> Iterator[PulseServer]:
    """Start a private PulseAudio with null sink virt_out; point PULSE_SOURCE at its monitor."""
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed (apt install pulseaudio libasound2-plugins)")
    runtime = Path(tempfile.mkdtemp(prefix="pulse-test-"))
    os.chmod(runtime, 0o700)
    saved = {k: os.environ.get(k) for k in ("XDG_RUNTIME_DIR", "PULSE_SOURCE", "PULSE_SINK",
                                            "PULSE_SERVER", "HOME")}
    env = start_pulseaudio(runtime, [SINK])
    server = PulseServer(runtime, env)
    os.environ.update({"XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime),
                       "PULSE_SOURCE": server.monitor, "PULSE_SINK": SINK})
    os.environ.pop("PULSE_SERVER", None)
    _reinit_portaudio(warm_up=True)
    try:
        yield server
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env, timeout=10, check=False)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reinit_portaudio()
        shutil.rmtree(runtime, ignore_errors=True)
