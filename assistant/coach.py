"""The coach: a pure state machine, `handle(event, now) -> actions`.

It never touches a device, a thread or the wall clock: `now` comes with every event and every
effect is an Action the runtime carries out. That is what lets a 20-minute workout run in a
fraction of a second in simulation and the same code run the live unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from assistant.actions import (
    Action,
    AdjustRate,
    AdjustVolume,
    CancelTimer,
    EnterState,
    Measure,
    PlayEarcon,
    Priority,
    RecordRep,
    RecordShallow,
    SaveCalibration,
    Say,
    SessionEnded,
    SessionStarted,
    StartTimer,
)
from assistant.events import DistanceMeasured, Event, Heard, LastSession, PowerOn, TimerFired
from assistant.exercises import Exercise
from assistant.settings import CoachSettings, WorkoutSettings
from assistant.speech_text import duration_words, number_words
from assistant.summary import RepRecord, WorkoutSummary, plural
from hardware.calibration import CalibrationError, calibrate
from hardware.movement import (
    BottomPause,
    DescentStarted,
    PersonLeft,
    PersonReturned,
    RepComplete,
    SensorFault,
    SensorRecovered,
    ShallowRep,
    WallTap,
)
from intents.intent import Intent


class State(StrEnum):
    """Where the coach is; the names appear in the JSON stream."""

    IDLE = "idle"
    SETUP = "setup"
    WORKING = "working"
    PAUSED = "paused"
    RESTING = "resting"
    CALIBRATING = "calibrating"
    FINISHED = "finished"


IN_WORKOUT = (State.WORKING, State.RESTING, State.PAUSED)
"""States in the middle of a workout."""

REST_CUE_POINTS_S = (60, 30, 10, 3, 2, 1, 0)
"""Seconds of rest left at which the coach speaks (0: the next set starts)."""
ANNOUNCE_NEXT_AT_S = 30
"""Seconds of rest left at which the next set is announced."""


@dataclass
class Plan:
    """What the person asked for."""

    exercise: str
    sets: int
    reps: int
    rest_s: int


@dataclass
class Progress:
    """Where the workout is; reset when a new one starts."""

    set_no: int = 1
    reps_in_set: int = 0
    reps: list[RepRecord] = field(default_factory=list)
    shallow: int = 0
    sets_done: int = 0
    rest_end: float = 0.0
    rest_left_when_paused: float = 0.0
    next_exercise: str | None = None
    ended: WorkoutSummary | None = None
    """The summary taken when the workout finished or was stopped; None while it runs."""


class Coach:
    """Coaches one person through hip-hinge workouts.

    >>> from assistant.exercises import load_library
    >>> coach = Coach(load_library(), WorkoutSettings(), CoachSettings(), help_lines={})
    >>> [a.text for a in coach.handle(PowerOn(), 0.0) if isinstance(a, Say)][0][:3]
    'Hi.'
    """

    def __init__(self, library: Mapping[str, Exercise], workout: WorkoutSettings,
                 settings: CoachSettings, help_lines: Mapping[str, str]) -> None:
        self.library = library
        self.settings = settings
        self.help_lines = help_lines
        """Intent name -> one spoken sentence on how to say it (from the grammar)."""
        self.plan = Plan(workout.exercise, workout.sets, workout.reps, workout.rest_s)
        self.state = State.IDLE
        self.progress = Progress()
        self.expecting: str | None = None
        """The question just asked ("yes_no"), so a bare answer can be understood."""
        self.sensor_ok = True
        self.last_said = ""
        self.last_session: str | None = None
        """The previous workout in words, when the runtime keeps a history."""
        self.now = 0.0
        self._paused_from = State.WORKING
        self._calibrating_from = State.IDLE
        self._stand_samples: list[float | None] = []
        self._cue_index = 0
        self._timed_phase = ""
        self._out: list[Action] = []

    # ---- entry point -------------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Action]:
        """Everything the unit should do in answer to `event` at runtime-clock time `now`."""
        self._out = []
        self.now = now
        match event:
            case PowerOn():
                self._greet()
            case Heard(intent=intent):
                self._on_intent(intent)
            case TimerFired(name=name):
                self._on_timer(name)
            case DistanceMeasured():
                self._on_measured(event)
            case LastSession(spoken=spoken):
                self.last_session = spoken
            case SensorFault() | SensorRecovered():
                self._on_sensor_health(event)
            case _:
                self._on_movement(event)
        return self._out

    @property
    def exercise(self) -> Exercise:
        return self.library[self.plan.exercise]

    def summary(self) -> WorkoutSummary:
        """The workout so far, or as it ended (a stopped workout stays stopped)."""
        p = self.progress
        if p.ended is not None:
            return p.ended
        return WorkoutSummary.of(self.plan.exercise, p.sets_done, self.plan.sets, p.reps,
                                 p.shallow, completed=p.sets_done >= self.plan.sets)

    # ---- small effects ------------------------------------------------------------------------

    def _say(self, text: str, priority: Priority = Priority.INFO, key: str | None = None) -> None:
        self._out.append(Say(text, priority, key))
        self.last_said = text

    def _enter(self, state: State) -> None:
        if state != self.state:
            self.state = state
            self._out.append(EnterState(state))

    def _ask_yes_no(self, question: str) -> None:
        self._say(question)
        self.expecting = "yes_no"

    def _rotate(self, cues: tuple[str, ...]) -> str:
        return cues[self._cue_index % len(cues)]

    # ---- intents -------------------------------------------------------------------------------

    def _on_intent(self, intent: Intent) -> None:
        asked, self.expecting = self.expecting, None
        handler = getattr(self, f"_intent_{intent.name}", None)
        if handler is None:
            self._say("Sorry, I can't do that yet.")
            return
        if intent.name in ("yes", "no") and asked != "yes_no" and self.state != State.SETUP:
            self._say("I didn't ask anything. Say help to hear what you can say.")
            return
        handler(intent)

    def _intent_start(self, intent: Intent) -> None:
        exercise = intent.slots.get("exercise")
        if exercise is not None and not self._known_exercise(exercise):
            return
        if self.state in IN_WORKOUT:
            if exercise and exercise != self.plan.exercise:
                self._intent_choose(intent)
            elif self.state == State.PAUSED:
                self._intent_resume(intent)
            else:
                self._say("We're already going. " + self._status_text())
            return
        if self.state == State.CALIBRATING:
            self._say("Let's finish calibrating first, or say stop.")
            return
        if self.state == State.SETUP and not intent.slots:
            self._begin_set()
            return
        self._update_plan(intent.slots)
        self._start_session()

    def _intent_yes(self, intent: Intent) -> None:
        if self.state == State.SETUP:
            self._begin_set()
        elif self.state in (State.IDLE, State.FINISHED):
            self._start_session()
        elif self.state in IN_WORKOUT and self.progress.next_exercise:
            self._switch_now()
        else:
            self._say("OK.")

    def _intent_no(self, intent: Intent) -> None:
        if self.state == State.SETUP:
            self._say("No rush. Say ready when you're in position.")
        elif self.state in (State.IDLE, State.FINISHED):
            self._say("OK. Say start whenever you want to train.")
        elif self.progress.next_exercise:
            self._say(f"OK, we'll switch to the {self._name(self.progress.next_exercise)} "
                      "after this set.")
        else:
            self._say("OK.")

    def _intent_pause(self, intent: Intent) -> None:
        if self.state == State.WORKING:
            self._paused_from = State.WORKING
            self._out.append(CancelTimer("timed"))
            self._out.append(CancelTimer("drive"))
        elif self.state == State.RESTING:
            self._paused_from = State.RESTING
            self.progress.rest_left_when_paused = max(0.0, self.progress.rest_end - self.now)
            self._out.append(CancelTimer("rest"))
        elif self.state == State.PAUSED:
            self._say("We're already paused. Say resume to carry on.")
            return
        else:
            self._say("There's nothing to pause. Say start to begin a workout.")
            return
        self._enter(State.PAUSED)
        self._say("Paused. Say resume when you're ready.", Priority.SAFETY)

    def _intent_resume(self, intent: Intent) -> None:
        if self.state != State.PAUSED:
            if self.state == State.SETUP:
                self._begin_set()
            else:
                self._say("We're not paused. " + self._status_text())
            return
        if self._paused_from == State.RESTING:
            self._enter(State.RESTING)
            self.progress.rest_end = self.now + self.progress.rest_left_when_paused
            self._say(f"Resting. {duration_words(self.progress.rest_left_when_paused)} left.")
            self._schedule_rest_cue()
        else:
            self._enter(State.WORKING)
            self._say(f"Back to it. Rep {number_words(self.progress.reps_in_set + 1)}.")
            self._start_timed_rep_if_needed()

    def _intent_stop(self, intent: Intent) -> None:
        if self.state in (State.WORKING, State.RESTING, State.PAUSED, State.SETUP):
            self._cancel_all_timers()
            if self.state == State.WORKING and self.progress.reps_in_set:
                self.progress.sets_done += 1
            self._finish(completed=False)
        elif self.state == State.CALIBRATING:
            self._enter(self._calibrating_from)
            self._say("Calibration cancelled. The old settings stay.", Priority.SAFETY)
        else:
            self._say("Nothing is running. Say start to begin a workout.")

    def _intent_next(self, intent: Intent) -> None:
        match self.state:
            case State.SETUP:
                self._begin_set()
            case State.WORKING:
                self._say("Moving on.", Priority.SAFETY)
                self._end_set()
            case State.RESTING:
                self._out.append(CancelTimer("rest"))
                self._say("Skipping the rest.")
                self._next_set_now()
            case State.PAUSED:
                self._say("Say resume first, then next.")
            case _:
                self._say("There's no set to skip. Say start to begin a workout.")

    def _intent_repeat(self, intent: Intent) -> None:
        self._say(self.last_said or "I haven't said anything yet.")

    def _intent_status(self, intent: Intent) -> None:
        self._say(self._status_text())

    def _intent_slower(self, intent: Intent) -> None:
        self._out.append(AdjustRate(-1))
        self._say("Speaking slower.")

    def _intent_faster(self, intent: Intent) -> None:
        self._out.append(AdjustRate(+1))
        self._say("Speaking faster.")

    def _intent_louder(self, intent: Intent) -> None:
        self._out.append(AdjustVolume(+1))
        self._say("Louder.")

    def _intent_quieter(self, intent: Intent) -> None:
        self._out.append(AdjustVolume(-1))
        self._say("Quieter.")

    def _intent_help(self, intent: Intent) -> None:
        names = {
            State.IDLE: ("start", "choose", "calibrate", "explain"),
            State.SETUP: ("start", "explain", "set_reps", "stop"),
            State.WORKING: ("pause", "status", "next", "stop"),
            State.PAUSED: ("resume", "status", "stop"),
            State.RESTING: ("next", "rest", "status", "stop"),
            State.CALIBRATING: ("stop",),
            State.FINISHED: ("start", "choose"),
        }[self.state]
        lines = [self.help_lines[n] for n in names if n in self.help_lines]
        self._say(" ".join(lines) or "Say start to begin, pause or stop at any time.")

    def _intent_explain(self, intent: Intent) -> None:
        topic = intent.slots.get("topic", "tip")
        exercise = self.exercise
        if topic == "steps":
            for step in exercise.setup:
                self._say(step)
        elif topic == "muscles":
            muscles = list(exercise.muscles)
            listed = ", ".join(muscles[:-1]) + f" and {muscles[-1]}" if len(muscles) > 1 \
                else muscles[0]
            self._say(f"The {exercise.name} works your {listed}.")
        else:
            self._say(exercise.tip)

    def _intent_choose(self, intent: Intent) -> None:
        exercise = intent.slots.get("exercise")
        if exercise is None:
            self._say("Which exercise? For example, say switch to good mornings.")
            return
        if not self._known_exercise(exercise):
            return
        if self.state in (State.WORKING, State.PAUSED, State.RESTING):
            if exercise == self.plan.exercise:
                self._say(f"We're already doing the {self._name(exercise)}.")
                return
            self.progress.next_exercise = exercise
            self._ask_yes_no(f"Switch to the {self._name(exercise)} now? Say yes, or no to "
                             "switch after this set.")
            return
        self.plan.exercise = exercise
        if self.state == State.SETUP:
            self._say(f"Switching to the {self.exercise.name}.")
            self._speak_setup()
        else:
            self._say(f"{self._capital(self.exercise.name)} it is. Say start when you're ready.")

    def _intent_set_reps(self, intent: Intent) -> None:
        reps = int(intent.slots.get("reps", 0))
        if not 1 <= reps <= 30:
            self._say("I can count between one and thirty reps a set.")
            return
        self.plan.reps = reps
        self._say(f"{self._capital(number_words(reps))} reps a set.")
        if self.state == State.WORKING and self.progress.reps_in_set >= reps:
            self._end_set()

    def _intent_set_sets(self, intent: Intent) -> None:
        sets = int(intent.slots.get("sets", 0))
        if not 1 <= sets <= 10:
            self._say("I can run between one and ten sets.")
            return
        if self.state in IN_WORKOUT and sets < self.progress.set_no:
            self._say(f"We're already on set {number_words(self.progress.set_no)}. "
                      "Say stop to finish now.")
            return
        self.plan.sets = sets
        self._say(f"{self._capital(number_words(sets))} {plural(sets, 'set')}.")

    def _intent_rest(self, intent: Intent) -> None:
        seconds = intent.slots.get("seconds")
        if seconds is None:
            self._say(f"Rest is {duration_words(self.plan.rest_s)} between sets.")
            return
        if not 10 <= int(seconds) <= 300:
            self._say("Rest can be between ten seconds and five minutes.")
            return
        self.plan.rest_s = int(seconds)
        if self.state == State.RESTING:
            self.progress.rest_end = self.now + self.plan.rest_s
            self._say(f"Resting {duration_words(self.plan.rest_s)} from now.")
            self._schedule_rest_cue()
        else:
            self._say(f"Rest set to {duration_words(self.plan.rest_s)}.")

    def _intent_last_time(self, intent: Intent) -> None:
        self._say(self.last_session or "I don't keep a workout history on this unit.")

    def _intent_calibrate(self, intent: Intent) -> None:
        if self.state in (State.WORKING, State.PAUSED):
            self._say("Let's finish this set first. Say stop to end it, then calibrate.")
            return
        if self.state == State.CALIBRATING:
            self._say("We're calibrating now. Hold your position.")
            return
        if not self.sensor_ok:
            self._say("The wall sensor isn't answering, so I can't calibrate it now.")
            return
        if self.state == State.RESTING:
            self._out.append(CancelTimer("rest"))
        returns_to_idle = self.state in (State.RESTING, State.FINISHED)
        self._calibrating_from = State.IDLE if returns_to_idle else self.state
        self._enter(State.CALIBRATING)
        self._say("Let's calibrate the sensor. Stand in your starting position, a foot from "
                  "the wall, and hold still.")
        self._out.append(Measure("stand", self.settings.calibrate_hold_s))

    # ---- calibration ---------------------------------------------------------------------------

    def _on_measured(self, event: DistanceMeasured) -> None:
        if self.state != State.CALIBRATING:
            return
        if event.purpose == "stand":
            self._stand_samples = list(event.samples_cm)
            self._say("Good. Now hinge back, touch the wall, and hold it there.")
            self._out.append(Measure("tap", self.settings.calibrate_hold_s))
            return
        self._enter(self._calibrating_from)
        result = calibrate(self._stand_samples, event.samples_cm)
        if isinstance(result, CalibrationError):
            self._say(f"{result.reason} I kept the old calibration.", Priority.SAFETY)
            self._out.append(PlayEarcon("error"))
            return
        self._out.append(SaveCalibration(result))
        self._say(f"Calibrated. {result.spoken()}")

    # ---- workout flow --------------------------------------------------------------------------

    def _greet(self) -> None:
        self.state = State.IDLE
        self._out.append(EnterState(State.IDLE))
        self._ask_yes_no(
            f"Hi. I'm your hinge coach. Ready for the {self.exercise.name}, "
            f"{self._plan_words()}? Say yes, or name an exercise.")

    def _update_plan(self, slots: Mapping[str, object]) -> None:
        self.plan = replace(
            self.plan,
            exercise=str(slots.get("exercise", self.plan.exercise)),
            sets=int(slots.get("sets", self.plan.sets)),  # type: ignore[arg-type]
            reps=int(slots.get("reps", self.plan.reps)),  # type: ignore[arg-type]
        )

    def _start_session(self) -> None:
        self.progress = Progress()
        self._cue_index = 0
        self._enter(State.SETUP)
        self._out.append(SessionStarted(self.plan.exercise, self.plan.sets, self.plan.reps))
        self._say(f"{self._capital(self.exercise.name)}, {self._plan_words()}.")
        self._speak_setup()

    def _speak_setup(self) -> None:
        for step in self.exercise.setup:
            self._say(step)
        self._say("Say ready when you're in position.")

    def _begin_set(self) -> None:
        self._enter(State.WORKING)
        p = self.progress
        p.reps_in_set = 0
        self._say(f"Set {number_words(p.set_no)} of {number_words(self.plan.sets)}. "
                  f"{self._capital(number_words(self.plan.reps))} reps. Go.", Priority.CUE)
        self._start_timed_rep_if_needed()

    def _end_set(self) -> None:
        p = self.progress
        self._out.append(CancelTimer("timed"))
        self._out.append(CancelTimer("drive"))
        p.sets_done += 1
        self._out.append(PlayEarcon("rep"))
        self._say(f"Set {number_words(p.set_no)} done.", Priority.CUE)
        if p.set_no >= self.plan.sets:
            self._finish(completed=True)
            return
        self._enter(State.RESTING)
        p.set_no += 1
        p.rest_end = self.now + self.plan.rest_s
        self._say(f"Rest {duration_words(self.plan.rest_s)}.")
        if self.plan.rest_s <= ANNOUNCE_NEXT_AT_S:
            self._say(self._next_set_words())
        self._schedule_rest_cue()

    def _schedule_rest_cue(self) -> None:
        left = self.progress.rest_end - self.now
        due_points = [p for p in REST_CUE_POINTS_S if p < left - 1e-6]
        point = due_points[0] if due_points else 0
        self._out.append(StartTimer("rest", self.progress.rest_end - point))

    def _on_rest_cue(self) -> None:
        left = round(self.progress.rest_end - self.now)
        if left <= 0:
            self._out.append(PlayEarcon("rest_over"))
            self._next_set_now()
            return
        if left in (1, 2, 3):
            self._say(self._capital(number_words(left)) + ".", Priority.COUNT, key="count")
        elif left == ANNOUNCE_NEXT_AT_S:
            self._say(f"Thirty seconds. {self._next_set_words()}")
        elif left == 10:
            self._say("Ten seconds. Get in position.")
        else:
            self._say(f"{self._capital(duration_words(left))} left.")
        self._schedule_rest_cue()

    def _next_set_now(self) -> None:
        if self.progress.next_exercise:
            self.plan.exercise = self.progress.next_exercise
            self.progress.next_exercise = None
        self._begin_set()

    def _switch_now(self) -> None:
        exercise = self.progress.next_exercise
        assert exercise is not None
        self.plan.exercise = exercise
        self.progress.next_exercise = None
        if self.state == State.WORKING and self.progress.reps_in_set:
            self._say(f"Switching to the {self.exercise.name}.")
            self._end_set()
            return
        self._say(f"Switching to the {self.exercise.name}.")
        for step in self.exercise.setup:
            self._say(step)

    def _finish(self, completed: bool) -> None:
        self._enter(State.FINISHED)
        summary = WorkoutSummary.of(self.plan.exercise, self.progress.sets_done, self.plan.sets,
                                    self.progress.reps, self.progress.shallow, completed)
        self.progress.ended = summary
        self._out.append(SessionEnded(summary))
        self._say(summary.spoken())
        self._say("Say start for another round.")

    def _cancel_all_timers(self) -> None:
        for name in ("rest", "timed", "drive"):
            self._out.append(CancelTimer(name))

    # ---- timers --------------------------------------------------------------------------------

    def _on_timer(self, name: str) -> None:
        if name == "rest" and self.state == State.RESTING:
            self._on_rest_cue()
        elif name == "drive" and self.state == State.WORKING:
            self._say(self._rotate(self.exercise.ascent_cues), Priority.CUE)
        elif name == "timed" and self.state == State.WORKING and not self.sensor_ok:
            self._advance_timed_rep()

    # ---- movement ------------------------------------------------------------------------------

    def _on_movement(self, event: Event) -> None:
        if self.state == State.SETUP and isinstance(event, DescentStarted):
            self._say("You've started. I'll count.", Priority.CUE)
            self._begin_set()
        if self.state != State.WORKING:
            return
        match event:
            case DescentStarted():
                self._say(self._rotate(self.exercise.descent_cues), Priority.CUE)
            case WallTap():
                self._out.append(PlayEarcon("tap"))
                self._say(self._rotate(self.exercise.bottom_cues), Priority.CUE)
                self._out.append(StartTimer("drive", self.now + self.settings.min_pause_s + 0.7))
            case BottomPause():
                self._out.append(CancelTimer("drive"))
            case RepComplete():
                self._count_rep(True, event.descent_s, event.pause_s, event.ascent_s)
            case ShallowRep():
                self.progress.shallow += 1
                self._out.append(RecordShallow(self.progress.set_no, event.closest_cm,
                                               event.descent_s))
                self._say("Not quite. Push your hips back until you touch the wall. "
                          "That one doesn't count.", Priority.CUE)
            case PersonLeft():
                self._say("I'll wait. Step back in front of the wall to carry on.")
            case PersonReturned():
                self._say("Welcome back.")

    def _count_rep(self, depth_ok: bool, descent_s: float | None, pause_s: float | None,
                   ascent_s: float | None) -> None:
        p = self.progress
        p.reps_in_set += 1
        self._cue_index += 1
        record = RepRecord(p.set_no, p.reps_in_set, depth_ok, descent_s, pause_s, ascent_s)
        p.reps.append(record)
        self._out.append(RecordRep(p.set_no, p.reps_in_set, depth_ok, descent_s, pause_s,
                                   ascent_s))
        self._say(self._capital(number_words(p.reps_in_set)) + ".", Priority.COUNT, key="count")
        if p.reps_in_set >= self.plan.reps:
            self._end_set()
            return
        if descent_s is not None and descent_s < self.settings.min_descent_s:
            self._say("Slower on the way down.", Priority.CUE)
        elif pause_s is not None and pause_s < self.settings.min_pause_s:
            self._say("Pause at the wall for a moment.", Priority.CUE)

    # ---- sensor health and timed reps ----------------------------------------------------------

    def _on_sensor_health(self, event: SensorFault | SensorRecovered) -> None:
        if isinstance(event, SensorFault):
            if not self.sensor_ok:
                return
            self.sensor_ok = False
            self._out.append(PlayEarcon("error"))
            if self.state == State.WORKING:
                self._say("I've lost the wall sensor. I'll count your reps by time. "
                          "Follow my voice.", Priority.SAFETY)
                self._out.append(CancelTimer("drive"))
                self._start_timed_rep_if_needed()
            else:
                self._say("The wall sensor isn't answering. I'll count by time until it's back.")
            return
        if self.sensor_ok:
            return
        self.sensor_ok = True
        self._out.append(CancelTimer("timed"))
        self._say("The wall sensor is back. Counting at the wall again.")

    def _start_timed_rep_if_needed(self) -> None:
        if not self.sensor_ok and self.state == State.WORKING:
            self._timed_phase = "gap"
            self._out.append(StartTimer("timed", self.now + self.settings.timed_gap_s))

    def _advance_timed_rep(self) -> None:
        s = self.settings
        phase_after = {"gap": ("down", s.timed_descent_s), "down": ("bottom", s.timed_pause_s),
                       "bottom": ("up", s.timed_ascent_s), "up": ("gap", s.timed_gap_s)}
        self._timed_phase, wait_s = phase_after[self._timed_phase]
        match self._timed_phase:
            case "down":
                self._say(self._rotate(self.exercise.descent_cues), Priority.CUE)
            case "bottom":
                self._say("Hold.", Priority.CUE)
            case "up":
                self._say(self._rotate(self.exercise.ascent_cues), Priority.CUE)
            case "gap":
                self._count_rep(False, s.timed_descent_s, s.timed_pause_s, s.timed_ascent_s)
                if self.state != State.WORKING:
                    return
        self._out.append(StartTimer("timed", self.now + wait_s))

    # ---- words ---------------------------------------------------------------------------------

    def _status_text(self) -> str:
        p = self.progress
        match self.state:
            case State.IDLE | State.FINISHED:
                done = f"Last workout: {p.sets_done} sets. " if self.state == State.FINISHED else ""
                return (f"{done}Ready for the {self.exercise.name}, {self._plan_words()}. "
                        "Say start to begin.")
            case State.SETUP:
                return (f"Getting set for the {self.exercise.name}. "
                        "Say ready when you're in position.")
            case State.WORKING:
                left = self.plan.reps - p.reps_in_set
                return (f"Set {number_words(p.set_no)} of {number_words(self.plan.sets)}, "
                        f"{number_words(p.reps_in_set)} done, {number_words(left)} to go.")
            case State.RESTING:
                left_s = max(0, round(p.rest_end - self.now))
                return f"Resting, {duration_words(left_s)} left. {self._next_set_words()}"
            case State.PAUSED:
                return (f"Paused in set {number_words(p.set_no)}, {number_words(p.reps_in_set)} "
                        f"{plural(p.reps_in_set, 'rep')} done. Say resume to carry on.")
            case _:
                return "Calibrating the sensor. Hold your position."

    def _next_set_words(self) -> str:
        p = self.progress
        exercise = self._name(p.next_exercise or self.plan.exercise)
        return (f"Next: set {number_words(p.set_no)} of {number_words(self.plan.sets)}, "
                f"{number_words(self.plan.reps)} reps of the {exercise}.")

    def _plan_words(self) -> str:
        return (f"{number_words(self.plan.sets)} {plural(self.plan.sets, 'set')} of "
                f"{number_words(self.plan.reps)}")

    def _known_exercise(self, exercise: object) -> bool:
        if exercise in self.library:
            return True
        self._say("I don't know that exercise. Try the hip hinge, Romanian deadlifts or "
                  "good mornings.")
        return False

    def _name(self, exercise_id: str) -> str:
        return self.library[exercise_id].name

    @staticmethod
    def _capital(text: str) -> str:
        return text[:1].upper() + text[1:]
