"""Calibration: where the person stands and where the wall is, as the sensor sees them.

>>> calibrate([34.8, 35.2, 35.0, 34.9], [8.1, 7.9, 8.0])
Calibration(stand_cm=35.0, tap_cm=11.0, touch_cm=8.0)
>>> calibrate([], [8.0]).reason
"I can't see anyone in front of the sensor. Stand about a foot from the wall and try again."
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_STAND_CM = 35.0
DEFAULT_TAP_CM = 10.0
FAR_CM = 150.0
"""Readings at or beyond this are "nobody there" (a foot from the wall is about 30 cm)."""
MIN_SPAN_CM = 8.0
"""The tap must read at least this much closer than standing to be a usable button."""
MIN_MARGIN_CM = 3.0
"""Smallest allowance above the touch distance (sensor noise is 1-2 cm)."""


@dataclass(frozen=True)
class Calibration:
    """Thresholds for rep detection, in cm from the sensor."""

    stand_cm: float = DEFAULT_STAND_CM
    """Typical distance to the person standing upright in position."""
    tap_cm: float = DEFAULT_TAP_CM
    """Distance at or below which the glutes are at the wall (the "button" threshold)."""
    touch_cm: float | None = None
    """Measured distance at a touch, if calibrated (tap_cm is derived from it plus a margin)."""

    @property
    def span_cm(self) -> float:
        """Travel between standing and the tap threshold (never below 1 cm)."""
        return max(1.0, self.stand_cm - self.tap_cm)

    def spoken(self) -> str:
        """What the coach says after a successful calibration."""
        touch = self.touch_cm if self.touch_cm is not None else self.tap_cm
        return (
            f"You stand {round(self.stand_cm)} centimetres from the sensor and touch the wall at "
            f"{round(touch)}. I'll count a tap at {round(self.tap_cm)} centimetres or closer."
        )


@dataclass(frozen=True)
class CalibrationError:
    """Calibration failed; reason is a short sentence the coach says aloud."""

    reason: str


def _usable(samples: Iterable[float | None]) -> list[float]:
    # None = no echo; inf/far = nobody; negatives/NaN = glitches. None of them are a position.
    return [s for s in samples if s is not None and math.isfinite(s) and 0.0 <= s < FAR_CM]


def calibrate(
    stand_samples: Iterable[float | None], tap_samples: Iterable[float | None]
) -> Calibration | CalibrationError:
    """Derive thresholds from readings taken standing in position and touching the wall.

    Samples are distances in cm (None for no reading). Returns a CalibrationError with a
    spoken reason for nonsense input; the caller keeps its old calibration then.
    """
    stand_raw, tap_raw = list(stand_samples), list(tap_samples)
    # A binary (IR) sensor reads 0.0 at the wall and inf when clear: nothing to measure.
    if _is_binary(stand_raw) and _is_binary(tap_raw):
        if any(s == 0.0 for s in stand_raw):
            return CalibrationError(
                "The sensor says you were at the wall while standing. Step forward and try again."
            )
        if not any(s == 0.0 for s in tap_raw):
            return CalibrationError(
                "The sensor never saw you touch the wall. Push your hips back until they touch."
            )
        return Calibration()
    stand, tap = _usable(stand_raw), _usable(tap_raw)
    if len(stand) < max(3, len(stand_raw) // 3):
        return CalibrationError(
            "I can't see anyone in front of the sensor. "
            "Stand about a foot from the wall and try again."
        )
    if len(tap) < max(2, len(tap_raw) // 3):
        return CalibrationError(
            "I didn't get a reading while you touched the wall. "
            "Push your hips straight back onto the sensor and hold for a second."
        )
    stand_cm = statistics.median(stand)
    touch_cm = statistics.median(tap)
    if stand_cm - touch_cm < MIN_SPAN_CM:
        return CalibrationError(
            "Your tap was not clearly closer to the wall than your standing spot. "
            "Stand a foot from the wall, then push your hips back until they touch it."
        )
    # Margin covers sensor noise at the wall but stays well clear of a shallow turn-back.
    spread = _mad_cm(tap) * 1.4826
    margin = min(max(MIN_MARGIN_CM, 3.0 * spread), 0.2 * (stand_cm - touch_cm))
    return Calibration(
        stand_cm=round(stand_cm, 1), tap_cm=round(touch_cm + margin, 1), touch_cm=round(touch_cm, 1)
    )


def _is_binary(samples: list[float | None]) -> bool:
    vals = [s for s in samples if s is not None]
    return bool(vals) and all(s == 0.0 or s == math.inf for s in vals)


def _mad_cm(values: list[float]) -> float:
    med = statistics.median(values)
    return statistics.median(abs(v - med) for v in values)


def load_calibration(path: str | os.PathLike[str]) -> Calibration | None:
    """Read a saved calibration; None if the file is missing or unreadable (use defaults)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        cal = Calibration(
            stand_cm=float(data["stand_cm"]),
            tap_cm=float(data["tap_cm"]),
            touch_cm=None if data.get("touch_cm") is None else float(data["touch_cm"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (0.0 <= cal.tap_cm < cal.stand_cm < FAR_CM):
        return None
    return cal


def save_calibration(path: str | os.PathLike[str], cal: Calibration) -> None:
    """Write the calibration as JSON atomically (a power cut never leaves half a file)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(cal), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
