"""The live runtime: microphone -> recogniser -> coach <- wall sensor, speaker out, real clock.

Two reader threads (sensor, microphone + recogniser) put what they get on one queue; the main
loop alone touches the coach, the rep detector, the timers and the history, so the coach stays
single-threaded exactly as in simulation. Devices that fail are reopened by their own classes;
this loop only has to keep going.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from assistant import sd_notify
from assistant.actions import (
    Action,
    AdjustRate,
    AdjustVolume,
    CancelTimer,
    EnterState,
    Measure,
    PlayEarcon,
    RecordRep,
    RecordShallow,
    SaveCalibration,
    Say,
    SessionEnded,
    SessionStarted,
    StartTimer,
)
from assistant.coach import Coach, State
from assistant.events import DistanceMeasured, Event, Heard, LastSession, PowerOn, TimerFired
from assistant.heap import release_free_memory
from assistant.history import History, spoken_last_time
from assistant.records import action_record
from audio.microphone import AudioSource
from audio.player import Priority
from audio.recognizer import Decision, Recognizer
from hardware.calibration import Calibration, save_calibration
from hardware.readings import Reading
from hardware.rep_detector import DetectorSettings, RepDetector
from hardware.sensor import WallSensor

log = logging.getLogger(__name__)

LOOP_TICK_S = 0.05
"""Longest the main loop sleeps: the detector's no-readings check and the watchdog need it."""
SENSOR_RETRY_S = 0.5
"""Pause after a sensor read raised, so a dead bus doesn't spin the CPU."""
MIC_READY_WAIT_S = 5.0
"""Longest wait for the microphone's first frames before telling systemd we are ready: a unit
whose microphone is missing still coaches by the sensor, so it must not hang in start-up."""


class SpeakerLike(Protocol):
    """What the runtime needs of audio.speaker.Speaker."""

    def say(self, text: str, priority: Priority = ..., key: str | None = ...) -> object: ...
    def earcon(self, name: str) -> object: ...
    def louder(self) -> float: ...
    def quieter(self) -> float: ...
    def slower(self) -> int: ...
    def faster(self) -> int: ...
    def close(self) -> None: ...


@dataclass
class Devices:
    """The unit's real (or virtual) parts."""

    sensor: WallSensor
    microphone: AudioSource
    recognizer: Recognizer
    speaker: SpeakerLike
    history: History | None = None
    """None: no history is kept (e.g. the state directory is not writable)."""


@dataclass
class _Measurement:
    purpose: str
    due: float
    samples: list[float | None] = field(default_factory=list)


class LiveRuntime:
    """Runs the coach on real devices until `stop` is set."""

    def __init__(self, coach: Coach, devices: Devices, calibration: Calibration,
                 calibration_file: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.coach = coach
        self.devices = devices
        self.calibration_file = calibration_file
        self.clock = clock
        self.detector = RepDetector(calibration, DetectorSettings(binary=devices.sensor.binary))
        self.events: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1000)
        self.stop = threading.Event()
        self._timers: dict[str, float] = {}
        self._measuring: _Measurement | None = None
        self._session_id: int | None = None
        self._set_no = 0  # the set the last recorded rep belonged to
        self._hearing = threading.Event()  # the microphone delivered (or gave up)

    # ---- the main loop -------------------------------------------------------------------

    def run(self) -> None:
        """Until stop is set: feed the coach, carry out what it asks, ping the watchdog."""
        readers = [threading.Thread(target=self._read_sensor, name="sensor", daemon=True),
                   threading.Thread(target=self._listen, name="microphone", daemon=True)]
        for thread in readers:
            thread.start()
        pinger = sd_notify.WatchdogPinger.from_env()
        self._tell_last_session()
        self._handle(PowerOn(), self.clock())
        if not self._hearing.wait(MIC_READY_WAIT_S):
            log.warning("no sound from the microphone after %.0f s; starting without it",
                        MIC_READY_WAIT_S)
        sd_notify.ready()
        try:
            while not self.stop.is_set():
                self._step()
                pinger.tick(self.clock())
        finally:
            sd_notify.stopping()
            self._shut_down(readers)

    def _step(self) -> None:
        now = self.clock()
        wait = min([LOOP_TICK_S] + [due - now for due in self._timers.values()])
        try:
            kind, item = self.events.get(timeout=max(0.0, wait))
        except queue.Empty:
            kind, item = "", None
        now = self.clock()
        if kind == "reading":
            self._on_reading(item)  # type: ignore[arg-type]
        elif kind == "decision":
            self._on_decision(item, now)  # type: ignore[arg-type]
        for name, due in sorted(self._timers.items(), key=lambda entry: entry[1]):
            if due <= now and self._timers.get(name) == due:
                del self._timers[name]
                self._handle(TimerFired(name), now)
        for event in self.detector.poll(now):
            self._handle(event, now)
        if self._measuring is not None and self._measuring.due <= now:
            done, self._measuring = self._measuring, None
            self._handle(DistanceMeasured(done.purpose, tuple(done.samples)), now)

    def _on_reading(self, reading: Reading) -> None:
        if self._measuring is not None:
            self._measuring.samples.append(reading.distance_cm)
        for event in self.detector.feed(reading):
            self._handle(event, reading.t)

    def _on_decision(self, decision: Decision, now: float) -> None:
        intent = decision.intent
        log.info("heard %r -> %s (confidence %s%s)", decision.text,
                 f"{intent.name} {dict(intent.slots)}" if intent else
                 f"nothing: {decision.rejected}", decision.confidence,
                 ", denoised" if decision.denoised else "")
        if intent is not None:
            self._handle(Heard(intent), now)

    def _handle(self, event: Event, now: float) -> None:
        for action in self.coach.handle(event, now):
            self._carry_out(action, now)
        self.devices.recognizer.expecting = self.coach.expecting

    # ---- actions -------------------------------------------------------------------------

    def _carry_out(self, action: Action, now: float) -> None:
        speaker, history = self.devices.speaker, self.devices.history
        match action:
            case Say(text=text, priority=priority, key=key):
                speaker.say(text, priority=priority, key=key)
            case PlayEarcon(name=name):
                speaker.earcon(name)
            case StartTimer(name=name, due=due):
                self._timers[name] = due
            case CancelTimer(name=name):
                self._timers.pop(name, None)
            case AdjustVolume(step=step):
                speaker.louder() if step > 0 else speaker.quieter()
            case AdjustRate(step=step):
                speaker.faster() if step > 0 else speaker.slower()
            case Measure(purpose=purpose, duration_s=duration_s):
                self._measuring = _Measurement(purpose, now + duration_s)
            case SaveCalibration(calibration=calibration):
                self._save_calibration(calibration)
            case EnterState(name=name):
                sd_notify.status(f"coach: {name}")
                if name == State.RESTING and history is not None and self._session_id:
                    history.end_set(self._session_id, self._set_no)
            case SessionStarted() if history is not None:
                self._session_id = history.start_session(action.exercise, action.sets,
                                                         action.reps)
            case RecordRep() if history is not None and self._session_id is not None:
                history.record_rep(self._session_id, **asdict(action))
                self._set_no = action.set_no
            case RecordShallow() if history is not None and self._session_id is not None:
                history.record_shallow(self._session_id, **asdict(action))
                self._set_no = action.set_no
            case SessionEnded(summary=summary):
                self._end_session("completed" if summary.completed else "stopped")
                self._tell_last_session()
                release_free_memory()  # a quiet moment; see assistant/heap.py
        record = action_record(action, now)
        if record is not None:
            log.info("%s", " ".join(f"{k}={v}" for k, v in record.items()))

    def _save_calibration(self, calibration: Calibration) -> None:
        self.detector = RepDetector(calibration,
                                    DetectorSettings(binary=self.devices.sensor.binary))
        try:
            save_calibration(self.calibration_file, calibration)
        except OSError as exc:
            log.error("could not save the calibration to %s: %s (it is used until restart)",
                      self.calibration_file, exc)

    def _end_session(self, reason: str) -> None:
        if self.devices.history is not None and self._session_id is not None:
            self.devices.history.end_session(self._session_id, reason)
        self._session_id = None

    def _tell_last_session(self) -> None:
        history = self.devices.history
        if history is None:
            return
        last = history.last_session_summary()
        name = self.coach.library[last.exercise].name if last and \
            last.exercise in self.coach.library else ""
        self._handle(LastSession(spoken_last_time(last, time.time(), name)), self.clock())

    # ---- reader threads ------------------------------------------------------------------

    def _read_sensor(self) -> None:
        failing = False
        while not self.stop.is_set():
            try:
                reading = self.devices.sensor.read()
                failing = False
            except Exception as exc:  # noqa: BLE001 - a driver failure is a missing reading
                if not failing:
                    log.error("wall sensor read failed: %s", exc)
                    failing = True
                reading = Reading(self.clock(), None)
                self.stop.wait(SENSOR_RETRY_S)
            self._put("reading", reading)

    def _listen(self) -> None:
        recognizer = self.devices.recognizer
        for block in self.devices.microphone.blocks():
            self._hearing.set()
            if self.stop.is_set():
                break
            decision = recognizer.accept(block)
            if decision is not None and decision.text:
                self._put("decision", decision)
        self._hearing.set()

    def _put(self, kind: str, item: object) -> None:
        # A stuck main loop must not stall the readers: drop the oldest instead.
        while True:
            try:
                self.events.put_nowait((kind, item))
                return
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self.events.get_nowait()

    def _shut_down(self, readers: list[threading.Thread]) -> None:
        self._end_session("stopped")
        self.devices.microphone.close()
        for thread in readers:
            thread.join(timeout=2.0)
        for close in (self.devices.sensor.close, self.devices.speaker.close):
            try:
                close()
            except Exception as exc:  # noqa: BLE001 - closing a vanished device can fail
                log.warning("while closing: %s", exc)
        if self.devices.history is not None:
            self.devices.history.close()
