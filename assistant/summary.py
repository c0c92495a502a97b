"""What a workout amounted to: counts and tempo, as data and as one spoken paragraph."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from assistant.speech_text import number_words


@dataclass(frozen=True)
class RepRecord:
    """One counted rep."""

    set_no: int
    rep_no: int
    depth_ok: bool
    descent_s: float | None
    pause_s: float | None
    ascent_s: float | None


@dataclass(frozen=True)
class WorkoutSummary:
    """The totals the coach reads out at the end."""

    exercise: str
    sets_done: int
    sets_planned: int
    reps: int
    depth_confirmed: int
    shallow: int
    avg_descent_s: float | None
    avg_pause_s: float | None
    avg_ascent_s: float | None
    completed: bool

    @classmethod
    def of(cls, exercise: str, sets_done: int, sets_planned: int, reps: list[RepRecord],
           shallow: int, completed: bool) -> WorkoutSummary:
        def mean(values: list[float | None]) -> float | None:
            known = [v for v in values if v is not None]
            return round(fmean(known), 2) if known else None

        return cls(
            exercise=exercise, sets_done=sets_done, sets_planned=sets_planned, reps=len(reps),
            depth_confirmed=sum(r.depth_ok for r in reps), shallow=shallow,
            avg_descent_s=mean([r.descent_s for r in reps]),
            avg_pause_s=mean([r.pause_s for r in reps]),
            avg_ascent_s=mean([r.ascent_s for r in reps]),
            completed=completed,
        )

    def tempo(self) -> str | None:
        """Tempo as lowering-pause-lifting seconds, e.g. "2.5-1.0-1.5"."""
        parts = (self.avg_descent_s, self.avg_pause_s, self.avg_ascent_s)
        if any(p is None for p in parts):
            return None
        return "-".join(f"{p:.1f}" for p in parts)

    def spoken(self) -> str:
        sentences = [
            f"{'Workout complete' if self.completed else 'Workout stopped'}.",
            f"{number_words(self.reps)} {plural(self.reps, 'rep')} in "
            f"{number_words(self.sets_done)} {plural(self.sets_done, 'set')}.",
            f"{number_words(self.depth_confirmed)} touched the wall.",
        ]
        if self.shallow:
            sentences.append(f"{number_words(self.shallow)} {plural(self.shallow, 'rep')} "
                             "stopped short and did not count.")
        if self.avg_descent_s is not None:
            sentences.append(f"Your average lowering took {seconds_words(self.avg_descent_s)}.")
        return " ".join(s[0].upper() + s[1:] for s in sentences)

    def to_json(self) -> dict[str, object]:
        return {
            "exercise": self.exercise, "sets": self.sets_done, "sets_planned": self.sets_planned,
            "reps": self.reps, "depth_confirmed": self.depth_confirmed, "shallow": self.shallow,
            "tempo": self.tempo(), "avg_descent_s": self.avg_descent_s,
            "avg_pause_s": self.avg_pause_s, "avg_ascent_s": self.avg_ascent_s,
            "completed": self.completed,
        }


def plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def seconds_words(seconds: float) -> str:
    whole = round(seconds * 2) / 2  # halves are as precise as a person can use
    if whole == int(whole):
        return f"{number_words(int(whole))} {plural(int(whole), 'second')}"
    return f"{number_words(int(whole))} and a half seconds"
