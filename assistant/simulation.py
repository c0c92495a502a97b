"""The simulation runtime: the real coach and rep detector on a virtual clock.

Scripted speech and a simulated person in front of the sensor go in; what the unit would say,
play and record comes out as JSON-ready dicts. Nothing waits on real time, so a 20-minute
workout runs in seconds and always the same way. How a scripted line is heard is up to the
Recognise function: by default (wiring.build_simulation) it is spoken by a synthetic person
and decoded by the unit's own recogniser.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.actions import (
    Action,
    CancelTimer,
    Measure,
    PlayEarcon,
    SaveCalibration,
    Say,
    StartTimer,
)
from assistant.coach import Coach, State
from assistant.events import DistanceMeasured, Heard, PowerOn, TimerFired
from assistant.records import action_record
from assistant.scenario import RepsStep, SayStep, Step, TraceStep
from audio.speaker import TimelineItem
from hardware.calibration import Calibration
from hardware.readings import Reading
from hardware.rep_detector import RepDetector
from hardware.simulated_person import simulate_reps, simulate_standing
from intents.intent import Intent

SENSOR_RATE_HZ = 20.0
"""Readings per second from the simulated sensor (an HC-SR04 gives about 15-20)."""
TAIL_S = 10.0
"""Virtual seconds to keep running after the last scenario step when nothing is pending."""
MAX_TAIL_S = 900.0
"""Hard stop after the last scenario step, so an unfinished workout can't run for ever."""

Recognise = Callable[[str, str | None], tuple[str, Intent | None]]
"""(spoken text, the question the coach is waiting on) -> (the words the unit recognised, the
intent it understood or None)."""


@dataclass
class Timeline:
    """What the unit played, for --wav-out, as audio.speaker.render_timeline takes it."""

    sounds: list[TimelineItem] = field(default_factory=list)


class Simulation:
    """Runs one scenario through a coach; iterate `run()` for the JSON lines."""

    def __init__(self, coach: Coach, calibration: Calibration, recognise: Recognise,
                 seed: int = 7) -> None:
        self.coach = coach
        self.calibration = calibration
        self.detector = RepDetector(calibration)
        self.recognise = recognise
        self.seed = seed
        self.timeline = Timeline()
        self._queue: list[tuple[float, int, object]] = []
        self._order = itertools.count()
        self._timers: dict[str, float] = {}
        self._measuring: tuple[str, float, list[float | None]] | None = None

    def run(self, steps: list[Step]) -> Iterator[dict[str, object]]:
        for step in steps:
            if isinstance(step, SayStep):
                self._push(step.at, step)
        segments = self._movement_segments(steps)
        readings = self._sensor_stream(segments)
        last_step_at = max([step.at for step in steps] + [seg[-1].t for seg in segments])
        yield from self._carry_out(self.coach.handle(PowerOn(), 0.0), 0.0)
        reading = next(readings)
        while True:
            next_at = self._queue[0][0] if self._queue else float("inf")
            now = min(reading.t, next_at)
            if self._finished(now, last_step_at):
                break
            if reading.t <= next_at:
                yield from self._on_reading(reading)
                reading = next(readings)
            else:
                _, _, item = heapq.heappop(self._queue)
                yield from self._on_queued(item, now)
        yield {"t": round(now, 3), "event": "summary", **self.coach.summary().to_json()}

    # ---- the virtual world -----------------------------------------------------------------

    def _movement_segments(self, steps: list[Step]) -> list[list[Reading]]:
        """The readings of each scripted movement, in time order."""
        segments: list[list[Reading]] = []
        for n, step in enumerate(steps):
            if isinstance(step, RepsStep):
                segments.append(simulate_reps(
                    step.at, step.count, step.down_s, step.pause_s, step.up_s, step.depth,
                    self.calibration, rate_hz=SENSOR_RATE_HZ, rng=self.seed + n))
            elif isinstance(step, TraceStep):
                segments.append([Reading(step.at + r.t, r.distance_cm) for r in step.readings])
        return sorted(filter(None, segments), key=lambda segment: segment[0].t)

    def _sensor_stream(self, segments: list[list[Reading]]) -> Iterator[Reading]:
        """Standing still between the scripted movements, for as long as the run lasts."""
        t = 0.0
        for n, segment in enumerate(segments):
            yield from self._standing(t, segment[0].t, seed=self.seed + 1000 + n)
            yield from (r for r in segment if r.t >= t)
            t = max(t, segment[-1].t + 1.0 / SENSOR_RATE_HZ)
        for n in itertools.count():
            yield from self._standing(t, t + 60.0, seed=self.seed + 2000 + n)
            t += 60.0

    def _standing(self, t0: float, t1: float, seed: int) -> list[Reading]:
        return simulate_standing(t0, t1 - t0, self.calibration, SENSOR_RATE_HZ, rng=seed)

    def _finished(self, now: float, last_step_at: float) -> bool:
        if now <= last_step_at:
            return False
        if self.coach.state == State.FINISHED and not self._pending_speech():
            return True
        if now > last_step_at + MAX_TAIL_S:
            return True
        return not self._timers and not self._measuring and now > last_step_at + TAIL_S

    def _pending_speech(self) -> bool:
        return any(isinstance(item, SayStep) for _, _, item in self._queue)

    def _push(self, at: float, item: object) -> None:
        heapq.heappush(self._queue, (at, next(self._order), item))

    # ---- inputs ------------------------------------------------------------------------------

    def _on_reading(self, reading: Reading) -> Iterator[dict[str, object]]:
        if self._measuring is not None:
            self._measuring[2].append(reading.distance_cm)
        for event in self.detector.feed(reading):
            yield from self._carry_out(self.coach.handle(event, reading.t), reading.t)

    def _on_queued(self, item: object, now: float) -> Iterator[dict[str, object]]:
        if isinstance(item, SayStep):
            recognised, intent = self.recognise(item.text, self.coach.expecting)
            yield {"t": round(now, 3), "event": "heard", "text": item.text,
                   "recognised": recognised, "intent": intent.name if intent else None,
                   "slots": dict(intent.slots) if intent else {}}
            if intent is not None:
                yield from self._carry_out(self.coach.handle(Heard(intent), now), now)
        elif isinstance(item, TimerFired):
            if self._timers.get(item.name) == now:
                del self._timers[item.name]
                yield from self._carry_out(self.coach.handle(item, now), now)
        elif isinstance(item, Measure) and self._measuring is not None:
            purpose, _, samples = self._measuring
            self._measuring = None
            event = DistanceMeasured(purpose, tuple(samples))
            yield from self._carry_out(self.coach.handle(event, now), now)

    # ---- outputs -----------------------------------------------------------------------------

    def _carry_out(self, actions: list[Action], now: float) -> Iterator[dict[str, object]]:
        for action in actions:
            match action:
                case Say(text=text, priority=priority, key=key):
                    self.timeline.sounds.append((now, "say", text, priority, key))
                case PlayEarcon(name=name):
                    self.timeline.sounds.append((now, "earcon", name))
                case StartTimer(name=name, due=due):
                    self._timers[name] = due
                    self._push(due, TimerFired(name))
                case CancelTimer(name=name):
                    self._timers.pop(name, None)
                case Measure(purpose=purpose, duration_s=duration_s):
                    self._measuring = (purpose, now + duration_s, [])
                    self._push(now + duration_s, action)
                case SaveCalibration(calibration=calibration):
                    self.calibration = calibration
                    self.detector = RepDetector(calibration)
            record = action_record(action, now)
            if record is not None:
                yield record
