"""`hinge-coach history`: the table and the plot from the state directory's history.db."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from assistant.history import History
from assistant.history_cli import history_main
from assistant.paths import history_path

DAY_S = 86_400.0
T0 = 1_790_000_000.0  # a fixed Unix time: the table shows dates, not "now"


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    return tmp_path / "state"


def record_workouts(sessions: int = 3) -> None:
    """Sessions written through History's own API, one a day, the last one stopped early."""
    with History(history_path()) as history:
        for day in range(sessions):
            start = T0 + day * DAY_S
            sid = history.start_session("barbell_rdl", planned_sets=2, planned_reps=3, t=start)
            for set_no in (1, 2):
                for rep in (1, 2, 3):
                    t = start + set_no * 100 + rep * 5
                    history.record_rep(sid, set_no, rep, depth_ok=rep != 3, descent_s=2.0 + day,
                                       pause_s=1.0, ascent_s=1.0, t=t)
                history.record_shallow(sid, set_no, closest_cm=14.0, descent_s=1.5,
                                       t=start + set_no * 100 + 30)
                history.end_set(sid, set_no, t=start + set_no * 100 + 40)
            last = day == sessions - 1
            history.end_session(sid, "stopped" if last else "completed", t=start + 300)


def test_table_of_sessions_with_exercise_names(capsys: pytest.CaptureFixture[str]) -> None:
    record_workouts(3)
    assert history_main(limit=10, plot=None) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["#", "started", "exercise"]
    rows = lines[2:]
    assert len(rows) == 3
    assert all("barbell Romanian deadlift" in row for row in rows)  # name, not the id
    assert rows[0].split()[0] == "3" and "stopped" in rows[0]  # newest first
    assert "completed" in rows[2] and "6/6" in rows[2] and "2.0-1.0-1.0" in rows[2]


def test_limit_shows_only_the_latest(capsys: pytest.CaptureFixture[str]) -> None:
    record_workouts(3)
    assert history_main(limit=1, plot=None) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert len(rows) == 1 and rows[0].split()[0] == "3"
    assert history_main(limit=0, plot=None) == 0  # 0: everything
    assert len(capsys.readouterr().out.splitlines()[2:]) == 3


def test_no_database_yet(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert history_main(limit=20, plot=None) == 0
    assert capsys.readouterr().out == "No workouts recorded yet.\n"
    assert not state.exists()  # read-only: nothing created
    assert history_main(limit=20, plot=state / "h.png") == 0
    assert not (state / "h.png").exists()


def test_database_without_sessions(capsys: pytest.CaptureFixture[str]) -> None:
    History(history_path()).close()
    assert history_main(limit=20, plot=None) == 0
    assert capsys.readouterr().out == "No workouts recorded yet.\n"


@pytest.mark.parametrize("content", [b"this is not sqlite" * 100, b""])
def test_unusable_database_is_one_line_and_exit_1(
        content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    path = history_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert history_main(limit=20, plot=None) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("hinge-coach: ")
    assert str(path) in captured.err and "Traceback" not in captured.err


def test_newer_schema_says_upgrade(capsys: pytest.CaptureFixture[str]) -> None:
    record_workouts(1)
    with sqlite3.connect(history_path()) as db:
        db.execute("PRAGMA user_version = 99")
    assert history_main(limit=20, plot=None) == 1
    assert "upgrade" in capsys.readouterr().err


def test_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    record_workouts(3)
    out = tmp_path / "history.png"
    assert history_main(limit=20, plot=out) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    assert capsys.readouterr().out == f"Wrote {out} (3 sessions).\n"


def test_plot_into_a_missing_directory_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    record_workouts(1)
    assert history_main(limit=20, plot=tmp_path / "no" / "such" / "dir.png") == 1
    err = capsys.readouterr().err
    assert err.startswith("hinge-coach: cannot write") and err.count("\n") == 1


def test_plot_without_matplotlib_gives_the_install_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    record_workouts(1)
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    out = tmp_path / "history.png"
    assert history_main(limit=20, plot=out) == 1
    assert "pip install 'hinge-coach[plot]'" in capsys.readouterr().err
    assert not out.exists()


def test_reads_while_the_service_is_writing(capsys: pytest.CaptureFixture[str]) -> None:
    record_workouts(1)
    with History(history_path()) as writer:  # a live session, this process as the writer
        sid = writer.start_session("hip_hinge", planned_sets=1, planned_reps=5, t=T0 + 9 * DAY_S)
        writer.record_rep(sid, 1, 1, depth_ok=True, t=T0 + 9 * DAY_S + 5)
        assert history_main(limit=20, plot=None) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert "hip hinge" in rows[0] and "in progress" in rows[0] and "1/5" in rows[0]
