"""Replay a trace through rep detection and report events as JSON-ready dicts.

Also the body of ``hinge-coach reps TRACE.csv [--json] [--tap-cm X] [--stand-cm Y]``
(runnable alone as ``python -m hardware.trace_report``).

>>> from hardware.readings import Reading
>>> list(trace_events([Reading(0.0, 35.0)], Calibration()))
[{'event': 'summary', 'reps': 0, 'shallow': 0}]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from hardware.calibration import Calibration, load_calibration
from hardware.movement import RepComplete, ShallowRep, movement_to_json
from hardware.readings import Reading
from hardware.rep_detector import DetectorSettings, RepDetector
from hardware.trace import TraceError, read_trace


def trace_events(
    readings: Iterable[Reading],
    calibration: Calibration,
    settings: DetectorSettings | None = None,
) -> Iterator[dict]:
    """Movement events (movement_to_json form) for a trace, then a summary line.

    Between readings the detector is polled, so a silent stretch in a trace (a gap in the
    timestamps) reports a fault just as it would live.
    """
    det = RepDetector(calibration, settings)
    reps = shallow = 0
    for reading in readings:
        for ev in det.poll(reading.t) + det.feed(reading):
            reps += isinstance(ev, RepComplete)
            shallow += isinstance(ev, ShallowRep)
            yield movement_to_json(ev)
    yield {"event": "summary", "reps": reps, "shallow": shallow}


def calibration_for(
    base: Calibration | None, tap_cm: float | None, stand_cm: float | None
) -> Calibration:
    """The saved (or default) calibration with command-line overrides applied.

    Raises ValueError with a readable message if the result makes no sense.
    """
    cal = base or Calibration()
    if tap_cm is not None:
        cal = replace(cal, tap_cm=tap_cm, touch_cm=None)
    if stand_cm is not None:
        cal = replace(cal, stand_cm=stand_cm)
    if not 0.0 <= cal.tap_cm < cal.stand_cm:
        raise ValueError(
            f"--tap-cm ({cal.tap_cm:g}) must be at least 0 and less than --stand-cm "
            f"({cal.stand_cm:g})"
        )
    return cal


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The `reps` subcommand's arguments (shared by `hinge-coach reps` and this module)."""
    ap.add_argument("trace", help="CSV trace: t,distance_cm (empty distance = no reading)")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--tap-cm", type=float, help="at or below this, glutes are at the wall")
    ap.add_argument("--stand-cm", type=float, help="calibrated standing distance")
    ap.add_argument("--calibration", help="calibration JSON to start from (default: the "
                    "unit's saved calibration, else built-in defaults)")


def run(args: argparse.Namespace, calibration: Calibration | None = None) -> int:
    """Print the events for args.trace; returns the exit status."""
    base = calibration
    if args.calibration:
        base = load_calibration(args.calibration) or base
    try:
        cal = calibration_for(base, args.tap_cm, args.stand_cm)
        readings = read_trace(args.trace)
    except (ValueError, TraceError) as exc:
        print(f"hinge-coach reps: {exc}", file=sys.stderr)
        return 2
    for line in trace_events(readings, cal):
        if args.json:
            print(json.dumps(line))
        elif line["event"] == "summary":
            print(f"{line['reps']} reps, {line['shallow']} shallow")
        else:
            extra = " ".join(f"{k}={v}" for k, v in line.items() if k not in ("t", "event"))
            print(f"{line['t']:9.3f}  {line['event']:<9} {extra}".rstrip())
    return 0


def run_cli(argv: Sequence[str] | None = None, calibration: Calibration | None = None) -> int:
    """`reps` subcommand on its own: parse argv and run."""
    ap = argparse.ArgumentParser(prog="hinge-coach reps", description="Count reps in a trace.")
    add_arguments(ap)
    return run(ap.parse_args(argv), calibration)


if __name__ == "__main__":
    raise SystemExit(run_cli())
