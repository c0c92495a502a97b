"""A simulated person in front of a simulated wall sensor, for the simulation runtime, tests and
the benchmark.

Motion model: the hips ease (cosine profile) from the standing spot to the wall or a shallow
turn-back point, hold there (optionally bouncing off the wall), ease back up to a standing spot
that may have drifted a few cm, and may walk away between sets. Sensor model: readings at
10-30 per second with timing jitter, Gaussian noise, single far spikes, runs of missing
readings, a range cap (nobody there reads as the cap) and optional faults (silence, a stuck
value, impossible values). Everything is deterministic for a given seed.

>>> from hardware.calibration import Calibration
>>> rs = simulate_reps(0.0, 2, 1.0, 0.5, 1.0, "wall", Calibration(), rng=1)
>>> round(min(r.distance_cm for r in rs)) <= Calibration().tap_cm
True
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

from hardware.calibration import Calibration, calibrate
from hardware.readings import Reading

Depth = Literal["wall", "shallow"]
DEFAULT_SEED = 20261123


def _rng(rng: random.Random | int | None) -> random.Random:
    if isinstance(rng, random.Random):
        return rng
    return random.Random(DEFAULT_SEED if rng is None else rng)


@dataclass(frozen=True)
class SensorModel:
    """How the simulated sensor turns the true hip distance into readings."""

    rate_hz: float = 20.0
    """Mean readings per second."""
    jitter_frac: float = 0.1
    """Each reading interval varies by up to this fraction."""
    noise_cm: float = 0.7
    """Standard deviation of Gaussian noise on every reading."""
    spike_p: float = 0.0
    """Chance that a reading is a single far spike (a missed echo from the room)."""
    drop_p: float = 0.0
    """Chance per reading that a run of missing readings (None) starts."""
    drop_max: int = 4
    """Longest run of missing readings."""
    max_range_cm: float = 200.0
    """Range cap: an empty room reads as this (gpiozero caps at max_distance)."""


@dataclass
class _Seg:
    t0: float
    t1: float
    x0: float | None  # None: nobody in front of the sensor
    x1: float | None
    bounce_cm: float = 0.0
    bounces: int = 0
    u_end: float = 1.0  # <1: the move is cut short (by the wall) at this fraction of the ease


@dataclass
class Motion:
    """Piecewise motion of the hips: distance from the sensor over time (None = absent)."""

    t: float
    x: float | None
    segs: list[_Seg] = field(default_factory=list)

    def move(self, to: float | None, dur_s: float, overshoot_cm: float = 0.0) -> None:
        """Ease from the current position to `to` over dur_s (cosine profile).

        overshoot_cm > 0: the person aims that far past `to` (behind the wall) and the wall
        stops them at `to` after dur_s, still moving, as glutes meeting a wall do.
        """
        if overshoot_cm > 0 and self.x is not None and to is not None and self.x != to:
            target = to - overshoot_cm if to < self.x else to + overshoot_cm
            f = (to - self.x) / (target - self.x)
            u_end = math.acos(1 - 2 * f) / math.pi
            self.segs.append(_Seg(self.t, self.t + dur_s, self.x, target, u_end=u_end))
        else:
            self.segs.append(_Seg(self.t, self.t + dur_s, self.x, to))
        self.t += dur_s
        self.x = to

    def hold(self, dur_s: float, bounce_cm: float = 0.0, bounces: int = 0) -> None:
        """Stay put (or bounce off the wall `bounces` times by up to bounce_cm)."""
        self.segs.append(_Seg(self.t, self.t + dur_s, self.x, self.x, bounce_cm, bounces))
        self.t += dur_s

    def at(self, t: float) -> float | None:
        """True hip distance at time t."""
        for s in self.segs:  # few segments per set; a linear scan is fine
            if s.t0 <= t < s.t1:
                u = (t - s.t0) / (s.t1 - s.t0) * s.u_end
                if s.x0 is None or s.x1 is None:
                    return s.x1 if u >= 0.5 else s.x0
                x = s.x0 + (s.x1 - s.x0) * (1 - math.cos(math.pi * u)) / 2
                if s.bounces:
                    x += s.bounce_cm * max(0.0, math.sin(math.pi * (2 * s.bounces + 1) * u)) ** 2
                return x
        return self.x


@dataclass
class Truth:
    """What really happened in a simulated set."""

    reps: int = 0
    shallow: int = 0
    wall_windows: list[tuple[float, float]] = field(default_factory=list)
    """(first contact, last contact) times of every rep that reached the wall."""
    rep_windows: list[tuple[float, float]] = field(default_factory=list)
    """(descent start, last contact) times of every rep that reached the wall."""
    shallow_windows: list[tuple[float, float]] = field(default_factory=list)
    faults: int = 0
    left: int = 0
    returned: int = 0
    fault_windows: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class SimSet:
    """A generated set: readings, the calibration the detector gets, and the truth."""

    readings: list[Reading]
    calibration: Calibration
    truth: Truth
    first_wall_idx: list[int]
    """Per wall rep, index of the first clean reading taken with the hips touching the wall."""
    touch_cm: float
    tags: tuple[str, ...] = ()


def sample(
    motion: Motion,
    sensor: SensorModel,
    rng: random.Random,
    t0: float,
    t1: float,
    protect: list[tuple[float, float]] = (),  # type: ignore[assignment]
    faults: list[tuple[float, float, str]] = (),  # type: ignore[assignment]
    guard_below_cm: float = math.inf,
) -> tuple[list[Reading], list[bool], list[float | None]]:
    """Readings of the motion between t0 and t1, a 'clean' flag and the true distance each.

    In each protect window the first reading whose true distance is at or below
    guard_below_cm is never a spike or dropout (every wall contact is seen at least once,
    as the truth assumes).
    """
    out: list[Reading] = []
    clean: list[bool] = []
    true_x: list[float | None] = []
    t, drop_left = t0, 0
    protected_done: set[int] = set()
    stuck_val: float | None = None
    while t < t1:
        x = motion.at(t)
        pi = next((i for i, (a, b) in enumerate(protect) if a <= t <= b), None)
        near = x is not None and x <= guard_below_cm
        guard = pi is not None and pi not in protected_done and near
        if guard:
            protected_done.add(pi)  # type: ignore[arg-type]
        fault = next((k for a, b, k in faults if a <= t < b), None)
        ok = True
        d: float | None
        if x is None:
            d = sensor.max_range_cm
        else:
            d = min(sensor.max_range_cm, max(0.0, x + rng.gauss(0.0, sensor.noise_cm)))
        if fault == "no_readings":
            d, ok = None, False
        elif fault == "stuck":
            stuck_val = d if stuck_val is None else stuck_val
            d, ok = stuck_val, False
        elif fault == "impossible":
            d, ok = rng.choice([-5.0, 9999.0, float("nan")]), False
        elif not guard:
            if drop_left > 0:
                drop_left -= 1
                d, ok = None, False
            elif rng.random() < sensor.drop_p:
                drop_left = rng.randint(1, sensor.drop_max) - 1
                d, ok = None, False
            elif rng.random() < sensor.spike_p:
                d, ok = rng.uniform(120.0, sensor.max_range_cm), False
        out.append(Reading(round(t, 4), None if d is None else round(d, 2)))
        clean.append(ok)
        true_x.append(x)
        j = sensor.jitter_frac
        t += (1.0 / sensor.rate_hz) * (1.0 + rng.uniform(-j, j))
    return out, clean, true_x


def _touch_of(cal: Calibration) -> float:
    # A calibrated touch distance if known; otherwise assume the threshold has a 3 cm margin.
    return cal.touch_cm if cal.touch_cm is not None else max(0.0, cal.tap_cm - 3.0)


def simulate_reps(
    start_t: float,
    count: int,
    down_s: float,
    pause_s: float,
    up_s: float,
    depth: Depth,
    calibration: Calibration,
    rate_hz: float = 20.0,
    rng: random.Random | int | None = None,
    noise_cm: float = 0.7,
    rest_s: float = 0.6,
    jitter_frac: float = 0.1,
) -> list[Reading]:
    """Readings for `count` reps done at a steady tempo, standing still between them.

    Starts at start_t standing, rest_s of standing before each rep and after the last one.
    depth "wall" touches the wall (pause_s held there), "shallow" turns back halfway.
    """
    r = _rng(rng)
    stand, touch = calibration.stand_cm, _touch_of(calibration)
    bottom = touch if depth == "wall" else touch + 0.5 * (stand - touch)
    m = Motion(start_t, stand)
    for _ in range(count):
        m.hold(rest_s)
        m.move(bottom, down_s, overshoot_cm=3.0 if depth == "wall" else 0.0)
        m.hold(max(pause_s, 1.5 / rate_hz) if depth == "wall" else pause_s)
        m.move(stand, up_s)
    m.hold(max(rest_s, 0.5))
    sensor = SensorModel(rate_hz=rate_hz, noise_cm=noise_cm, jitter_frac=jitter_frac)
    readings, _, _ = sample(m, sensor, r, start_t, m.t)
    return readings


def simulate_standing(
    start_t: float,
    duration_s: float,
    calibration: Calibration,
    rate_hz: float = 20.0,
    rng: random.Random | int | None = None,
    noise_cm: float = 0.7,
) -> list[Reading]:
    """Readings of a person standing in position (rest between sets, waiting for a command).

    The simulation runtime should feed these whenever no reps are scripted: a detector that
    is polled with no readings at all reports a sensor fault after 2 s, as it would live.
    """
    m = Motion(start_t, calibration.stand_cm)
    m.hold(duration_s)
    sensor = SensorModel(rate_hz=rate_hz, noise_cm=noise_cm)
    readings, _, _ = sample(m, sensor, _rng(rng), start_t, start_t + duration_s)
    return readings


# ---- the corpus: whole sets with known truth --------------------------------------------------

TEMPOS = {
    "normal": ((1.5, 3.0), (0.2, 1.2), (1.0, 2.0), (0.5, 1.5)),
    "slow": ((4.0, 6.5), (0.5, 2.0), (1.5, 3.0), (0.8, 2.0)),
    "fast": ((0.3, 0.45), (0.0, 0.1), (0.3, 0.45), (0.25, 0.5)),
}
"""(down_s, pause_s, up_s, rest_s) ranges per tempo class."""


def generate_set(seed: int, hard: bool = True, extreme: bool = False) -> SimSet:
    """One random set (or two sets with a walk-away) with everything the issue lists.

    hard=False gives a clean sensor (no spikes, dropouts or faults) for sanity checks;
    extreme=True doubles noise, spikes, dropouts, jitter and drift beyond the issue's figures
    (a robustness check, not a target).
    """
    r = random.Random(seed)
    k = 2.0 if extreme else 1.0
    tags: list[str] = []
    tempo = r.choice(["normal", "normal", "slow", "fast", "mixed"])
    tags.append(tempo)
    sensor = SensorModel(
        rate_hz=r.uniform(10.0, 30.0),
        jitter_frac=r.uniform(0.0, 0.3 * k),
        noise_cm=r.uniform(0.4, 1.0) * k,
        spike_p=r.uniform(0.0, 0.02 * k) if hard else 0.0,
        drop_p=r.uniform(0.0, 0.02 * k) if hard else 0.0,
        drop_max=int(4 * k),
    )
    stand0, touch = r.uniform(28.0, 45.0), r.uniform(5.0, 10.0)
    cal = calibrate(
        [stand0 + r.gauss(0, sensor.noise_cm) for _ in range(20)],
        [touch + r.gauss(0, sensor.noise_cm) for _ in range(15)],
    )
    assert isinstance(cal, Calibration), cal
    truth = Truth()
    rep_windows = truth.rep_windows
    n = r.randint(3, 10)
    walk_at = r.randint(1, n - 1) if hard and r.random() < 0.25 else None
    fault_at = r.randint(1, n - 1) if hard and r.random() < 0.15 else None
    fault_kind = r.choice(["no_readings", "stuck", "impossible"])
    m = Motion(0.0, stand0)
    stand = stand0
    m.hold(r.uniform(1.0, 2.0))
    for i in range(n):
        if i == walk_at:
            tags.append("walk_away")
            m.move(stand + 60.0, 1.0)
            m.move(None, 0.2)
            m.hold(r.uniform(8.0, 20.0))
            m.move(stand + 60.0, 0.2)
            stand = stand0 + r.uniform(-4.0, 4.0)
            m.move(stand, 1.2)
            m.hold(r.uniform(1.0, 2.0))
            truth.left += 1
            truth.returned += 1
        if i == fault_at:
            tags.append(f"fault_{fault_kind}")
            dur = {"no_readings": 3.5, "stuck": 7.0, "impossible": 0.8}[fault_kind]
            a = m.t + 0.5
            truth.fault_windows.append((a, a + dur, fault_kind))
            truth.faults += 1
            m.hold(dur + 2.0)
        t_cls = tempo if tempo != "mixed" else r.choice(["normal", "slow", "fast"])
        (d0, d1), (p0, p1), (u0, u1), (s0, s1) = TEMPOS[t_cls]
        down, pause, up = r.uniform(d0, d1), r.uniform(p0, p1), r.uniform(u0, u1)
        shallow = r.random() < 0.2
        travel = stand - touch
        m.hold(r.uniform(s0, s1))
        if shallow:
            closest = touch + r.uniform(max(7.0 * k, 0.3 * travel), 0.6 * travel)
            m.move(closest, down * (closest - stand) / (touch - stand))
            t_turn = m.t
            m.hold(pause)
            truth.shallow += 1
            truth.shallow_windows.append((t_turn, m.t))
        else:
            t_start = m.t
            m.move(touch, down, overshoot_cm=r.uniform(1.0, 4.0))
            contact = max(pause, 1.5 / sensor.rate_hz)
            t_touch = m.t
            if hard and contact >= 0.3 and r.random() < 0.3:
                tags.append("bounce")
                m.hold(contact, bounce_cm=r.uniform(1.0, 5.0 * k), bounces=r.randint(1, 2))
            else:
                m.hold(contact)
            truth.reps += 1
            truth.wall_windows.append((t_touch, m.t))
            rep_windows.append((t_start, m.t))
        # Drift: they come back up to a spot a few cm off where they started.
        lim = 5.0 * k
        stand = min(stand0 + lim, max(stand0 - lim, stand + r.uniform(-2.5 * k, 2.5 * k)))
        m.move(stand, up if not shallow else up * 0.6)
    m.hold(r.uniform(1.0, 2.0))
    readings, clean, true_x = sample(
        m,
        sensor,
        r,
        0.0,
        m.t,
        protect=rep_windows,
        faults=truth.fault_windows,
        guard_below_cm=touch + 0.5,
    )
    # "At the wall" = the hips truly touching it (within 0.5 cm of the touch distance).
    first_wall: list[int] = []
    for a, b in rep_windows:
        idx = next(
            (
                i
                for i, rd in enumerate(readings)
                if a <= rd.t <= b and clean[i] and (true_x[i] or math.inf) <= touch + 0.5
            ),
            -1,
        )
        first_wall.append(idx)
    return SimSet(readings, cal, truth, first_wall, touch, tuple(tags))
