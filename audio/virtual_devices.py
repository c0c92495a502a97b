"""A private PulseAudio server with null sinks: audio devices for machines without a sound card
(tests, benchmarks). Play into a sink; record from (or listen on) "<sink>.monitor".
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path


def start_pulseaudio(runtime: Path, sinks: Sequence[str]) -> dict[str, str]:
    """Start a daemon whose socket lives in ``runtime`` (a private 0700 directory) with one
    null sink per name; returns the environment that reaches it. Raises RuntimeError if it
    does not answer."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}
    env.pop("PULSE_SERVER", None)
    subprocess.run(["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
                    "--use-pid-file=yes", "--load=module-native-protocol-unix",
                    *(f"--load=module-null-sink sink_name={sink}" for sink in sinks),
                    "--load=module-always-sink"], env=env, check=True, timeout=20)
    for _ in range(100):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            return env
        time.sleep(0.05)
    raise RuntimeError("pulseaudio did not come up")
