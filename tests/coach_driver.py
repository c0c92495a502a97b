"""A minimal test harness around the real Coach: feeds events at given times and fires the
coach's own timers in order, keeping everything the coach asked for."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.actions import Action, CancelTimer, PlayEarcon, Say, StartTimer
from assistant.coach import Coach
from assistant.events import Event, Heard, PowerOn, TimerFired
from assistant.exercises import load_library
from assistant.settings import CoachSettings, WorkoutSettings
from hardware.movement import BottomPause, DescentStarted, RepComplete, WallTap
from intents.grammar import load_default_grammar
from intents.intent import INTENT_NAMES, Intent

HELP = dict(zip(INTENT_NAMES, load_default_grammar().help_lines(), strict=True))


@dataclass
class CoachDriver:
    coach: Coach
    now: float = 0.0
    actions: list[tuple[float, Action]] = field(default_factory=list)
    timers: dict[str, float] = field(default_factory=dict)

    @classmethod
    def new(cls, **workout: object) -> CoachDriver:
        coach = Coach(load_library(), WorkoutSettings(**workout), CoachSettings(), HELP)
        driver = cls(coach)
        driver.send(PowerOn())
        return driver

    def send(self, event: Event, at: float | None = None) -> list[Action]:
        if at is not None:
            self.advance(at)
        out = self.coach.handle(event, self.now)
        for action in out:
            self.actions.append((self.now, action))
            if isinstance(action, StartTimer):
                self.timers[action.name] = action.due
            elif isinstance(action, CancelTimer):
                self.timers.pop(action.name, None)
        return out

    def hear(self, name: str, at: float | None = None, **slots: object) -> list[Action]:
        return self.send(Heard(Intent(name, slots)), at)

    def advance(self, to: float) -> None:
        """Move the clock to `to`, firing every timer due on the way."""
        while self.timers and min(self.timers.values()) <= to:
            name, due = min(self.timers.items(), key=lambda item: item[1])
            del self.timers[name]
            self.now = max(self.now, due)
            self.send(TimerFired(name))
        self.now = max(self.now, to)

    def rep(self, start: float, down_s: float = 2.0, pause_s: float = 1.0,
            up_s: float = 1.5) -> list[Action]:
        """One rep at the wall, as the detector reports it."""
        tap = start + down_s
        leave = tap + pause_s
        out = self.send(DescentStarted(start), at=start)
        out += self.send(WallTap(tap), at=tap)
        out += self.send(BottomPause(leave, pause_s), at=leave)
        out += self.send(RepComplete(leave + up_s, down_s, pause_s, up_s), at=leave + up_s)
        return out

    def said(self, since: float = float("-inf")) -> list[str]:
        return [a.text for t, a in self.actions if isinstance(a, Say) and t >= since]

    def earcons(self) -> list[str]:
        return [a.name for _, a in self.actions if isinstance(a, PlayEarcon)]

    def of_type(self, kind: type) -> list:
        return [a for _, a in self.actions if isinstance(a, kind)]
