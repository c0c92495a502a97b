"""Rep detection against hand-built traces and a generated corpus with known truth."""

from __future__ import annotations

import math
import random

import pytest

from hardware.calibration import Calibration
from hardware.movement import (
    BottomPause,
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
from hardware.rep_detector import DetectorSettings, RepDetector
from hardware.simulated_person import generate_set, simulate_reps

CAL = Calibration(stand_cm=35.0, tap_cm=10.0, touch_cm=7.0)


def path(
    start: float, *moves: tuple[float | None, float], rate_hz: float = 20.0, t0: float = 0.0
) -> list[Reading]:
    """Linear moves (to_cm, seconds) from start; to_cm None = missing readings."""
    out, t, x = [], t0, start
    for to, dur in moves:
        n = max(1, round(dur * rate_hz))
        for i in range(1, n + 1):
            if to is None:
                out.append(Reading(t + i / rate_hz, None))
            else:
                out.append(Reading(t + i / rate_hz, round(x + (to - x) * i / n, 3)))
        t += n / rate_hz
        x = x if to is None else to
    return [Reading(t0, start), *out]


def run(readings: list[Reading], cal: Calibration = CAL, **kw) -> list[tuple[int, MovementEvent]]:
    det = RepDetector(cal, DetectorSettings(**kw) if kw else None)
    out = []
    for i, r in enumerate(readings):
        out += [(i, e) for e in det.poll(r.t) + det.feed(r)]
    return out


def kinds(events: list[tuple[int, MovementEvent]]) -> list[str]:
    return [type(e).__name__ for _, e in events]


def one_rep(**kw) -> list[Reading]:
    return path(35, (35, 0.5), (7, 1.5), (7, 0.5), (35, 1.0), (35, 1.0), **kw)


# ---- single behaviours ---------------------------------------------------------------------


def test_clean_rep_event_order_and_timings() -> None:
    events = run(one_rep())
    assert kinds(events) == ["DescentStarted", "WallTap", "BottomPause", "RepComplete"]
    rep = events[-1][1]
    assert isinstance(rep, RepComplete)
    assert rep.descent_s == pytest.approx(1.5, abs=0.4)
    assert rep.pause_s == pytest.approx(0.5, abs=0.25)
    assert rep.ascent_s == pytest.approx(1.0, abs=0.5)


def test_tap_on_the_first_reading_at_the_wall() -> None:
    readings = one_rep()
    first_wall = next(i for i, r in enumerate(readings) if r.distance_cm <= CAL.tap_cm)
    taps = [i for i, e in run(readings) if isinstance(e, WallTap)]
    assert taps == [first_wall]


def test_fast_descent_straight_to_the_wall_taps_at_once() -> None:
    # 10 Hz, 0.3 s down: only two readings between standing and the wall.
    readings = path(35, (35, 0.5), (7, 0.3), (7, 0.1), (35, 0.3), (35, 0.6), rate_hz=10)
    events = run(readings)
    first_wall = next(i for i, r in enumerate(readings) if r.distance_cm <= CAL.tap_cm)
    assert [i for i, e in events if isinstance(e, WallTap)] == [first_wall]
    assert kinds(events).count("RepComplete") == 1
    assert kinds(events).index("DescentStarted") < kinds(events).index("WallTap")


def test_bouncing_at_the_bottom_is_one_rep_one_tap() -> None:
    readings = path(
        35,
        (35, 0.5),
        (7, 1.2),
        (11, 0.15),
        (7, 0.15),
        (12, 0.15),
        (7, 0.15),
        (13, 0.1),
        (7, 0.1),
        (35, 1.0),
        (35, 1.0),
    )
    names = kinds(run(readings))
    assert names.count("WallTap") == 1 and names.count("RepComplete") == 1
    assert names.count("BottomPause") == 1


def test_shallow_rep_is_flagged_and_never_counted() -> None:
    readings = path(35, (35, 0.5), (19, 1.2), (19, 0.3), (35, 1.0), (35, 1.0))
    events = run(readings)
    assert kinds(events) == ["DescentStarted", "ShallowRep"]
    shallow = events[-1][1]
    assert isinstance(shallow, ShallowRep)
    assert shallow.closest_cm == pytest.approx(19, abs=0.6)
    assert shallow.descent_s == pytest.approx(1.2, abs=0.4)


def test_small_sway_is_not_a_rep() -> None:
    readings = path(35, (33, 0.5), (36, 0.5), (32.5, 0.5), (35, 0.5), (35, 1))
    assert run(readings) == []


def test_noise_of_two_cm_standing_and_at_the_wall() -> None:
    rng = random.Random(5)
    noisy = [Reading(r.t, round(r.distance_cm + rng.uniform(-2, 2), 2)) for r in one_rep() * 1]
    # the wall reads 7 +- 2: always within tap_cm
    names = kinds(run(noisy))
    assert names.count("WallTap") == 1 and names.count("RepComplete") == 1
    assert "ShallowRep" not in names


@pytest.mark.parametrize("where", [5, 25, 45, 70])  # standing, descending, at the wall, rising
def test_single_far_spike_anywhere_changes_nothing(where: int) -> None:
    readings = one_rep()
    readings[where] = Reading(readings[where].t, 187.0)
    assert kinds(run(readings)) == ["DescentStarted", "WallTap", "BottomPause", "RepComplete"]


def test_runs_of_missing_readings_during_the_rep() -> None:
    readings = one_rep()
    for i in [*range(12, 18), *range(33, 36), *range(62, 67)]:  # descent, bottom, ascent
        readings[i] = Reading(readings[i].t, None)
    assert kinds(run(readings)) == ["DescentStarted", "WallTap", "BottomPause", "RepComplete"]


def test_missing_readings_hiding_the_bottom_make_no_shallow_claim() -> None:
    readings = path(35, (35, 0.5), (13, 1.0), (None, 0.6), (20, 0.4), (35, 0.6), (35, 1.0))
    names = kinds(run(readings))
    assert "RepComplete" not in names and "ShallowRep" not in names


def test_standing_spot_drifting_between_reps() -> None:
    readings = path(35, (35, 0.5), (7, 1.2), (7, 0.3), (30, 1.0), (30, 1.0), rate_hz=20)
    readings += path(30, (7, 1.2), (7, 0.3), (39, 1.2), (39, 1.0), t0=readings[-1].t + 0.05)
    readings += path(39, (7, 1.5), (7, 0.3), (33, 1.0), (33, 1.0), t0=readings[-1].t + 0.05)
    names = kinds(run(readings))
    assert names.count("RepComplete") == 3 and "ShallowRep" not in names


def test_very_slow_descent_with_noise() -> None:
    rng = random.Random(2)
    base = path(35, (35, 1), (7, 6.0), (7, 1.0), (35, 2.0), (35, 1.5), rate_hz=15)
    noisy = [Reading(r.t, r.distance_cm + rng.gauss(0, 1.0)) for r in base]
    events = run(noisy)
    assert kinds(events).count("RepComplete") == 1 and "ShallowRep" not in kinds(events)
    rep = [e for _, e in events if isinstance(e, RepComplete)][0]
    assert rep.descent_s > 3.5


@pytest.mark.parametrize("rate_hz", [10, 20, 30])
def test_sub_second_reps_back_to_back(rate_hz: float) -> None:
    readings = path(35, (35, 0.5), rate_hz=rate_hz)
    for _ in range(5):
        readings += path(
            readings[-1].distance_cm,
            (7, 0.35),
            (7, 0.05),
            (35, 0.35),
            (35, 0.1),
            rate_hz=rate_hz,
            t0=readings[-1].t,
        )[1:]
    readings += path(35, (35, 1.0), rate_hz=rate_hz, t0=readings[-1].t)[1:]
    names = kinds(run(readings))
    assert names.count("WallTap") == 5 and names.count("RepComplete") == 5


def test_jittered_timestamps() -> None:
    rng = random.Random(9)
    readings, t = [], 0.0
    for r in one_rep(rate_hz=20):
        readings.append(Reading(t, r.distance_cm))
        t += 0.05 * rng.uniform(0.6, 1.4)
    assert kinds(run(readings)).count("RepComplete") == 1


def test_walking_away_and_coming_back() -> None:
    readings = one_rep()
    readings += path(
        35,
        (90, 1.0),
        (200, 0.2),
        (200, 10.0),
        (60, 0.3),
        (33, 1.0),
        (33, 1.5),
        t0=readings[-1].t + 0.05,
    )
    readings += one_rep(t0=readings[-1].t + 0.05)[1:]
    names = kinds(run(readings))
    assert names.count("PersonLeft") == 1 and names.count("PersonReturned") == 1
    assert names.count("RepComplete") == 2
    assert names.index("PersonLeft") < names.index("PersonReturned")


# ---- faults --------------------------------------------------------------------------------


def test_no_readings_at_all_is_one_fault_via_poll() -> None:
    det = RepDetector(CAL)
    assert det.feed(Reading(0.0, 35.0)) == []
    events = [e for now in (0.5, 1.0, 1.9, 2.1, 2.5, 5.0, 9.0) for e in det.poll(now)]
    assert events == [SensorFault(2.1, "no_readings")]
    back = [e for i in range(5) for e in det.feed(Reading(10 + i * 0.05, 35.0 + i * 0.1))]
    assert back == [SensorRecovered(10.1)]
    assert not det.faulted


def test_none_readings_for_a_while_are_one_fault() -> None:
    readings = path(35, (35, 0.5), (None, 4.0), (35, 1.0))
    readings = [
        Reading(r.t, None if r.distance_cm is None else r.distance_cm + 0.1 * (i % 3))
        for i, r in enumerate(readings)
    ]
    assert kinds(run(readings)) == ["SensorFault", "SensorRecovered"]


def test_stuck_value_is_one_fault() -> None:
    readings = [Reading(i * 0.05, 35.0 + 0.2 * (i % 3)) for i in range(20)]
    readings += [Reading(1 + i * 0.05, 31.7) for i in range(200)]  # 10 s frozen
    readings += [Reading(11 + i * 0.05, 35.0 + 0.2 * (i % 3)) for i in range(20)]
    events = run(readings)
    assert kinds(events) == ["SensorFault", "SensorRecovered"]
    assert events[0][1].reason == "stuck"


def test_constant_max_range_is_an_empty_room_not_a_fault() -> None:
    readings = path(35, (35, 0.5), (200, 0.3), (200, 20.0))
    assert kinds(run(readings)) == ["PersonLeft"]


@pytest.mark.parametrize("bad", [-5.0, float("nan"), 9999.0, math.inf])
def test_impossible_values_are_one_fault(bad: float) -> None:
    readings = [Reading(i * 0.05, 35.0 + 0.2 * (i % 3)) for i in range(10)]
    readings += [Reading(0.5 + i * 0.05, bad) for i in range(30)]
    readings += [Reading(2.0 + i * 0.05, 35.0 + 0.2 * (i % 3)) for i in range(10)]
    events = run(readings)
    assert kinds(events) == ["SensorFault", "SensorRecovered"]
    assert events[0][1].reason == "impossible"


def test_one_impossible_value_is_ignored() -> None:
    readings = one_rep()
    readings[30] = Reading(readings[30].t, -1.0)
    assert kinds(run(readings)).count("RepComplete") == 1


def test_reps_resume_after_a_fault() -> None:
    readings = path(35, (35, 0.5), (None, 3.0), (35, 1.0))
    readings += one_rep(t0=readings[-1].t + 0.05)[1:]
    assert kinds(run(readings)) == [
        "SensorFault",
        "SensorRecovered",
        "DescentStarted",
        "WallTap",
        "BottomPause",
        "RepComplete",
    ]


# ---- binary (IR) sensors -------------------------------------------------------------------


def binary(pattern: str, rate_hz: float = 20) -> list[Reading]:
    """'.' clear, '#' at the wall, one character per reading."""
    return [Reading(i / rate_hz, 0.0 if c == "#" else math.inf) for i, c in enumerate(pattern)]


def test_binary_taps_and_releases() -> None:
    readings = binary("....######......" * 3 + "....")
    events = run(readings)
    assert kinds(events).count("WallTap") == 3 and kinds(events).count("RepComplete") == 3
    assert [i for i, e in events if isinstance(e, WallTap)] == [4, 20, 36]
    pause = [e for _, e in events if isinstance(e, BottomPause)][0]
    assert pause.pause_s == pytest.approx(0.25)


def test_binary_bounce_and_chatter_are_one_rep() -> None:
    readings = binary("....####.##.#####.......#.#.........")
    names = kinds(run(readings))
    # Bounces inside the first touch are one rep; the second touch 1 s later is another.
    assert names.count("WallTap") == 2 and names.count("RepComplete") == 2


def test_binary_minimum_spacing_between_reps() -> None:
    readings = binary("....##......##..........", rate_hz=20)  # two taps 0.4 s apart
    names = kinds(run(readings))
    assert names.count("WallTap") == 1


def test_binary_never_reports_shallow_or_descent() -> None:
    names = kinds(run(binary("....#######........" * 2)))
    assert "ShallowRep" not in names and "DescentStarted" not in names


# ---- simulate_reps, used by the simulation runtime -----------------------------------------


@pytest.mark.parametrize("depth", ["wall", "shallow"])
def test_simulate_reps_is_deterministic_and_detectable(depth: str) -> None:
    a = simulate_reps(10.0, 5, 2.5, 1.0, 1.5, depth, CAL)
    b = simulate_reps(10.0, 5, 2.5, 1.0, 1.5, depth, CAL)
    assert a == b and a[0].t == 10.0
    assert all(y.t > x.t for x, y in zip(a, a[1:], strict=False))
    names = kinds(run(a))
    if depth == "wall":
        assert names.count("RepComplete") == 5 and names.count("WallTap") == 5
    else:
        assert names.count("ShallowRep") == 5 and "RepComplete" not in names
    assert simulate_reps(10.0, 5, 2.5, 1.0, 1.5, depth, CAL, rng=7) != a


def test_simulate_reps_fast_and_slow_at_any_rate() -> None:
    for down, up, rate in [(0.4, 0.4, 10), (6.0, 2.0, 30), (1.0, 1.0, 15)]:
        readings = simulate_reps(0.0, 4, down, 0.1, up, "wall", CAL, rate_hz=rate, rng=1)
        assert kinds(run(readings)).count("RepComplete") == 4


# ---- the generated corpus ------------------------------------------------------------------

CORPUS = [generate_set(seed) for seed in range(1000, 1150)]


def _run_set(s):
    det = RepDetector(s.calibration)
    out = []
    for i, r in enumerate(s.readings):
        out += [(i, e) for e in det.poll(r.t) + det.feed(r)]
    return out


@pytest.fixture(scope="module")
def corpus_results():
    return [(s, _run_set(s)) for s in CORPUS]


def test_corpus_covers_every_condition() -> None:
    tags = {t for s in CORPUS for t in s.tags}
    assert {"normal", "slow", "fast", "mixed", "bounce", "walk_away"} <= tags
    assert {"fault_no_readings", "fault_stuck", "fault_impossible"} <= tags
    assert sum(s.truth.shallow for s in CORPUS) > 50


def test_corpus_every_set_counted_exactly(corpus_results) -> None:
    wrong = [
        (s.tags, kinds(ev).count("RepComplete"), s.truth.reps)
        for s, ev in corpus_results
        if kinds(ev).count("RepComplete") != s.truth.reps
    ]
    assert wrong == []


def test_corpus_shallow_never_counted_and_flagged(corpus_results) -> None:
    truth = sum(s.truth.shallow for s, _ in corpus_results)
    found = 0
    for s, ev in corpus_results:
        n = kinds(ev).count("ShallowRep")
        assert n <= s.truth.shallow, s.tags  # never a false shallow
        found += n
    assert found / truth >= 0.95


def test_corpus_tap_on_first_reading_at_the_wall(corpus_results) -> None:
    late = 0
    for s, ev in corpus_results:
        taps = [i for i, e in ev if isinstance(e, WallTap)]
        assert len(taps) == s.truth.reps
        for (a, _b), tap in zip(s.truth.rep_windows, taps, strict=True):
            first = next(
                i
                for i, r in enumerate(s.readings)
                if a <= r.t and r.distance_cm is not None and r.distance_cm <= s.calibration.tap_cm
            )
            late += tap != first
    assert late == 0


def test_corpus_faults_reported_once_with_the_right_reason(corpus_results) -> None:
    for s, ev in corpus_results:
        faults = [e for _, e in ev if isinstance(e, SensorFault)]
        recovered = [e for _, e in ev if isinstance(e, SensorRecovered)]
        assert [f.reason for f in faults] == [k for *_, k in s.truth.fault_windows]
        assert len(recovered) == len(faults)


def test_corpus_walk_aways(corpus_results) -> None:
    for s, ev in corpus_results:
        assert sum(isinstance(e, PersonLeft) for _, e in ev) == s.truth.left
        assert sum(isinstance(e, PersonReturned) for _, e in ev) == s.truth.returned


def test_corpus_descent_precedes_each_tap(corpus_results) -> None:
    for _, ev in corpus_results:
        names = [n for n in kinds(ev) if n in ("DescentStarted", "WallTap")]
        for i, n in enumerate(names):
            if n == "WallTap":
                assert i > 0 and names[i - 1] == "DescentStarted"


def test_simulated_standing_gives_no_events() -> None:
    from hardware.simulated_person import simulate_standing

    readings = simulate_standing(0.0, 30.0, CAL, rate_hz=15, rng=3)
    assert run(readings) == []
    assert abs(readings[-1].t - 30.0) < 0.2


def test_fault_on_the_way_up_still_counts_the_touched_rep() -> None:
    readings = path(35, (35, 0.5), (7, 1.0), (7, 0.3), (24, 0.5), (None, 3.0), (35, 1.0))
    names = kinds(run(readings))
    assert names[:6] == [
        "DescentStarted",
        "WallTap",
        "BottomPause",
        "RepComplete",
        "SensorFault",
        "SensorRecovered",
    ]
    assert names.count("RepComplete") == 1


def test_fault_at_the_wall_drops_the_unfinished_rep() -> None:
    readings = path(35, (35, 0.5), (7, 1.0), (7, 0.3), (None, 3.0), (35, 1.0))
    assert kinds(run(readings)) == ["DescentStarted", "WallTap", "SensorFault", "SensorRecovered"]
