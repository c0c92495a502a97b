"""Workout history: every session, set and rep in one SQLite file (WAL).

Each rep is committed on its own, so a power cut or ``kill -9`` in the middle of a set loses at
most the rep in progress. A session that was never ended (the process died) reads back as
"interrupted"; the next ``start_session`` closes it for good.

The write calls take the same fields as the coach's ``RecordRep`` / ``RecordShallow`` actions::

    history = History("/var/lib/hinge-coach/history.db")
    sid = history.start_session("barbell_rdl", planned_sets=3, planned_reps=8)
    history.record_rep(sid, set_no=1, rep_no=1, depth_ok=True,
                       descent_s=2.4, pause_s=1.0, ascent_s=1.1)
    history.end_set(sid, set_no=1)
    history.end_session(sid, "completed")
    print(format_table(history.sessions(limit=10)))
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from assistant.speech_text import number_words

__all__ = [
    "History",
    "HistoryError",
    "PlotUnavailable",
    "SessionStatus",
    "SessionSummary",
    "format_table",
    "plot_sessions",
    "spoken_last_time",
]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,          -- Unix time, seconds
    ended_at REAL,                     -- NULL while running or after a crash
    exercise TEXT NOT NULL,            -- exercise id, e.g. barbell_rdl
    planned_sets INTEGER,
    planned_reps INTEGER,              -- per set
    end_reason TEXT,                   -- completed | stopped | error | interrupted
    writer_pid INTEGER NOT NULL,       -- with writer_boot: tells "running" from "crashed"
    writer_boot TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sets (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    set_no INTEGER NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    PRIMARY KEY (session_id, set_no)
);
CREATE TABLE IF NOT EXISTS reps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    set_no INTEGER NOT NULL,
    rep_no INTEGER,                    -- NULL for a shallow attempt: it did not count
    depth_ok INTEGER,                  -- 1 touched the wall, 0 not, NULL unknown (no sensor)
    shallow INTEGER NOT NULL DEFAULT 0,
    closest_cm REAL,                   -- shallow attempts: nearest the hips came to the wall
    descent_s REAL,
    pause_s REAL,
    ascent_s REAL,
    t REAL NOT NULL                    -- Unix time the rep was recorded
);
CREATE INDEX IF NOT EXISTS reps_by_session ON reps(session_id, set_no);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions(started_at);
"""


class HistoryError(RuntimeError):
    """The history file cannot be used (newer schema, not a database, ...)."""


class PlotUnavailable(HistoryError):
    """matplotlib is not installed."""


class SessionStatus(StrEnum):
    """How a session ended, as shown in the table."""

    COMPLETED = "completed"
    STOPPED = "stopped"
    ERROR = "error"
    INTERRUPTED = "interrupted"
    IN_PROGRESS = "in progress"


_END_REASONS = frozenset({SessionStatus.COMPLETED, SessionStatus.STOPPED, SessionStatus.ERROR})


@dataclass(frozen=True)
class SessionSummary:
    """One session with its totals, newest data first when listed."""

    id: int
    """Row id, as returned by start_session."""
    exercise: str
    """Exercise id as recorded, e.g. "barbell_rdl"."""
    started_at: float
    """Unix time the session started, seconds."""
    ended_at: float | None
    """Unix time it ended; for an interrupted session the last rep's time; None if running."""
    status: SessionStatus
    """Completed, stopped, error, interrupted (crash) or in progress."""
    planned_sets: int | None
    """Sets the person asked for."""
    planned_reps: int | None
    """Reps per set the person asked for."""
    sets_done: int
    """Sets with at least one counted rep."""
    reps: int
    """Counted reps."""
    depth_ok: int
    """Counted reps that touched the wall."""
    shallow: int
    """Attempts that turned back before the wall (not counted)."""
    avg_descent_s: float | None
    """Mean lowering time of counted reps, seconds."""
    avg_pause_s: float | None
    """Mean pause at the wall, seconds."""
    avg_ascent_s: float | None
    """Mean lifting time, seconds."""

    @property
    def duration_s(self) -> float | None:
        """Wall-clock length of the session, or None while it runs."""
        return None if self.ended_at is None else max(0.0, self.ended_at - self.started_at)

    def tempo(self) -> str | None:
        """Mean tempo lowering-pause-lifting in seconds, e.g. "2.5-1.0-1.2"."""
        parts = (self.avg_descent_s, self.avg_pause_s, self.avg_ascent_s)
        if any(p is None for p in parts):
            return None
        return "-".join(f"{p:.1f}" for p in parts)


def _boot_id() -> str:
    """This boot's id: a pid from an earlier boot says nothing about a process now."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


class History:
    """The workout history database; one instance per process, safe to share across threads.

    ``readonly=True`` is for `hinge-coach history`: it never creates or changes the file and
    raises FileNotFoundError when there is no history yet.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._boot = _boot_id()
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no workout history at {self.path}")
            uri = f"file:{self.path.resolve()}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA busy_timeout = 5000")  # the service may be writing
            if not readonly:
                self._setup()
            self._check_version()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise HistoryError(f"{self.path}: not a usable history database ({error})") from None

    def _setup(self) -> None:
        self._db.execute("PRAGMA journal_mode = WAL")
        # FULL fsyncs every commit: a rep survives a power cut too, not just a killed process.
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        if self._version() == 0:
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path} was written by a newer hinge-coach (schema {version}); upgrade"
            )

    def close(self) -> None:
        """Close the database; further calls fail."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: Sequence[object]) -> int:
        with self._lock, self._db:  # one transaction, committed before returning
            return int(self._db.execute(sql, params).lastrowid or 0)

    # -- writing -------------------------------------------------------------------------

    def start_session(
        self,
        exercise: str,
        planned_sets: int | None = None,
        planned_reps: int | None = None,
        *,
        t: float | None = None,
    ) -> int:
        """Begin a session and return its id; first closes sessions left open by a crash."""
        self.close_interrupted()
        return self._write(
            "INSERT INTO sessions (started_at, exercise, planned_sets, planned_reps,"
            " writer_pid, writer_boot) VALUES (?, ?, ?, ?, ?, ?)",
            (self._now(t), exercise, planned_sets, planned_reps, os.getpid(), self._boot),
        )

    def record_rep(
        self,
        session_id: int,
        set_no: int,
        rep_no: int,
        depth_ok: bool | None,
        descent_s: float | None = None,
        pause_s: float | None = None,
        ascent_s: float | None = None,
        *,
        t: float | None = None,
    ) -> None:
        """Store one counted rep; it is on disk when this returns."""
        now = self._now(t)
        with self._lock, self._db:
            self._open_set(session_id, set_no, now)
            self._db.execute(
                "INSERT INTO reps (session_id, set_no, rep_no, depth_ok, shallow,"
                " descent_s, pause_s, ascent_s, t) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (session_id, set_no, rep_no, depth_ok, descent_s, pause_s, ascent_s, now),
            )

    def record_shallow(
        self,
        session_id: int,
        set_no: int,
        closest_cm: float | None = None,
        descent_s: float | None = None,
        *,
        t: float | None = None,
    ) -> None:
        """Store an attempt that turned back before the wall (it was not counted)."""
        now = self._now(t)
        with self._lock, self._db:
            self._open_set(session_id, set_no, now)
            self._db.execute(
                "INSERT INTO reps (session_id, set_no, rep_no, depth_ok, shallow, closest_cm,"
                " descent_s, t) VALUES (?, ?, NULL, 0, 1, ?, ?, ?)",
                (session_id, set_no, closest_cm, descent_s, now),
            )

    def _open_set(self, session_id: int, set_no: int, now: float) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO sets (session_id, set_no, started_at) VALUES (?, ?, ?)",
            (session_id, set_no, now),
        )

    def end_set(self, session_id: int, set_no: int, *, t: float | None = None) -> None:
        """Mark a set finished (rest starts)."""
        now = self._now(t)
        with self._lock, self._db:
            self._open_set(session_id, set_no, now)
            self._db.execute(
                "UPDATE sets SET ended_at = ? WHERE session_id = ? AND set_no = ?",
                (now, session_id, set_no),
            )

    def end_session(
        self, session_id: int, reason: str = SessionStatus.COMPLETED, *, t: float | None = None
    ) -> None:
        """Close a session: reason "completed", "stopped" (by voice or SIGTERM) or "error"."""
        if reason not in _END_REASONS:
            raise ValueError(f"end reason must be one of {sorted(_END_REASONS)}, not {reason!r}")
        self._close(session_id, reason, self._now(t))

    def _close(self, session_id: int, reason: str, ended_at: float) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE sets SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL",
                (ended_at, session_id),
            )
            self._db.execute(
                "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?",
                (ended_at, reason, session_id),
            )

    def close_interrupted(self) -> int:
        """End sessions whose writer died (crash, kill, power cut); returns how many."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.id, s.started_at, s.writer_pid, s.writer_boot, MAX(r.t) AS last_t"
                " FROM sessions s LEFT JOIN reps r ON r.session_id = s.id"
                " WHERE s.ended_at IS NULL GROUP BY s.id"
            ).fetchall()
        dead = [r for r in rows if not self._writer_alive(r["writer_pid"], r["writer_boot"])]
        for row in dead:
            last = row["last_t"] if row["last_t"] is not None else row["started_at"]
            self._close(row["id"], SessionStatus.INTERRUPTED, last)
        return len(dead)

    def _writer_alive(self, pid: int, boot: str) -> bool:
        return boot == self._boot and _alive(pid)

    def _now(self, t: float | None) -> float:
        return self._clock() if t is None else t

    # -- reading -------------------------------------------------------------------------

    def sessions(self, limit: int | None = 20) -> list[SessionSummary]:
        """The latest sessions with their totals, newest first; limit None for all."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.*, MAX(r.t) AS last_t,"
                " COALESCE(SUM(r.shallow = 0), 0) AS reps,"
                " COALESCE(SUM(r.shallow = 0 AND r.depth_ok = 1), 0) AS depth_ok,"
                " COALESCE(SUM(r.shallow), 0) AS shallow,"
                " COUNT(DISTINCT CASE WHEN r.shallow = 0 THEN r.set_no END) AS sets_done,"
                " AVG(CASE WHEN r.shallow = 0 THEN r.descent_s END) AS avg_descent_s,"
                " AVG(CASE WHEN r.shallow = 0 THEN r.pause_s END) AS avg_pause_s,"
                " AVG(CASE WHEN r.shallow = 0 THEN r.ascent_s END) AS avg_ascent_s"
                " FROM sessions s LEFT JOIN reps r ON r.session_id = s.id"
                " GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()
        return [self._summary(row) for row in rows]

    def _summary(self, row: sqlite3.Row) -> SessionSummary:
        ended_at = row["ended_at"]
        if ended_at is not None:
            status = SessionStatus(row["end_reason"])
        elif self._writer_alive(row["writer_pid"], row["writer_boot"]):
            status = SessionStatus.IN_PROGRESS
        else:
            # Read-only callers cannot close it, but must not show a dead session as running.
            status = SessionStatus.INTERRUPTED
            ended_at = row["last_t"] if row["last_t"] is not None else row["started_at"]
        return SessionSummary(
            id=row["id"],
            exercise=row["exercise"],
            started_at=row["started_at"],
            ended_at=ended_at,
            status=status,
            planned_sets=row["planned_sets"],
            planned_reps=row["planned_reps"],
            sets_done=row["sets_done"],
            reps=row["reps"],
            depth_ok=row["depth_ok"],
            shallow=row["shallow"],
            avg_descent_s=row["avg_descent_s"],
            avg_pause_s=row["avg_pause_s"],
            avg_ascent_s=row["avg_ascent_s"],
        )

    def last_session_summary(self) -> SessionSummary | None:
        """The most recent finished (or interrupted) session: "how did I do last time"."""
        for summary in self.sessions(limit=5):
            if summary.status is not SessionStatus.IN_PROGRESS:
                return summary
        return None

    def plot(self, path_png: str | os.PathLike[str], limit: int | None = None) -> int:
        """Draw reps and tempo per session over time to a PNG; returns sessions drawn.

        Needs matplotlib (the "plot" extra); raises PlotUnavailable without it.
        """
        return plot_sessions(self.sessions(limit), path_png)


# -- presenting ----------------------------------------------------------------------------


def _fmt_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes >= 60:
        return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


_COLUMNS = ("#", "started", "exercise", "sets", "reps", "wall", "shallow", "tempo", "time",
            "status")  # fmt: skip
_NUMERIC = {0, 3, 4, 5, 6, 8}  # right-aligned so the digits line up


def format_table(
    sessions: Sequence[SessionSummary],
    names: Mapping[str, str] | None = None,
    tz: tzinfo | None = None,
) -> str:
    """A plain-text table for `hinge-coach history`; names maps exercise ids to names."""
    if not sessions:
        return "No sessions recorded yet."
    header = _COLUMNS
    rows = [header]
    for s in sessions:
        planned_sets = "?" if s.planned_sets is None else str(s.planned_sets)
        planned = (
            "?"
            if s.planned_sets is None or s.planned_reps is None
            else str(s.planned_sets * s.planned_reps)
        )
        started = datetime.fromtimestamp(s.started_at, tz).strftime("%Y-%m-%d %H:%M")
        rows.append(
            (
                str(s.id),
                started,
                (names or {}).get(s.exercise, s.exercise.replace("_", " ")),
                f"{s.sets_done}/{planned_sets}",
                f"{s.reps}/{planned}",
                str(s.depth_ok),
                str(s.shallow),
                s.tempo() or "-",
                _fmt_seconds(s.duration_s),
                str(s.status),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i in _NUMERIC else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _ago_words(seconds: float) -> str:
    days = int(seconds // 86400)
    if days <= 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{number_words(days)} days ago"
    return f"{number_words(days // 7)} weeks ago"


def _half_seconds(seconds: float) -> str:
    halves = round(seconds * 2)
    whole = number_words(halves // 2)
    if halves % 2:
        return f"{whole} and a half seconds"
    return f"{whole} second" + ("" if halves == 2 else "s")


def spoken_last_time(summary: SessionSummary | None, now: float, exercise_name: str = "") -> str:
    """The answer to "how did I do last time", in words for the speech synthesiser."""
    if summary is None:
        return "There is no earlier workout on record yet."
    what = exercise_name or summary.exercise.replace("_", " ")
    sets = f"{number_words(summary.sets_done)} set" + ("" if summary.sets_done == 1 else "s")
    reps = f"{number_words(summary.reps)} rep" + ("" if summary.reps == 1 else "s")
    parts = [f"Last time, {_ago_words(now - summary.started_at)}, {what}: {reps} in {sets}."]
    if summary.status is SessionStatus.INTERRUPTED:
        parts.append("That session was cut short.")
    elif summary.status is SessionStatus.STOPPED:
        parts.append("You stopped early.")
    if summary.reps:
        parts.append(f"{number_words(summary.depth_ok).capitalize()} touched the wall.")
    if summary.shallow:
        parts.append(f"{number_words(summary.shallow).capitalize()} stopped short.")
    if summary.avg_descent_s is not None:
        parts.append(f"Lowering took {_half_seconds(summary.avg_descent_s)} on average.")
    return " ".join(parts)


def plot_sessions(sessions: Sequence[SessionSummary], path_png: str | os.PathLike[str]) -> int:
    """Draw reps (top) and mean tempo (bottom) per session over time; returns sessions drawn."""
    try:
        # Figure without pyplot: no GUI backend, no global state, safe in a service.
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(
            "drawing the history needs matplotlib: pip install 'hinge-coach[plot]'"
        ) from None
    ordered = sorted(sessions, key=lambda s: s.started_at)
    when = [datetime.fromtimestamp(s.started_at) for s in ordered]
    fig = Figure(figsize=(9, 6), layout="constrained")
    reps_ax, tempo_ax = fig.subplots(2, 1, sharex=True)
    fig.suptitle("hinge-coach: workout history")
    if not ordered:
        reps_ax.text(
            0.5,
            0.5,
            "No sessions recorded yet",
            ha="center",
            va="center",
            transform=reps_ax.transAxes,
        )
    reps_ax.plot(when, [s.reps for s in ordered], "o-", label="counted reps")
    reps_ax.plot(when, [s.depth_ok for s in ordered], "s--", label="touched the wall")
    reps_ax.plot(when, [s.shallow for s in ordered], "x:", label="shallow (not counted)")
    reps_ax.set_ylabel("reps per session")
    reps_ax.set_ylim(bottom=0)
    reps_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    reps_ax.grid(alpha=0.3)
    for label, values in (
        ("lowering", [s.avg_descent_s for s in ordered]),
        ("pause", [s.avg_pause_s for s in ordered]),
        ("lifting", [s.avg_ascent_s for s in ordered]),
    ):
        tempo_ax.plot(when, [float("nan") if v is None else v for v in values], "o-", label=label)
    tempo_ax.set_ylabel("mean seconds per rep")
    tempo_ax.set_ylim(bottom=0)
    tempo_ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    tempo_ax.grid(alpha=0.3)
    locator = AutoDateLocator()
    tempo_ax.xaxis.set_major_locator(locator)
    tempo_ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    fig.savefig(os.fspath(path_png), dpi=100)
    return len(ordered)
