"""`hinge-coach doctor`: check every part of the unit and say how to fix what is broken.

Each check runs on its own thread with a time limit and catches everything, so a missing
sound card, PortAudio library or GPIO chip becomes a line with a fix-it hint, never a
traceback or a hang::

    checks = run_checks(load_config(path), path)
    print(format_report(checks))
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import math
import os
import queue
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Config, ConfigError, default_config_path, load_config
from assistant.paths import calibration_path
from audio.denoise import DenoiseSettings
from audio.echo_cancel import EchoCancelSettings
from audio.microphone import MicrophoneSettings, find_input_device
from audio.recognizer import RecognizerSettings
from audio.speaker import SpeakerSettings
from audio.word_check import WordCheckSettings
from hardware.sensor import SensorSettings

__all__ = ["Check", "doctor_main", "format_report", "run_checks"]

EXIT_OK, EXIT_BROKEN = 0, 1


@dataclass(frozen=True)
class Check:
    """The verdict on one part of the unit."""

    component: str
    """config, microphone, speaker, tts, cue-cache, recognizer, sensor or calibration."""
    ok: bool
    """False when this part is broken (doctor then exits 1)."""
    message: str
    """What was found, in one line."""
    fix: str | None = None
    """What to do about it; on a passing check, advice (e.g. a better speech model)."""
    details: dict[str, Any] = field(default_factory=dict)
    """Measurements and lists for --json (device names, readings, levels)."""

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


# -- running ------------------------------------------------------------------------------

TIMEOUTS_S = {"microphone": 8.0, "speaker": 20.0, "recognizer": 30.0, "sensor": 10.0}
"""Longest each check may take before it is reported as hung (default 5 s)."""


def _guarded(component: str, check: Callable[[], Check | list[Check]]) -> list[Check]:
    """Run one check on a daemon thread; a crash or a hang becomes a failed Check."""
    timeout_s = TIMEOUTS_S.get(component, 5.0)
    box: queue.Queue[list[Check] | BaseException] = queue.Queue()

    def target() -> None:
        try:
            result = check()
            box.put(result if isinstance(result, list) else [result])
        except BaseException as exc:  # noqa: BLE001 - doctor must never show a traceback
            box.put(exc)

    threading.Thread(target=target, name=f"doctor-{component}", daemon=True).start()
    try:
        outcome = box.get(timeout=timeout_s)
    except queue.Empty:
        # The thread is left behind (it is a daemon): better than hanging the whole report.
        return [Check(component, False, f"check did not finish within {timeout_s:.0f} s",
                      "the device or driver is hanging: unplug and replug it, or reboot")]
    if isinstance(outcome, BaseException):
        return [Check(component, False,
                      f"check failed unexpectedly: {type(outcome).__name__}: {outcome}",
                      "please report this output to the hinge-coach developers")]
    return outcome


def run_checks(config: Config, config_path: Path | None, *,
               config_check: Check | None = None) -> list[Check]:
    """Check everything with ``config`` (loaded from ``config_path``, None: built-in defaults).

    ``config_check`` replaces the config verdict, e.g. a failed load whose defaults are used.
    """
    checks = [config_check or _loaded(config_path)]
    for component, check in (
        ("microphone", lambda: check_microphone(config.microphone)),
        ("speaker", lambda: check_speaker(config.speaker)),
        ("recognizer", lambda: check_recognizer(config.recognizer)),
        ("noise-suppression", lambda: check_denoise(config.recognizer.denoise)),
        ("word-check", lambda: check_word_check(config.recognizer.word_check)),
        ("echo-cancellation", lambda: check_echo_cancel(config.microphone.echo_cancel)),
        ("sensor", lambda: check_sensor(config.sensor)),
        ("calibration", check_calibration),
    ):
        checks += _guarded(component, check)
    return checks


def load_for_doctor(config_path: Path | None) -> tuple[Config, Check]:
    """The config and its verdict; a config that doesn't load fails and defaults are used."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return Config(), Check(
            "config", False, f"{exc} (checking the rest with the built-in defaults)",
            "fix that line; `hinge-coach config --default` prints every key with its meaning, "
            "`hinge-coach config --check FILE` validates a file",
            {"path": str(config_path) if config_path else None})
    except Exception as exc:  # noqa: BLE001 - e.g. a broken exercise library
        return Config(), Check("config", False, f"cannot load config: {exc}",
                               "reinstall hinge-coach", {"path": str(config_path)})
    return config, _loaded(config_path)


def _loaded(config_path: Path | None) -> Check:
    where = str(config_path) if config_path else "no config file: built-in defaults"
    return Check("config", True, f"loaded {where}",
                 details={"path": str(config_path) if config_path else None})


def doctor_main(config_path: Path | None, as_json: bool) -> int:
    """`hinge-coach doctor [--json] [--config FILE]`: 0 when nothing is broken, else 1.

    ``config_path`` None means the usual place ($HINGE_COACH_CONFIG, /etc/hinge-coach).
    """
    path = config_path if config_path is not None else default_config_path()
    config, config_check = load_for_doctor(path)
    checks = run_checks(config, path, config_check=config_check)
    ok = all(c.ok for c in checks)
    if as_json:
        print(json.dumps({"ok": ok, "checks": [c.to_json() for c in checks]}, indent=2,
                         allow_nan=False))
    else:
        print(format_report(checks))
    return EXIT_OK if ok else EXIT_BROKEN


def format_report(checks: Sequence[Check]) -> str:
    """The human-readable report: one line per check, fixes and how-tos indented below."""
    width = max(len(c.component) for c in checks)
    lines = ["hinge-coach doctor", ""]
    for c in checks:
        lines.append(f"{'ok' if c.ok else 'BROKEN':6}  {c.component:{width}}  {c.message}")
        indent = " " * (8 + width + 2)
        if c.fix:
            lines.append(f"{indent}{'fix' if not c.ok else 'tip'}: {c.fix}")
        for extra in c.details.get("how_to", []):
            lines.append(f"{indent}  {extra}")
    broken = [c.component for c in checks if not c.ok]
    lines.append("")
    lines.append(f"{len(broken)} broken: {', '.join(broken)}." if broken
                 else "Everything checks out.")
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    """Plain JSON: no NaN/inf (they are not JSON), tuples as lists, paths as strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):  # numpy scalars from measurements
        return _jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


# -- microphone ---------------------------------------------------------------------------

NO_SOUND_CARD_FIX = ("plug in a USB microphone/speaker and check `arecord -l` / `aplay -l`; "
                     "the service user must be in the audio group")


def check_microphone(settings: MicrophoneSettings, first_frame_s: float = 3.0,
                     listen_s: float = 1.0) -> Check:
    """Open the input device as the runtime does, wait for real frames, measure their level.

    The ALSA "pulse" device sometimes takes 2 s to deliver its first block (measured here at
    PortAudio's default latency), hence 3 s before calling the device dead.
    """
    try:
        import sounddevice as sd
    except OSError as exc:  # the Python package is there, the C library is not
        return Check("microphone", False, f"PortAudio library missing: {exc}",
                     "sudo apt install libportaudio2")
    try:
        devices = [dict(d) for d in sd.query_devices()]
    except Exception as exc:  # noqa: BLE001 - PortAudioError: the host API itself failed
        return Check("microphone", False, f"PortAudio cannot list devices: {exc}",
                     NO_SOUND_CARD_FIX)
    inputs = [d["name"] for d in devices if d.get("max_input_channels", 0) > 0]
    details: dict[str, Any] = {"device": settings.device, "input_devices": inputs}
    if not inputs:
        return Check("microphone", False, "no audio input devices at all (no sound card here?)",
                     NO_SOUND_CARD_FIX, details)
    try:
        index = find_input_device(settings.device, devices)
    except LookupError:
        return Check("microphone", False,
                     f"no input device matching {settings.device!r}; inputs: {', '.join(inputs)}",
                     "set [microphone] device to part of one of those names", details)
    if index is None:
        index = sd.default.device[0]
        if index is None or index < 0:
            return Check("microphone", False,
                         f"no default input device; inputs: {', '.join(inputs)}",
                         "set [microphone] device to part of one of those names", details)
    name = devices[index]["name"]
    rate = int(settings.rate_hz or devices[index]["default_samplerate"])
    details.update(opened=name, rate_hz=rate)
    try:
        got, first_s, elapsed_s = _record(sd, index, rate, settings, first_frame_s, listen_s)
    except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
        return Check("microphone", False, f"cannot open {name!r} at {rate} Hz: {exc}",
                     "is it in use (stop the service: sudo systemctl stop hinge-coach)? A USB mic "
                     "may only do 44100/48000 Hz: set [microphone] rate_hz", details)
    if first_s is None:
        return Check("microphone", False,
                     f"{name!r} opened but no frames arrived within {first_frame_s:g} s",
                     "the microphone may be unplugged, muted at the driver or in use: replug "
                     "it and check `arecord -l`", details)
    audio = np.concatenate(got).astype(np.float64) / 32768.0
    frames = len(audio) // max(1, settings.channels)
    share = frames / (rate * elapsed_s) if elapsed_s > 0 else 0.0
    rms, peak = _dbfs(float(np.sqrt(np.mean(audio**2)))), _dbfs(float(np.max(np.abs(audio))))
    details.update(first_frame_ms=round(first_s * 1000), frames=frames,
                   seconds=round(elapsed_s, 2), frame_share=round(share, 2),
                   level_dbfs=rms, peak_dbfs=peak)
    level = "digital silence" if rms is None else f"level {rms:.0f} dBFS (peak {peak:.0f})"
    message = (f"{name!r} at {rate} Hz: first frames after {first_s * 1000:.0f} ms, "
               f"{share:.0%} of the expected frames, {level}")
    if share < settings.min_frame_ratio:
        return Check("microphone", False, message,
                     "frames arrive too slowly: the device is stalling (USB power? another "
                     "program holding it?); try another port or a powered hub", details)
    tips = []
    if rms is None or rms < -80:
        tips.append("no sound at all: if this is a real microphone, check it is not muted "
                    "(alsamixer)")
    elif peak is not None and peak > -0.5:
        tips.append("the input clips: lower the capture gain in alsamixer")
    if first_s > settings.watchdog_s:
        # The runtime's frame watchdog counts from the moment the stream opens.
        tips.append(f"the first frames took longer than [microphone] watchdog_s = "
                    f"{settings.watchdog_s:g} s: the live microphone may take that for a stall "
                    "and reopen; raise watchdog_s")
    return Check("microphone", True, message, "; ".join(tips) or None, details)


def _record(sd: Any, index: int, rate: int, settings: MicrophoneSettings,
            first_frame_s: float, listen_s: float) -> tuple[list[np.ndarray], float | None, float]:
    """Record: (blocks, seconds to the first frame or None, seconds of audio time covered)."""
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    stream = sd.InputStream(device=index, samplerate=rate, channels=settings.channels,
                            dtype="int16", blocksize=int(rate * settings.block_s),
                            callback=lambda data, *_: blocks.put(data.copy()))
    got: list[np.ndarray] = []
    start = time.monotonic()
    first: float | None = None
    first_block_s = 0.0
    stream.start()
    try:
        deadline = start + first_frame_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(blocks.get(timeout=min(left, 0.1)))
            except queue.Empty:
                continue
            if first is None:
                # Measure from the first block: some hosts (the ALSA "pulse" device) take a
                # while to start, then deliver at full rate, possibly in large blocks.
                first = time.monotonic() - start
                first_block_s = len(got[0]) / rate
                deadline = time.monotonic() + max(listen_s, 2 * first_block_s)
        end = time.monotonic()
    finally:
        stream.abort()
        stream.close()
    if first is None:
        return got, None, 0.0
    # The first block holds audio captured before it arrived: count its length as time too.
    return got, first, end - start - first + first_block_s


def _dbfs(amplitude: float) -> float | None:
    return None if amplitude <= 0 else round(20 * math.log10(amplitude), 1)


# -- speaker, TTS, cue cache --------------------------------------------------------------

_SPEAKER_PARTS = {"audio-output": "speaker", "tts": "tts", "cue-cache": "cue-cache"}


def check_speaker(settings: SpeakerSettings) -> list[Check]:
    """audio.speaker's own doctor check, one Check per part, with device names added."""
    from audio.speaker import doctor_check

    problems = doctor_check(settings)
    device = settings.player.device
    outputs = _output_devices()
    cache_dir = Path(settings.cache_dir)
    cached = len(list(cache_dir.glob("*.wav"))) if cache_dir.is_dir() else 0
    found = {_SPEAKER_PARTS.get(p.component, p.component): p for p in problems}
    details = {
        "speaker": {"device": device, "output_devices": outputs,
                    "sample_rate_hz": settings.player.sample_rate_hz},
        "tts": {"voice": settings.voice, "rate_wpm": settings.rate_wpm},
        "cue-cache": {"dir": str(cache_dir), "cached": cached},
    }
    ok_message = {
        "speaker": f"output device {device or 'default'!r} accepts "
                   f"{settings.player.sample_rate_hz} Hz mono",
        "tts": f"espeak-ng renders voice {settings.voice!r} at {settings.rate_wpm} wpm",
        "cue-cache": f"{cached} cues cached in {cache_dir}",
    }
    checks = []
    for part in ("speaker", "tts", "cue-cache"):
        problem = found.pop(part, None)
        if problem is None:
            checks.append(Check(part, True, ok_message[part], details=details[part]))
        elif part == "cue-cache" and "not built" in problem.message:
            # Not broken: the coach renders missing cues on its first start.
            checks.append(Check(part, True, f"{cached} cues cached in {cache_dir}; "
                                f"{problem.message}", problem.fix, details[part]))
        elif part == "speaker":
            checks.append(_speaker_problem(problem.message, problem.fix, outputs, details[part]))
        else:
            checks.append(Check(part, False, problem.message, problem.fix, details[part]))
    checks += [Check(p.component, False, p.message, p.fix) for p in found.values()]
    return checks


def _speaker_problem(message: str, fix: str, outputs: list[str] | None,
                     details: dict[str, Any]) -> Check:
    if outputs == []:
        return Check("speaker", False,
                     f"no audio output devices at all (no sound card here?): {message}",
                     NO_SOUND_CARD_FIX + "; meanwhile cues are printed instead", details)
    if outputs:
        message = f"{message}; outputs: {', '.join(outputs)}"
    return Check("speaker", False, message, fix, details)


def _output_devices() -> list[str] | None:
    """Output device names, or None when PortAudio itself is missing."""
    try:
        import sounddevice as sd

        return [d["name"] for d in sd.query_devices() if d["max_output_channels"] > 0]
    except Exception:  # noqa: BLE001 - doctor_check explains a missing PortAudio
        return None


# -- recogniser ---------------------------------------------------------------------------


def check_recognizer(settings: RecognizerSettings) -> Check:
    """Which engine `auto` picks, whether its model is there, and that it really loads."""
    from audio.models import find_vosk_model, is_vosk_model, models_report

    try:
        report = models_report()
    except Exception as exc:  # noqa: BLE001 - e.g. pocketsphinx not installed
        report = f"cannot list speech models: {type(exc).__name__}: {exc}"
    english = settings.vosk_model_dir or find_vosk_model()
    engine = settings.engine
    chosen = ("vosk" if english else "pocketsphinx") if engine == "auto" else engine
    how_to = _how_to_get_vosk(report) if not english else []
    details: dict[str, Any] = {"engine": engine, "chosen": chosen, "vosk_model": english,
                               "pocketsphinx_model": _pocketsphinx_model(),
                               "models_report": report, "how_to": how_to}
    get_vosk = "get the English vosk model as shown below (`hinge-coach models` lists models)"
    if settings.vosk_model_dir and not is_vosk_model(Path(settings.vosk_model_dir)):
        return Check("recognizer", False, f"recognizer.vosk_model_dir = "
                     f"{settings.vosk_model_dir!r} is not a vosk model (needs am/ and conf/)",
                     "point it at an unpacked model directory, or remove it to search the "
                     "usual places", details)
    if chosen == "vosk" and not english:
        return Check("recognizer", False, "engine = \"vosk\" but no English vosk model found",
                     f"{get_vosk}; or set [recognizer] engine = \"pocketsphinx\"", details)
    if chosen == "pocketsphinx" and details["pocketsphinx_model"] is None:
        return Check("recognizer", False, "pocketsphinx or its bundled US-English model is "
                     "missing", "pip install --force-reinstall pocketsphinx", details)
    from audio.recognizer import make_recognizer

    start = time.monotonic()
    try:
        recognizer = make_recognizer(settings)
        recognizer.accept(np.zeros(8000, dtype=np.int16))  # half a second of silence decodes
    except Exception as exc:  # noqa: BLE001 - a broken model or grammar
        return Check("recognizer", False, f"{chosen} failed to load: {exc}",
                     "reinstall the engine (pip install pocketsphinx vosk==0.3.45) and check "
                     "the model directory", details)
    load_s = time.monotonic() - start
    details["load_s"] = round(load_s, 2)
    model = f"vosk model {english}" if chosen == "vosk" else "bundled US-English model"
    message = f"engine {engine!r} uses {chosen} ({model}; loaded in {load_s:.1f} s)"
    if chosen == "pocketsphinx":
        details["pocketsphinx_build"] = build = _pocketsphinx_build()
        message += f"; {build}"
    if not english:
        return Check("recognizer", True, message + "; no English vosk model",
                     f"for better accuracy {get_vosk}", details)
    return Check("recognizer", True, message, details=details)


def check_denoise(settings: DenoiseSettings) -> Check:
    """RNNoise loads and runs; without it commands are much harder to hear in a loud room."""
    from audio import rnnoise_simd
    from audio.denoise import INSTALL_HINT, Denoiser, RnnoiseUnavailable, find_library

    name = "noise-suppression"
    if not settings.enabled:
        return Check(name, True, "off ([recognizer.denoise] enabled = false)")
    details = {"library": str(find_library(settings.library) or ""),
               "noisy_above_dbfs": settings.noisy_above_dbfs}
    try:
        denoiser = Denoiser(settings)
        denoiser.process(np.zeros(8000, dtype=np.int16))
    except RnnoiseUnavailable as exc:
        return Check(name, True, f"unavailable: {exc}; commands are much harder to hear in a "
                     "loud room", INSTALL_HINT, details)
    details["speedup"] = rnnoise_simd.status
    hint = None if denoiser.accelerated else rnnoise_simd.BUILD_HINT
    return Check(name, True, f"RNNoise from {details['library']}, used while the background "
                 f"is above {settings.noisy_above_dbfs:g} dBFS, computed by "
                 f"{rnnoise_simd.MODE_NAMES[denoiser.mode]} (speedup {rnnoise_simd.status})",
                 hint, details)


def check_word_check(settings: WordCheckSettings) -> Check:
    """The speech embedding loads and runs; without it more stray words pass as commands."""
    from audio.word_check import INSTALL_HINT, WordCheck, WordCheckUnavailable, find_models

    name = "word-check"
    if not settings.enabled:
        return Check(name, True, "off ([recognizer.word_check] enabled = false)")
    details = {"models": str(find_models(settings.models_dir) or "")}
    try:
        check = WordCheck(settings)
        check.check("stop", np.zeros(8000, dtype=np.int16))
    except WordCheckUnavailable as exc:
        return Check(name, True, f"unavailable: {exc}; more stray words are taken for short "
                     "commands", INSTALL_HINT, details)
    return Check(name, True, f"speech embedding from {details['models']}, checking "
                 f"{len(check.phrases)} short commands", details=details)


def check_echo_cancel(settings: EchoCancelSettings) -> Check:
    """speexdsp loads and cancels; without it a stop said while the coach talks is not heard."""
    from audio.echo_cancel import EchoCancelUnavailable, SpeexCanceller

    name = "echo-cancellation"
    if not settings.enabled:
        return Check(name, True, "off ([microphone.echo_cancel] enabled = false): stop and "
                     "pause are heard only in the coach's pauses")
    silence = np.zeros(160, dtype=np.int16)
    try:
        SpeexCanceller(settings).frame(silence, silence)
    except EchoCancelUnavailable as exc:
        return Check(name, True, f"unavailable: {exc}; stop and pause are heard only in the "
                     "coach's pauses", "sudo apt install libspeexdsp1")
    return Check(name, True, f"speexdsp, the coach's voice is taken out of the microphone "
                 f"({settings.filter_s:g} s of echo)")


def _how_to_get_vosk(report: str) -> list[str]:
    lines = report.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("No English vosk")), None)
    return [] if start is None else lines[start:]


def _pocketsphinx_build() -> str:
    """Which pocketsphinx is installed: built here with the speedups, or the stock wheel."""
    version = importlib.metadata.version("pocketsphinx")
    if version.endswith("+hinge1"):
        return f"pocketsphinx {version}, built here with the speedups"
    return (f"pocketsphinx {version}, the stock wheel (bash scripts/build-native.sh: the same "
            "results with about a third less CPU)")


def _pocketsphinx_model() -> str | None:
    try:
        import pocketsphinx

        path = Path(pocketsphinx.get_model_path()) / "en-us"
    except Exception:  # noqa: BLE001 - not installed or broken
        return None
    return str(path) if path.is_dir() else None


# -- sensor -------------------------------------------------------------------------------

SENSOR_READINGS = 5
"""How many readings to take (an HC-SR04 gives about 15 per second)."""


def check_sensor(settings: SensorSettings) -> Check:
    """Open the configured wall sensor, take a few readings, judge them, close it."""
    from hardware.sensor import SensorConfigError, open_sensor

    details: dict[str, Any] = {"kind": settings.kind,
                               "pin_factory_env": os.environ.get("GPIOZERO_PIN_FACTORY")}
    if settings.kind == "none":
        return Check("sensor", True, "no sensor fitted (kind = \"none\"): reps are timed",
                     details=details)
    caught: list[str] = []
    with _collect_warnings(caught):
        try:
            sensor = open_sensor(settings)
        except SensorConfigError as exc:
            fix = ("install the package named above" if "pip install" in str(exc)
                   else "fix the [sensor] table in the config")
            return Check("sensor", False, str(exc), fix, details)
        except Exception as exc:  # noqa: BLE001 - explained by _sensor_failure
            details["warnings"] = caught
            return _sensor_failure(settings, exc, details)
    details["pin_factory"] = _pin_factory_name()
    try:
        readings = [sensor.read() for _ in range(SENSOR_READINGS)]
    finally:
        sensor.close()
    values = [r.distance_cm for r in readings]
    details["readings_cm"] = values
    sane = [v for v in values if v is not None and (v == math.inf or 0 <= v <= 400)]
    shown = ", ".join("-" if v is None else f"{v:g}" for v in values)
    where = _sensor_where(settings)
    if details["pin_factory"] == "MockFactory":
        where += " (gpiozero mock pins)"
    if not sane:
        return Check("sensor", False, f"{settings.kind} at {where} opened but gave no readings "
                     f"({shown})", _wiring_fix(settings), details)
    message = f"{settings.kind} at {where}: {len(sane)}/{len(values)} readings ({shown} cm)"
    if settings.kind in ("hcsr04", "tof") and all(v >= settings.max_distance_cm for v in sane):
        return Check("sensor", True, message + "; nothing in front of it",
                     "stand in front of the sensor to see your distance", details)
    return Check("sensor", True, message, details=details)


@contextlib.contextmanager
def _collect_warnings(into: list[str]) -> Iterator[None]:
    """Keep warnings (gpiozero's one per pin factory it fails to load) off stderr.

    Not warnings.catch_warnings: that would also undo the filters the driver installs while
    opening (the HC-SR04 driver silences its no-echo warning for good).
    """
    saved = warnings.showwarning
    warnings.showwarning = lambda message, *_args, **_kw: into.append(str(message))
    try:
        yield
    finally:
        warnings.showwarning = saved


def _sensor_failure(settings: SensorSettings, exc: Exception, details: dict[str, Any]) -> Check:
    name = f"{type(exc).__name__}: {exc}"
    details["error"] = name
    try:
        from gpiozero.exc import BadPinFactory, GPIOPinInUse
    except ImportError:
        return Check("sensor", False, f"gpiozero is not installed ({exc})",
                     "pip install gpiozero", details)
    no_gpio = ("set GPIOZERO_PIN_FACTORY=mock to test without one; on a Pi install lgpio "
               "(sudo apt install python3-lgpio) and check the wiring; or set [sensor] "
               "kind = \"none\" for timed reps")
    if isinstance(exc, BadPinFactory):
        return Check("sensor", False, f"cannot open the {settings.kind} sensor: no GPIO here "
                     "(not a Raspberry Pi?): gpiozero found no pin factory", no_gpio, details)
    if isinstance(exc, GPIOPinInUse):
        return Check("sensor", False, f"{_sensor_where(settings)} already in use ({exc})",
                     "is the hinge-coach service running? sudo systemctl stop hinge-coach",
                     details)
    if isinstance(exc, PermissionError):
        return Check("sensor", False, f"no permission to open the sensor ({exc})",
                     "add the service user to the gpio and i2c groups", details)
    if settings.kind == "tof" and isinstance(exc, OSError):
        return Check("sensor", False, f"no time-of-flight sensor on I2C bus {settings.i2c_bus} "
                     f"at {settings.i2c_address:#x} ({exc})",
                     "enable I2C (sudo raspi-config), check wiring and `i2cdetect -y "
                     f"{settings.i2c_bus}`", details)
    if isinstance(exc, OSError | ImportError):
        return Check("sensor", False, f"cannot open the {settings.kind} sensor ({name})",
                     no_gpio, details)
    return Check("sensor", False, f"cannot open the {settings.kind} sensor ({name})",
                 _wiring_fix(settings), details)


def _sensor_where(settings: SensorSettings) -> str:
    return {
        "hcsr04": f"trigger {settings.trigger_pin}/echo {settings.echo_pin}",
        "ir": f"pin {settings.ir_pin}",
        "tof": f"I2C bus {settings.i2c_bus} address {settings.i2c_address:#x}",
        "trace": str(settings.trace_path),
    }.get(settings.kind, settings.kind)


def _wiring_fix(settings: SensorSettings) -> str:
    if settings.kind == "hcsr04":
        return ("no echo: check the wiring (VCC 5 V, echo through the 5 V -> 3.3 V divider, "
                "trigger/echo pins as configured) and that nothing soft (fabric) faces it")
    if settings.kind == "trace":
        return "the trace file is empty or unreadable: check [sensor] trace_path"
    return "check the wiring and the pins in the [sensor] table"


def _pin_factory_name() -> str | None:
    try:
        from gpiozero import Device

        factory = Device.pin_factory
    except Exception:  # noqa: BLE001 - not a gpiozero sensor
        return None
    return None if factory is None else type(factory).__name__


# -- calibration --------------------------------------------------------------------------


def check_calibration() -> Check:
    """A saved calibration and its figures, or the defaults in use."""
    from hardware.calibration import Calibration, load_calibration

    path = calibration_path()
    details: dict[str, Any] = {"path": str(path)}
    recalibrate = "say \"calibrate the sensor\" while standing in position to measure"
    cal = load_calibration(path)
    if cal is None:
        default = Calibration()
        details.update(saved=False, stand_cm=default.stand_cm, tap_cm=default.tap_cm)
        figures = f"stand {default.stand_cm:g} cm, tap at {default.tap_cm:g} cm or closer"
        if path.exists():
            return Check("calibration", False, f"{path} is unreadable or nonsensical; defaults "
                         f"in use ({figures})", f"{recalibrate} again (it rewrites the file), "
                         f"or delete {path}", details)
        return Check("calibration", True, f"no calibration saved at {path}; defaults in use "
                     f"({figures})", recalibrate, details)
    details.update(saved=True, stand_cm=cal.stand_cm, tap_cm=cal.tap_cm, touch_cm=cal.touch_cm)
    touch = "" if cal.touch_cm is None else f", touch {cal.touch_cm:g} cm"
    return Check("calibration", True, f"saved in {path}: stand {cal.stand_cm:g} cm{touch}, "
                 f"tap at {cal.tap_cm:g} cm or closer", details=details)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.doctor [--json] [--config FILE]` (same as `hinge-coach doctor`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="hinge-coach doctor")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file to check")
    args = parser.parse_args(argv)
    return doctor_main(args.config, args.json)


if __name__ == "__main__":
    raise SystemExit(main())
