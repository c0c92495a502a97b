"""Rep detection: turn timestamped wall-sensor readings into movement events.

A pure state machine (no clock, no threads): the runtime calls ``feed`` for every reading and
``poll`` now and then so a sensor that falls silent is noticed.

>>> from hardware.calibration import Calibration
>>> from hardware.readings import Reading
>>> det = RepDetector(Calibration(stand_cm=35.0, tap_cm=10.0))
>>> trace = [35, 35, 30, 25, 18, 12, 9, 9, 15, 22, 29, 34, 35, 35]
>>> events = [e for i, d in enumerate(trace) for e in det.feed(Reading(i * 0.1, d))]
>>> [type(e).__name__ for e in events]
['DescentStarted', 'WallTap', 'BottomPause', 'RepComplete']
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass
from enum import Enum

from hardware.calibration import Calibration
from hardware.movement import (
    BottomPause,
    DescentStarted,
    MovementEvent,
    PersonLeft,
    PersonReturned,
    RepComplete,
    SensorFault,
    SensorRecovered,
    ShallowRep,
    WallTap,
)
from hardware.readings import Reading


@dataclass(frozen=True)
class DetectorSettings:
    """Tuning for RepDetector; defaults suit 10-30 readings/s and 1-2 cm sensor noise."""

    binary: bool | None = None
    """True for an on/off (IR) sensor, False for distance; None: decide from the first reading."""
    max_speed_cm_s: float = 300.0
    """Fastest plausible hip movement; bigger jumps wait for a second reading to confirm."""
    jump_slack_cm: float = 4.0
    """Noise allowance added to the speed limit when judging a jump."""
    start_margin_cm: float = 1.0
    """Below standing by this much, the person has begun to move (descent start time)."""
    confirm_min_cm: float = 5.0
    """A descent is confirmed at least this far below standing..."""
    confirm_frac: float = 0.3
    """...or this fraction of the standing-to-tap travel, whichever is more."""
    return_min_cm: float = 4.0
    """Back within this many cm of standing (or return_frac of the travel) ends the rep."""
    return_frac: float = 0.2
    """Fraction of the travel below standing that still counts as standing up again."""
    rise_min_cm: float = 4.0
    """Clear of the tap threshold by this much (or rise_frac of the travel) = left the wall."""
    rise_frac: float = 0.3
    """Fraction of the travel above the tap threshold that counts as having left the wall."""
    turn_cm: float = 4.0
    """Rising this far above the closest point = turned back (shallow rep)."""
    confirm_readings: int = 2
    """Consecutive readings needed for every transition except the tap (rejects spikes)."""
    absent_margin_cm: float = 40.0
    """Readings beyond calibrated standing + this much (or 1.5 x travel) mean nobody there."""
    max_drift_cm: float = 12.0
    """How far the standing spot may drift back from the calibrated one."""
    leak_cm_s: float = 0.3
    """How fast the standing estimate sinks to follow a person who moved closer."""
    left_after_s: float = 1.5
    """Nobody in front for this long -> PersonLeft."""
    return_after_s: float = 0.6
    """Someone standing steadily for this long -> PersonReturned."""
    flat_s: float = 0.8
    """A plateau this long in the upper half of the travel ends a rep (standing spot moved)."""
    abort_flat_s: float = 4.0
    """A plateau this long without turning back cancels a descent (they just stepped closer)."""
    flat_tol_cm: float = 1.5
    """Level change allowed across a plateau."""
    gap_s: float = 0.2
    """A hole in the readings this long near the wall makes a missed tap ambiguous (no event)."""
    near_wall_cm: float = 5.0
    """'Near the wall' for the ambiguity rule: within this of the tap threshold."""
    no_readings_s: float = 2.0
    """No usable reading for this long -> SensorFault('no_readings')."""
    stuck_s: float = 5.0
    """The exact same distance for this long while standing -> SensorFault('stuck')."""
    stuck_in_rep_s: float = 10.0
    """The same, during a rep (a long hold at the wall may read very steadily)."""
    binary_stuck_s: float = 30.0
    """A binary sensor at the wall for this long -> SensorFault('stuck')."""
    impossible_readings: int = 3
    """This many impossible values in a row -> SensorFault('impossible')."""
    max_plausible_cm: float = 1000.0
    """Distances above this (or negative, NaN) are impossible."""
    recover_readings: int = 3
    """Good readings in a row after a fault -> SensorRecovered (a stuck value: the first
    fresh value)."""
    binary_release_s: float = 0.25
    """Binary sensor: clear for this long = released (shorter gaps are bounces)."""
    binary_min_rep_s: float = 0.6
    """Binary sensor: taps closer together than this are the same rep."""


class _Phase(Enum):
    STANDING = "standing"
    DESCENDING = "descending"
    BOTTOM = "bottom"
    RISING = "rising"


class RepDetector:
    """Movement events from readings; one instance per workout session."""

    def __init__(self, calibration: Calibration, settings: DetectorSettings | None = None) -> None:
        self.cal = calibration
        self.s = settings or DetectorSettings()
        self._binary = self.s.binary
        # fault bookkeeping
        self._fault: str | None = None
        self._good_run = 0
        self._bad_run = 0
        self._last_good_t: float | None = None
        self._stuck_value: float | None = None
        self._stuck_since = 0.0
        self._prev_value: float | None = None
        # presence
        self._present = True
        self._absent_since: float | None = None
        self._return_buf: deque[tuple[float, float]] = deque()
        # spike gate
        self._prev: tuple[float, float] | None = None
        self._pending: tuple[float, float] | None = None
        # binary
        self._b_state = "clear"
        self._b_tap_t = -math.inf
        self._b_last_wall_t = 0.0
        self._b_release_t = 0.0
        self._noise_cm = 1.0
        self._settling = False
        self._recovery_d = 0.0
        self._reset_rep(self.cal.stand_cm)

    # ---- public -------------------------------------------------------------------------
    def feed(self, reading: Reading) -> list[MovementEvent]:
        """Process one reading; returns the events it caused (often none)."""
        t, d = reading.t, reading.distance_cm
        out: list[MovementEvent] = []
        if self._last_good_t is None:
            self._last_good_t = t
        if d is None:
            self._stuck_value = None  # "stuck" means the same value reading after reading
            self._check_silence(t, out)
            return out
        if self._binary is None:
            self._binary = d == 0.0 or d == math.inf
        if self._impossible(d):
            self._stuck_value = None
            self._bad_run += 1
            self._good_run = 0
            if self._bad_run >= self.s.impossible_readings:
                self._raise_fault(t, "impossible", out)
            self._check_silence(t, out)
            return out
        self._bad_run = 0
        stuck_before = self._fault == "stuck"
        repeated = self._prev_value is not None and abs(d - self._prev_value) < 1e-9
        self._prev_value = d
        self._track_stuck(t, d, out)
        if self._fault is not None:
            # Recovery needs fresh, varying values after a stuck fault; any values otherwise.
            if stuck_before and repeated:
                self._good_run = 0
                return out
            self._good_run += 1
            self._last_good_t = t
            if self._good_run == 1:
                self._recovery_d = d
            # A stuck value ends with the first fresh one (the person was seen all along);
            # after silence or garbage, a few good readings are needed.
            needed = 1 if stuck_before else self.s.recover_readings
            if self._good_run < needed:
                return out
            self._fault = None
            out.append(SensorRecovered(t))
            self._reset_rep(self._top)
            # Readings came back with the person mid-rep: wait for them to stand tall again.
            self._settling = not stuck_before and self._recovery_d < self._thresholds()[1]
            self._prev = None
            self._pending = None
        self._last_good_t = t
        if self._fault is not None:
            return out
        if self._binary:
            self._feed_binary(t, d, out)
        else:
            self._gate(t, d, out)
        return out

    def poll(self, now: float) -> list[MovementEvent]:
        """Call periodically: reports SensorFault('no_readings') when readings stop arriving."""
        out: list[MovementEvent] = []
        if self._last_good_t is None:
            self._last_good_t = now
        self._check_silence(now, out)
        return out

    @property
    def faulted(self) -> bool:
        """True between a SensorFault and the matching SensorRecovered."""
        return self._fault is not None

    # ---- faults -------------------------------------------------------------------------
    def _impossible(self, d: float) -> bool:
        if math.isnan(d) or d < 0.0:
            return True
        if d == math.inf:
            return not self._binary
        return d > self.s.max_plausible_cm

    def _raise_fault(self, t: float, reason: str, out: list[MovementEvent]) -> None:
        if self._fault is None:
            if self._phase is _Phase.RISING:
                # Touched the wall and clearly on the way up: that rep was done.
                out.append(self._complete(t, self._peak_t))
            self._reset_rep(self._top)
            self._fault = reason
            self._good_run = 0
            out.append(SensorFault(t, reason))

    def _check_silence(self, now: float, out: list[MovementEvent]) -> None:
        assert self._last_good_t is not None
        if self._fault is None and now - self._last_good_t >= self.s.no_readings_s:
            self._raise_fault(now, "no_readings", out)

    def _track_stuck(self, t: float, d: float, out: list[MovementEvent]) -> None:
        if self._binary:
            # Clear for minutes is normal (resting); at the wall for half a minute is not.
            limit = self.s.binary_stuck_s if d == 0.0 else math.inf
        else:
            # A constant far value is an empty room at the sensor's range limit, not a fault.
            in_rep = self._phase is not _Phase.STANDING
            limit = self.s.stuck_in_rep_s if in_rep else self.s.stuck_s
            limit = math.inf if self._is_far(d) else limit
        if self._stuck_value is None or abs(d - self._stuck_value) > 1e-9:
            self._stuck_value, self._stuck_since = d, t
        elif t - self._stuck_since >= limit:
            self._raise_fault(t, "stuck", out)

    # ---- binary sensors -------------------------------------------------------------------
    def _feed_binary(self, t: float, d: float, out: list[MovementEvent]) -> None:
        at_wall = d <= self.cal.tap_cm
        if self._b_state == "clear":
            if at_wall and t - self._b_tap_t >= self.s.binary_min_rep_s:
                self._b_state, self._b_tap_t, self._b_last_wall_t = "wall", t, t
                out.append(WallTap(t))
        elif self._b_state == "wall":
            if at_wall:
                self._b_last_wall_t = t
            else:
                self._b_state, self._b_release_t = "releasing", t
        elif at_wall:  # releasing, back on the wall: a bounce, same rep
            self._b_state, self._b_last_wall_t = "wall", t
        elif t - self._b_release_t >= self.s.binary_release_s:
            self._b_state = "clear"
            pause = self._b_last_wall_t - self._b_tap_t
            # An on/off sensor cannot see the descent or the ascent: they are reported as 0.
            out.append(BottomPause(t, pause))
            out.append(RepComplete(t, 0.0, pause, 0.0))

    # ---- distance sensors: spike gate -----------------------------------------------------
    def _plausible(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        dt = max(0.0, b[0] - a[0])
        return abs(b[1] - a[1]) <= self.s.max_speed_cm_s * dt + self.s.jump_slack_cm

    def _gate(self, t: float, d: float, out: list[MovementEvent]) -> None:
        cur = (t, d)
        if self._prev is None or self._plausible(self._prev, cur):
            self._pending = None  # whatever was held was a lone spike
            self._accept(cur, out)
            return
        if self._pending is not None and self._plausible(self._pending, cur):
            held, self._pending = self._pending, None  # a real jump, confirmed
            self._accept(held, out)
            self._accept(cur, out)
            return
        self._pending = cur

    def _accept(self, cur: tuple[float, float], out: list[MovementEvent]) -> None:
        self._prev = cur
        self._distance(cur[0], cur[1], out)

    # ---- distance sensors: presence and reps ----------------------------------------------
    def _is_far(self, d: float) -> bool:
        margin = max(self.s.absent_margin_cm, 1.5 * self.cal.span_cm)
        return d > self.cal.stand_cm + margin

    def _distance(self, t: float, d: float, out: list[MovementEvent]) -> None:
        if not self._present:
            self._watch_return(t, d, out)
            return
        if self._is_far(d):
            if self._absent_since is None:
                self._absent_since = t
            elif t - self._absent_since >= self.s.left_after_s:
                self._present = False
                self._return_buf.clear()
                out.append(PersonLeft(t))
            return
        self._absent_since = None
        # A hole near the wall may hide a touch: such a rep is not called shallow.
        last = self._last
        if last is not None and t - last[0] > self.s.gap_s:
            self._ambiguous |= min(last[1], d) <= self.cal.tap_cm + self.s.near_wall_cm
        self._hist.append((t, d))
        while self._hist and self._hist[0][0] < t - 3.0:
            self._hist.popleft()
        self._step(t, d, out)
        self._last = (t, d)

    def _watch_return(self, t: float, d: float, out: list[MovementEvent]) -> None:
        buf = self._return_buf
        if self._is_far(d) or d <= self.cal.tap_cm:
            buf.clear()
            return
        buf.append((t, d))
        while buf and (max(v for _, v in buf) - min(v for _, v in buf) > 6.0):
            buf.popleft()
        if buf and t - buf[0][0] >= self.s.return_after_s:
            self._present = True
            self._absent_since = None
            out.append(PersonReturned(t))
            self._reset_rep(statistics.median(v for _, v in buf))
            buf.clear()

    def _reset_rep(self, top: float) -> None:
        self._phase = _Phase.STANDING
        limit = self.cal.stand_cm + self.s.max_drift_cm
        self._top = min(top, limit)
        self._top_t: float | None = None
        self._hist: deque[tuple[float, float]] = deque()
        self._last: tuple[float, float] | None = None
        self._count = 0
        self._began_t: float | None = None
        self._tap_t = 0.0
        self._wall_t = 0.0
        self._pause_s = 0.0
        self._closest = math.inf
        self._closest_t = 0.0
        self._peak = -math.inf
        self._peak_t = 0.0
        self._ambiguous = False

    def _thresholds(self) -> tuple[float, float, float, float]:
        s, tap = self.s, self.cal.tap_cm
        span = max(4.0, self._top - tap)
        confirm = self._top - max(s.confirm_min_cm, s.confirm_frac * span)
        ret = self._top - max(s.return_min_cm, s.return_frac * span)
        rise = tap + max(s.rise_min_cm, s.rise_frac * span)
        upper = tap + 0.5 * span
        return confirm, ret, rise, upper

    def _streak(self, ok: bool) -> bool:
        """Count consecutive readings meeting a condition; True once confirm_readings reached."""
        if not ok:
            self._count = 0
            return False
        self._count += 1
        return self._count >= self.s.confirm_readings

    def _plateau(self, t: float, length_s: float) -> float | None:
        """Level of a flat stretch covering the last length_s seconds, else None."""
        win = [v for ts, v in self._hist if ts >= t - length_s]
        if len(win) < 4 or t - self._hist[0][0] < length_s:
            return None
        half = len(win) // 2
        a, b = statistics.median(win[:half]), statistics.median(win[half:])
        if abs(a - b) > self.s.flat_tol_cm:
            return None
        level = statistics.median(win)
        outliers = sum(abs(v - level) > 3 * self.s.flat_tol_cm for v in win)
        return level if outliers <= 1 else None

    def _step(self, t: float, d: float, out: list[MovementEvent]) -> None:
        if self._phase is _Phase.STANDING:
            self._standing(t, d, out)
        elif self._phase is _Phase.DESCENDING:
            self._descending(t, d, out)
        elif self._phase is _Phase.BOTTOM:
            self._bottom(t, d, out)
        else:
            self._rising(t, d, out)

    def _turn_cm(self) -> float:
        return max(self.s.turn_cm, 3.0 * self._noise_cm)

    def _standing(self, t: float, d: float, out: list[MovementEvent]) -> None:
        confirm, ret, _, _ = self._thresholds()
        if self._settling:
            level = self._plateau(t, self.s.flat_s)
            if level is not None and level >= self._thresholds()[3]:
                self._top, self._settling = level, False  # standing, at a new spot
            elif d >= ret:
                self._settling = False
            else:
                return
        if self._last is not None:
            # Noise estimate from successive differences while standing (E|a-b| = 1.13 sd).
            diff = min(abs(d - self._last[1]), 10.0)
            self._noise_cm += 0.05 * (diff / 1.128 - self._noise_cm)
        self._track_top(t, d)
        if d <= self.cal.tap_cm:
            out.append(DescentStarted(t))
            self._begin_rep(t, d)
            self._tap(t, out)
        elif self._streak(d < confirm) or d < confirm - self._deep_cm():
            out.append(DescentStarted(t))
            self._begin_rep(t, d)

    def _descending(self, t: float, d: float, out: list[MovementEvent]) -> None:
        _, ret, _, upper = self._thresholds()
        # Judge the turn-back on a 3-reading median: a raw minimum is biased by noise.
        sm = self._recent_level(d)
        if sm < self._closest:
            self._closest, self._closest_t, self._peak = sm, t, sm
        if d <= self.cal.tap_cm:
            self._tap(t, out)
            return
        self._peak = max(self._peak, sm)
        turn = self._turn_cm()
        turned = sm >= self._closest + turn
        level = self._plateau(t, self.s.flat_s)
        high_plateau = level is not None and level >= upper
        if turned and (self._streak(d >= ret) or high_plateau):
            self._end_shallow(t, out)
        elif self._peak >= upper and self._peak >= self._closest + turn and sm <= self._peak - turn:
            # Back up high and on the way down again without ever standing tall: that
            # shallow rep is over and the next one has begun.
            peak = self._peak
            self._end_shallow(t, out)
            self._top = max(self._top, peak)
            self._standing(t, d, out)
        elif (level := self._plateau(t, self.s.abort_flat_s)) is not None and level >= upper:
            self._reset_rep(level)  # stepped closer, no rep: nothing to report

    def _bottom(self, t: float, d: float, out: list[MovementEvent]) -> None:
        rise = self._thresholds()[2]
        if d <= self.cal.tap_cm:
            self._wall_t = t
            self._count = 0
        elif self._streak(d >= rise):
            self._pause_s = self._wall_t - self._tap_t
            out.append(BottomPause(t, self._pause_s))
            self._phase = _Phase.RISING
            self._count = 0
            self._peak, self._peak_t = self._recent_level(d), t
            self._rising(t, d, out)

    def _rising(self, t: float, d: float, out: list[MovementEvent]) -> None:
        # Leaving the wall was confirmed by two readings, so one reading back up is enough here
        # (fast reps often go straight into the next one).
        _, ret, _, upper = self._thresholds()
        sm = self._recent_level(d)
        if sm > self._peak:
            self._peak, self._peak_t = sm, t
        level = self._plateau(t, self.s.flat_s)
        if d >= ret or (level is not None and level >= upper):
            out.append(self._complete(t, t))
            self._reset_rep(self._recent_level(d))
        elif self._peak >= upper and sm <= self._peak - self._turn_cm():
            # Stood up short of the old standing spot and went straight into the next rep.
            peak = self._peak
            out.append(self._complete(t, self._peak_t))
            self._reset_rep(peak)
            self._standing(t, d, out)

    def _complete(self, t: float, ascent_end_t: float) -> RepComplete:
        start = self._began_t if self._began_t is not None else self._tap_t
        return RepComplete(
            t,
            descent_s=max(0.0, self._tap_t - start),
            pause_s=self._pause_s,
            ascent_s=max(0.0, ascent_end_t - self._wall_t),
        )

    def _deep_cm(self) -> float:
        """How far past a threshold one reading alone is trusted (no second reading needed)."""
        return max(3.0, 0.1 * (self._top - self.cal.tap_cm))

    def _track_top(self, t: float, d: float) -> None:
        # Leaky max of a 3-reading median: follows a spot that moved back at once and one that
        # moved closer slowly, so a slow descent cannot drag it down with it.
        recent = [v for _, v in list(self._hist)[-3:]]
        # Only a full 3-reading median may raise it: one noisy reading must not.
        sm = statistics.median(recent) if len(recent) == 3 else -math.inf
        dt = 0.0 if self._top_t is None else t - self._top_t
        self._top_t = t
        limit = self.cal.stand_cm + self.s.max_drift_cm
        self._top = min(limit, max(sm, self._top - self.s.leak_cm_s * dt))
        if self._began_t is None or d >= self._top - self.s.start_margin_cm:
            self._began_t = t

    def _recent_level(self, d: float) -> float:
        recent = [v for _, v in list(self._hist)[-3:]]
        return statistics.median(recent) if recent else d

    def _begin_rep(self, t: float, d: float) -> None:
        self._phase = _Phase.DESCENDING
        self._count = 0
        self._closest, self._closest_t = self._recent_level(d), t
        self._peak = self._closest
        self._ambiguous = False
        # Only the tail of this rep matters for plateau checks.
        while len(self._hist) > 1:
            self._hist.popleft()

    def _tap(self, t: float, out: list[MovementEvent]) -> None:
        out.append(WallTap(t))
        self._phase = _Phase.BOTTOM
        self._tap_t = self._wall_t = t
        self._count = 0

    def _end_shallow(self, t: float, out: list[MovementEvent]) -> None:
        if not self._ambiguous and self._closest > self.cal.tap_cm:
            start = self._began_t if self._began_t is not None else self._closest_t
            out.append(ShallowRep(t, round(self._closest, 1), max(0.0, self._closest_t - start)))
        self._reset_rep(self._recent_level(self._closest))
