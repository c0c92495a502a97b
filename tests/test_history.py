"""Workout history: durable reps, crash recovery, the table, the spoken answer and the plot."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC
from pathlib import Path

import pytest

from assistant.history import (
    History,
    HistoryError,
    PlotUnavailable,
    SessionStatus,
    format_table,
    plot_sessions,
    spoken_last_time,
)

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_763_900_000.0  # 2025-11-23 12:13:20 UTC


def _workout(history: History, t0: float = T0, sets: int = 2, shallow: int = 1) -> int:
    sid = history.start_session("barbell_rdl", 3, 8, t=t0)
    for set_no in range(1, sets + 1):
        for rep_no in range(1, 9):
            t = t0 + set_no * 100 + rep_no * 5
            history.record_rep(sid, set_no, rep_no, True, 2.5, 1.0, 1.5, t=t)
        for _ in range(shallow):
            history.record_shallow(sid, set_no, 14.0, 1.2, t=t0 + set_no * 100 + 50)
        history.end_set(sid, set_no, t=t0 + set_no * 100 + 60)
    return sid


def test_session_totals_and_end_reason(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        sid = _workout(history)
        history.end_session(sid, "stopped", t=T0 + 400)
        (summary,) = history.sessions()
    assert summary.id == sid
    assert summary.status is SessionStatus.STOPPED
    assert (summary.sets_done, summary.reps, summary.depth_ok, summary.shallow) == (2, 16, 16, 2)
    assert summary.tempo() == "2.5-1.0-1.5"
    assert summary.duration_s == 400


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    History(tmp_path / "h.db").close()
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="newer hinge-coach"):
        History(tmp_path / "h.db")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_text("this is not sqlite " * 100)
    with pytest.raises(HistoryError, match="not a usable history database"):
        History(tmp_path / "h.db")


def test_rep_fields_match_the_coach_actions(tmp_path: Path) -> None:
    """record_rep / record_shallow take RecordRep / RecordShallow fields as keywords."""
    rep = dict(set_no=1, rep_no=1, depth_ok=None, descent_s=2.0, pause_s=None, ascent_s=1.0)
    shallow = dict(set_no=1, closest_cm=15.5, descent_s=1.0)
    with History(tmp_path / "h.db") as history:
        sid = history.start_session("hip_hinge", 1, 5, t=T0)
        history.record_rep(sid, **rep, t=T0 + 1)
        history.record_shallow(sid, **shallow, t=T0 + 2)
        (summary,) = history.sessions()
    assert (summary.reps, summary.depth_ok, summary.shallow) == (1, 0, 1)  # depth unknown
    assert summary.tempo() is None


def test_end_reason_is_checked(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        sid = history.start_session("hip_hinge", t=T0)
        with pytest.raises(ValueError, match="end reason"):
            history.end_session(sid, "in progress")


def test_readonly_never_creates_a_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        History(tmp_path / "missing.db", readonly=True)
    assert not (tmp_path / "missing.db").exists()
    with History(tmp_path / "h.db") as history:
        _workout(history)
    with History(tmp_path / "h.db", readonly=True) as reader:
        assert reader.sessions()[0].reps == 16
        with pytest.raises(sqlite3.OperationalError):
            reader.start_session("hip_hinge")


def test_last_session_skips_the_one_in_progress(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        assert history.last_session_summary() is None
        first = _workout(history)
        history.end_session(first, "completed", t=T0 + 400)
        history.start_session("dumbbell_rdl", 2, 10, t=T0 + 86_400)
        last = history.last_session_summary()
    assert last is not None and last.id == first
    text = spoken_last_time(last, now=T0 + 2 * 86_400, exercise_name="barbell Romanian deadlift")
    assert text.startswith("Last time, two days ago, barbell Romanian deadlift: sixteen reps")
    assert "Two stopped short." in text
    assert "two and a half seconds" in text
    assert spoken_last_time(None, now=T0) == "There is no earlier workout on record yet."


def test_format_table(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as history:
        sid = _workout(history)
        history.end_session(sid, "completed", t=T0 + 400)
        history.start_session("dumbbell_rdl", 2, 10, t=T0 + 3600)
        table = format_table(history.sessions(), names={"dumbbell_rdl": "dumbbell RDL"}, tz=UTC)
    expected = """
    #  started           exercise      sets   reps  wall  shallow  tempo        time  status
    -  ----------------  ------------  ----  -----  ----  -------  -----------  ----  -----------
    2  2025-11-23 13:13  dumbbell RDL   0/2   0/20     0        0  -               -  in progress
    1  2025-11-23 12:13  barbell rdl    2/3  16/24    16        2  2.5-1.0-1.5  6:40  completed
"""
    assert table == textwrap.dedent(expected).strip("\n")
    assert format_table([]) == "No sessions recorded yet."


def test_dead_writer_reads_as_interrupted_and_is_closed_later(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with History(path) as history:
        _workout(history, sets=1)
    # Pretend the writer was a process of an earlier boot.
    db = sqlite3.connect(path)
    db.execute("UPDATE sessions SET writer_boot = 'an-earlier-boot'")
    db.commit()
    db.close()
    with History(path, readonly=True) as reader:
        (summary,) = reader.sessions()
        assert summary.status is SessionStatus.INTERRUPTED
        assert summary.ended_at == T0 + 100 + 8 * 5 + 10  # the shallow attempt came last
    with History(path) as history:
        history.start_session("hip_hinge", t=T0 + 1000)
        old = history.sessions()[1]
    assert old.status is SessionStatus.INTERRUPTED and old.reps == 8


_CHILD = textwrap.dedent(
    """
    import sys
    from assistant.history import History

    history = History(sys.argv[1])
    sid = history.start_session("barbell_rdl", 1000, 8)
    print("session", sid, flush=True)
    for n in range(8000):
        set_no, rep_no = divmod(n, 8)
        history.record_rep(sid, set_no + 1, rep_no + 1, True, 2.0, 1.0, 1.0)
        print("rep", set_no + 1, rep_no + 1, flush=True)  # only after the commit returned
        if rep_no == 7:
            history.end_set(sid, set_no + 1)
    """
)


def test_kill_9_mid_set_loses_no_recorded_rep(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    reported: list[tuple[int, int]] = []
    try:
        assert child.stdout.readline().startswith("session")
        while len(reported) < 21:  # set 3, rep 5: mid-set
            line = child.stdout.readline()
            assert line, "child exited early"
            _, set_no, rep_no = line.split()
            reported.append((int(set_no), int(rep_no)))
    finally:
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()  # reps the child reported before the kill landed
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    reported += [(int(s), int(r)) for _, s, r in (line.split() for line in rest.splitlines())]

    db = sqlite3.connect(path)  # opens cleanly after the crash
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = db.execute("SELECT set_no, rep_no FROM reps ORDER BY id").fetchall()
    db.close()
    assert stored[: len(reported)] == reported  # every reported rep, in order
    assert len(stored) - len(reported) <= 1  # at most the rep in progress was extra

    with History(path) as history:
        (summary,) = history.sessions()
        assert summary.status is SessionStatus.INTERRUPTED
        assert summary.reps == len(stored)
        history.start_session("hip_hinge")  # recovery closes the crashed session
        crashed = history.sessions()[1]
    assert crashed.status is SessionStatus.INTERRUPTED and crashed.ended_at is not None


def _sessions_for_plot(tmp_path: Path) -> History:
    history = History(tmp_path / "h.db")
    for day in range(6):
        sid = history.start_session("barbell_rdl", 3, 8, t=T0 + day * 86_400)
        for set_no in (1, 2, 3):
            for rep_no in range(1, 9 - (day % 3)):
                t = T0 + day * 86_400 + set_no * 100 + rep_no
                history.record_rep(
                    sid, set_no, rep_no, rep_no % 5 != 0, 2.0 + day * 0.2, 0.5 + day * 0.1, 1.2, t=t
                )
            if day % 2:
                history.record_shallow(sid, set_no, 13.0, 1.0, t=T0 + day * 86_400 + set_no * 100)
        history.end_session(sid, "completed", t=T0 + day * 86_400 + 600)
    return history


def test_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib is the optional 'plot' extra")
    out = tmp_path / "history.png"
    with _sessions_for_plot(tmp_path) as history:
        assert history.plot(out) == 6
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 10_000
    empty = tmp_path / "empty.png"
    assert plot_sessions([], empty) == 0
    assert empty.read_bytes()[:4] == b"\x89PNG"


def test_plot_without_matplotlib_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    with pytest.raises(PlotUnavailable, match=r"hinge-coach\[plot\]"):
        plot_sessions([], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
