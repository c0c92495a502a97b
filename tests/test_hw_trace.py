"""CSV traces, movement JSON lines and the trace report behind `hinge-coach reps`."""

from __future__ import annotations

import io
import math

import pytest

from hardware.calibration import Calibration
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
    movement_to_json,
)
from hardware.readings import Reading
from hardware.simulated_person import simulate_reps
from hardware.trace import TraceError, read_trace, read_trace_text, write_trace
from hardware.trace_report import trace_events


def test_round_trip(tmp_path) -> None:
    readings = [Reading(0.0, 35.25), Reading(0.05, None), Reading(0.1, math.inf)]
    path = tmp_path / "t.csv"
    write_trace(path, readings)
    assert path.read_text().splitlines()[0] == "t,distance_cm"
    assert read_trace(path) == readings


def test_header_is_optional_and_blank_lines_are_skipped() -> None:
    text = "0.0,35\n\n0.05,\n0.1, 9.5 \n"
    assert read_trace_text(io.StringIO(text)) == [
        Reading(0.0, 35.0),
        Reading(0.05, None),
        Reading(0.1, 9.5),
    ]


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("t,distance_cm\n0.0,abc\n", ":2:", "distance 'abc'"),
        ("t,distance_cm\n0.0\n", ":2:", "2 columns"),
        ("time,dist\n0,1\n", ":1:", "header"),
        ("0.0,30\nx,30\n", ":2:", "time 'x'"),
        ("0.5,30\n0.2,30\n", ":2:", "backwards"),
        ("0.0,30,1\n", ":1:", "2 columns"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, where, what) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(TraceError) as err:
        read_trace(path)
    assert f"bad.csv{where}" in str(err.value) and what in str(err.value)


def test_missing_file_is_a_trace_error(tmp_path) -> None:
    with pytest.raises(TraceError, match="missing.csv"):
        read_trace(tmp_path / "missing.csv")


def test_movement_json_names_and_rounding() -> None:
    cases = [
        (DescentStarted(1.23456), {"t": 1.235, "event": "descent"}),
        (WallTap(2.0), {"t": 2.0, "event": "tap"}),
        (BottomPause(2.5, 0.49999), {"t": 2.5, "event": "pause", "pause_s": 0.5}),
        (
            RepComplete(4.0, 1.11111, 0.5, 1.23456),
            {
                "t": 4.0,
                "event": "rep",
                "descent_s": 1.111,
                "pause_s": 0.5,
                "ascent_s": 1.235,
                "depth_ok": True,
            },
        ),
        (
            ShallowRep(5.0, 18.04444, 1.5),
            {"t": 5.0, "event": "shallow", "closest_cm": 18.044, "descent_s": 1.5},
        ),
        (PersonLeft(6.0), {"t": 6.0, "event": "left"}),
        (PersonReturned(7.0), {"t": 7.0, "event": "returned"}),
        (SensorFault(8.0, "stuck"), {"t": 8.0, "event": "fault", "reason": "stuck"}),
        (SensorRecovered(9.0), {"t": 9.0, "event": "recovered"}),
    ]
    for event, expected in cases:
        assert movement_to_json(event) == expected
    with pytest.raises(TypeError):
        movement_to_json("tap")  # type: ignore[arg-type]


def test_trace_events_counts_reps_and_shallow_and_ends_with_summary(tmp_path) -> None:
    cal = Calibration(stand_cm=35.0, tap_cm=10.0)
    wall = simulate_reps(0.0, 3, 1.5, 0.5, 1.0, "wall", cal, rng=3)
    shallow = simulate_reps(wall[-1].t + 0.05, 2, 1.5, 0.3, 1.0, "shallow", cal, rng=4)
    path = tmp_path / "set.csv"
    write_trace(path, wall + shallow)
    lines = list(trace_events(read_trace(path), cal))
    assert lines[-1] == {"event": "summary", "reps": 3, "shallow": 2}
    names = [line["event"] for line in lines[:-1]]
    assert names.count("tap") == 3 and names.count("rep") == 3 and names.count("shallow") == 2
    assert all(isinstance(line["t"], float) for line in lines[:-1])


def test_tap_cm_flag_changes_what_counts_as_the_wall() -> None:
    trace = [
        Reading(i * 0.1, d) for i, d in enumerate([35, 35, 28, 20, 14, 12, 13, 20, 30, 35, 35])
    ]
    assert list(trace_events(trace, Calibration(35.0, 10.0)))[-1]["shallow"] == 1
    assert list(trace_events(trace, Calibration(35.0, 12.5)))[-1]["reps"] == 1


def test_gap_in_timestamps_reports_a_fault() -> None:
    trace = [Reading(i * 0.1, 35.0 + (i % 3) * 0.3) for i in range(10)]
    trace += [Reading(5.0 + i * 0.1, 35.0 + (i % 3) * 0.3) for i in range(10)]
    names = [e["event"] for e in trace_events(trace, Calibration())]
    assert names == ["fault", "recovered", "summary"]
