"""`hinge-coach history [--limit N] [--plot FILE]`: the workout history as a table or a chart.

Opens the database read-only, so it is safe while the service is writing and never creates a
file on a unit that has not recorded anything yet.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from assistant.exercises import load_library
from assistant.history import History, HistoryError, format_table
from assistant.paths import history_path

__all__ = ["history_main"]

EXIT_OK, EXIT_FAILED = 0, 1
NOTHING_YET = "No workouts recorded yet."


def history_main(limit: int | None, plot: Path | None) -> int:
    """Print the latest ``limit`` sessions (None or < 1: all), or draw them to ``plot`` (PNG).

    Exit 0 when shown (or nothing recorded yet), 1 with a one-line reason on stderr otherwise.
    """
    path = history_path()
    count = None if limit is None or limit < 1 else limit
    try:
        history = History(path, readonly=True)
    except FileNotFoundError:
        print(NOTHING_YET)
        return EXIT_OK
    except (HistoryError, OSError) as exc:
        return _fail(str(exc))
    try:
        if plot is not None:
            return _plot(history, plot, count)
        sessions = history.sessions(limit=count)
        if not sessions:
            print(NOTHING_YET)
            return EXIT_OK
        names = {ex_id: ex.name for ex_id, ex in load_library().items()}
        print(format_table(sessions, names))
        return EXIT_OK
    except HistoryError as exc:  # includes PlotUnavailable, whose message is the install hint
        return _fail(str(exc))
    except sqlite3.Error as exc:
        # e.g. an empty file where the database should be, or one this user may not read.
        return _fail(f"{path}: cannot read the workout history ({exc})")
    finally:
        history.close()


def _plot(history: History, plot: Path, limit: int | None) -> int:
    try:
        drawn = history.plot(plot, limit=limit)
    except (OSError, ValueError) as exc:  # a missing directory, an unknown image format
        return _fail(f"cannot write {plot}: {exc}")
    print(f"Wrote {plot} ({drawn} session{'' if drawn == 1 else 's'}).")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"hinge-coach: {message}", file=sys.stderr)
    return EXIT_FAILED
