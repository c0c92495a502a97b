"""CSV traces of wall-sensor readings: ``t,distance_cm`` (header optional, empty = no reading).

>>> import io
>>> read_trace_text(io.StringIO("t,distance_cm\\n0.0,35.1\\n0.05,\\n"), "demo.csv")
[Reading(t=0.0, distance_cm=35.1), Reading(t=0.05, distance_cm=None)]
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from hardware.readings import Reading

_NONE_WORDS = {"", "none", "null", "na"}


class TraceError(ValueError):
    """A trace file could not be parsed; the message names the file and line."""


def read_trace(path: str | os.PathLike[str]) -> list[Reading]:
    """Read a trace file. Raises TraceError naming the file and line on bad input."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return read_trace_text(fh, str(path))
    except OSError as exc:
        raise TraceError(f"{path}: cannot read trace: {exc.strerror or exc}") from exc


def read_trace_text(fh: TextIO, name: str = "<trace>") -> list[Reading]:
    """Parse trace text from an open file; `name` is used in error messages."""
    out: list[Reading] = []
    for lineno, row in enumerate(csv.reader(fh), start=1):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if lineno == 1 and not _is_number(cells[0]):
            if [c.lower() for c in cells[:2]] != ["t", "distance_cm"]:
                raise TraceError(
                    f"{name}:{lineno}: header must be 't,distance_cm', got {','.join(cells)!r}"
                )
            continue
        if len(cells) != 2:
            raise TraceError(
                f"{name}:{lineno}: expected 2 columns 't,distance_cm', got {len(cells)}"
            )
        try:
            t = float(cells[0])
        except ValueError:
            raise TraceError(f"{name}:{lineno}: time {cells[0]!r} is not a number") from None
        if not math.isfinite(t):
            raise TraceError(f"{name}:{lineno}: time {cells[0]!r} is not finite")
        if out and t < out[-1].t:
            raise TraceError(f"{name}:{lineno}: time {t} goes backwards (previous {out[-1].t})")
        raw = cells[1]
        if raw.lower() in _NONE_WORDS:
            d = None
        else:
            try:
                d = float(raw)  # "inf" is a binary sensor's "clear"; NaN/negative reach
            except ValueError:  # the detector, which reports them as impossible values
                raise TraceError(
                    f"{name}:{lineno}: distance {raw!r} is not a number (leave empty for none)"
                ) from None
        out.append(Reading(t, d))
    return out


def write_trace(path: str | os.PathLike[str], readings: Iterable[Reading]) -> None:
    """Write readings as a trace file with a header."""
    with open(Path(path), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["t", "distance_cm"])
        for r in readings:
            w.writerow([repr(r.t), "" if r.distance_cm is None else repr(r.distance_cm)])


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
