"""Voice-out latency benchmark: ``python bench/cues.py --json`` prints ONE JSON line.

Latencies are measured at the PortAudio callback boundary: from the coach's call (``say``,
``earcon``, ``stop``) to the callback that hands the first sample (or the first all-silent
block) to the output stream. By default the stream is a simulated sound card that calls back at
the real-time block rate on its own thread (``--device pulse --pulse`` uses a private
PulseAudio null sink instead; its callbacks are bursty, see docs/voice_out.md).

anchor_p50_ms: pyttsx3's own ``say()`` + ``runAndWait()`` in a separate process, timed to the
moment its espeak driver spawns ``aplay`` (the earliest it could make a sound; aplay's own
start-up and device open come on top, so this is a lower bound).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio.cue_cache import COUNT_WORDS, print_progress  # noqa: E402
from audio.fake_output import ClockedOutputStream  # noqa: E402
from audio.player import PlayerSettings, Priority  # noqa: E402
from audio.speaker import Speaker, SpeakerSettings  # noqa: E402
from audio.tts import shared_renderer  # noqa: E402


def cue_texts() -> list[str]:
    """The unit's whole cue set, as `hinge-coach cache build` renders it, plus one..hundred."""
    from assistant.cue_texts import cue_texts as unit_cues
    from assistant.wiring import help_lines
    from intents.grammar import load_default_grammar

    lines = list(help_lines(load_default_grammar()).values())
    return list(dict.fromkeys([*unit_cues(lines), *COUNT_WORDS]))


def pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values) * 1000.0, q)), 2)


def anchor_once() -> None:
    """(subprocess) pyttsx3 say()+runAndWait() -> first write by its aplay, per cue, as JSON.

    The espeak driver synthesises the whole cue, writes a temp WAV, then runs
    ``os.system("aplay FILE -q")``. We time say() -> that call, then run the same aplay
    command on ALSA's "null" device (no sound card here; "null" does not pace, so aplay's wall
    time is its start-up, ALSA config and device open plus an instant write) and add it.
    """
    import shlex

    import pyttsx3
    import pyttsx3.drivers.espeak as drv

    samples: list[float] = []
    t0 = [0.0]

    def timed_system(cmd: str) -> int:
        spawn = time.perf_counter() - t0[0]
        argv = shlex.split(cmd)
        argv[1:1] = ["-D", "null"]
        t = time.perf_counter()
        rc = subprocess.run(argv, check=False).returncode
        samples.append(spawn + time.perf_counter() - t)
        return rc

    drv.os.system = timed_system
    drv.print = lambda *a, **k: None
    engine = pyttsx3.init("espeak")
    t0[0] = time.perf_counter()
    engine.say("warm up")  # the first runAndWait() returns early: don't count it
    engine.runAndWait()
    time.sleep(0.2)
    samples.clear()
    for text in ["Hips back.", "Stand tall.", "Good rep.", "four", "Pause at the bottom."] * 4:
        t0[0] = time.perf_counter()
        engine.say(text)
        engine.runAndWait()
    print(json.dumps(samples))


def start_private_pulse() -> dict[str, str]:
    run = Path(tempfile.mkdtemp(prefix="bench-pulse-"))
    run.chmod(0o700)
    env = {"XDG_RUNTIME_DIR": str(run), "PULSE_SERVER": f"unix:{run}/pulse/native"}
    subprocess.run(
        [
            "pulseaudio",
            "--daemonize=yes",
            "--exit-idle-time=-1",
            "-n",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=virt_out",
            "--load=module-always-sink",
        ],
        env={**os.environ, **env, "HOME": str(run)},
        check=True,
        timeout=30,
        capture_output=True,
    )
    for _ in range(200):
        if Path(env["PULSE_SERVER"][5:]).exists():
            break
        time.sleep(0.05)
    os.environ.update(env)
    return env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    ap.add_argument("--device", default=None, help='real output device, e.g. "pulse"')
    ap.add_argument("--pulse", action="store_true", help="start a private PulseAudio null sink")
    ap.add_argument("-n", type=int, default=200, help="samples per latency figure")
    ap.add_argument("--anchor-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.anchor_only:
        anchor_once()
        return 0
    pulse_env = start_private_pulse() if args.pulse else None
    texts = cue_texts()
    workdir = Path(tempfile.mkdtemp(prefix="bench-cues-"))
    progress = None if args.json else print_progress

    # Whole cue set, from an empty cache, one engine (as at install / first start).
    renderer = shared_renderer()
    blocks: list[tuple[float, float]] = []  # (callback time, max |sample|) per block

    def factory(**kw):
        inner = kw["callback"]

        def callback(outdata, frames, time_info, status) -> None:
            inner(outdata, frames, time_info, status)
            blocks.append((time.perf_counter(), float(np.max(np.abs(outdata)))))

        kw["callback"] = callback
        if args.device:
            import sounddevice as sd

            from audio.player import resolve_output_device

            kw["device"] = resolve_output_device(kw["device"])
            return sd.OutputStream(**kw)
        return ClockedOutputStream(**kw)

    settings = SpeakerSettings(
        cache_dir=str(workdir / "cues"),
        player=PlayerSettings(device=args.device, stall_timeout_s=30.0),
    )
    spk = Speaker(
        settings,
        renderer=renderer,
        stream_factory=factory,
        clock=time.perf_counter,
        printer=lambda s: None,
    )
    t0 = time.perf_counter()
    report = spk.build(texts, progress=progress)
    cache_build_s = time.perf_counter() - t0

    def settle() -> None:  # random phase against the block clock
        time.sleep(random.uniform(0.002, 0.02))

    def wait_started(snd) -> float:
        while snd.started_at is None:
            time.sleep(0.0002)
        return snd.started_at

    rng = random.Random(1)
    cached: list[float] = []
    for _ in range(args.n):
        settle()
        text = rng.choice(texts)
        t = time.perf_counter()
        snd = spk.say(text, priority=Priority.INFO)
        cached.append(wait_started(snd) - t)
        spk.stop()

    earcons: list[float] = []
    for _ in range(args.n):
        settle()
        t = time.perf_counter()
        snd = spk.earcon(rng.choice(["tap", "rep", "rest_over", "listening", "error"]))
        earcons.append(wait_started(snd) - t)
        spk.stop()

    queued: list = []
    real_play = spk.player.play
    spk.player.play = lambda *a, **k: queued.append(real_play(*a, **k)) or queued[-1]
    uncached: list[float] = []
    for i in range(max(20, args.n // 5)):
        settle()
        queued.clear()
        t = time.perf_counter()
        spk.say(
            f"Set {COUNT_WORDS[i % 100]} done in {COUNT_WORDS[(7 * i) % 100]} seconds.",
            priority=Priority.INFO,
        )
        while not queued:
            time.sleep(0.0002)
        uncached.append(wait_started(queued[0]) - t)
        spk.stop()
    spk.player.play = real_play

    interrupt: list[float] = []
    long_text = max(texts, key=len)
    for _ in range(max(20, args.n // 5)):
        snd = spk.say(long_text, priority=Priority.INFO)
        wait_started(snd)
        time.sleep(random.uniform(0.05, 0.4))
        t = time.perf_counter()
        spk.stop()
        while True:  # first whole block handed over after stop() that is silent
            silent = [bt for bt, peak in list(blocks) if bt > t and peak == 0.0]
            if silent:
                interrupt.append(silent[0] - t)
                break
            time.sleep(0.001)
        blocks.clear()

    anchor_runs = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--anchor-only"],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    rss_mb = int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
    spk.close()
    shutil.rmtree(workdir, ignore_errors=True)
    if pulse_env:
        subprocess.run(
            ["pulseaudio", "--kill"],
            env={**os.environ, **pulse_env},
            capture_output=True,
            timeout=30,
        )
    result = {
        "cached_p50_ms": pct(cached, 50),
        "cached_p99_ms": pct(cached, 99),
        "uncached_p50_ms": pct(uncached, 50),
        "uncached_p99_ms": pct(uncached, 99),
        "earcon_p50_ms": pct(earcons, 50),
        "earcon_p99_ms": pct(earcons, 99),
        "interrupt_ms": pct(interrupt, 99),
        "interrupt_p50_ms": pct(interrupt, 50),
        "anchor_p50_ms": pct(anchor_runs, 50),
        "cache_build_s": round(cache_build_s, 2),
        "cues": len(texts),
        "cues_failed": len(report.failed),
        "rss_mb": round(rss_mb, 1),
        "stream": args.device or "clocked-fake-card",
        "blocksize": settings.player.blocksize_frames,
        "rate_hz": settings.player.sample_rate_hz,
        "n": args.n,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu py{platform.python_version()}",
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>18}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
