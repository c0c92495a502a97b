"""Logs for journald (assistant.logs): one line per event, a level prefix, nothing secret."""

from __future__ import annotations

import doctest
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import logs
from assistant.logs import setup_logging, under_journal

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def _log(journal: bool, level: str = "debug") -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    setup_logging(level, stream=out, journal=journal)
    return logging.getLogger("assistant.live"), out


def test_terminal_lines_name_level_and_logger() -> None:
    log, out = _log(journal=False)
    log.info("listening on %s", "USB mic")
    log.warning("sensor lost")
    assert out.getvalue().splitlines() == [
        "INFO assistant.live: listening on USB mic",
        "WARNING assistant.live: sensor lost",
    ]


def test_journal_lines_carry_sd_daemon_priorities() -> None:
    log, out = _log(journal=True)
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")
    log.critical("c")
    assert out.getvalue().splitlines() == [
        "<7>assistant.live: d",
        "<6>assistant.live: i",
        "<4>assistant.live: w",
        "<3>assistant.live: e",
        "<2>assistant.live: c",
    ]


def test_a_traceback_stays_on_one_line() -> None:
    log, out = _log(journal=True)
    try:
        raise RuntimeError("microphone gone\nsecond line")
    except RuntimeError:
        log.exception("audio input failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("<3>assistant.live: audio input failed | Traceback")
    assert "RuntimeError: microphone gone | second line" in lines[0]


def test_secrets_and_control_characters_are_removed() -> None:
    log, out = _log(journal=False)
    log.info('config: api_key=sk-123 password: "hunter 2" token=abc rate=16000')
    log.info("heard %r", "stop\x1b[2J\rnow")
    first, second = out.getvalue().splitlines()
    assert first == "INFO assistant.live: config: api_key=*** password: *** token=*** rate=16000"
    assert "\x1b" not in second and "\r" not in second


def test_level_filters_and_bad_level_is_a_clear_error() -> None:
    log, out = _log(journal=False, level="warning")
    log.info("hidden")
    log.warning("shown")
    assert out.getvalue() == "WARNING assistant.live: shown\n"
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        setup_logging("loud", stream=io.StringIO())


def test_setup_twice_keeps_one_handler() -> None:
    out = io.StringIO()
    setup_logging("info", stream=out, journal=False)
    setup_logging("info", stream=out, journal=False)
    logging.getLogger("x").info("once")
    assert out.getvalue() == "INFO x: once\n"


def test_journal_detection_compares_the_stream_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open(tmp_path / "journal", "w") as stream, open(tmp_path / "other", "w") as other:
        info = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino}")
        assert under_journal(stream)
        assert not under_journal(other)  # e.g. a pipe to less from a service's shell
        assert not under_journal(io.StringIO())
    monkeypatch.delenv("JOURNAL_STREAM")
    assert not under_journal(sys.stdout)


def test_under_systemd_a_real_process_prefixes_its_stdout() -> None:
    """A child whose stdout matches $JOURNAL_STREAM (as systemd sets it) prints <N> lines."""
    code = (
        "import logging, os\n"
        "st = os.fstat(1)\n"
        "os.environ['JOURNAL_STREAM'] = f'{st.st_dev}:{st.st_ino}'\n"
        "from assistant.logs import setup_logging\n"
        "setup_logging('info')\n"
        "logging.getLogger('assistant.live').warning('speaker missing')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout == "<4>assistant.live: speaker missing\n", result.stderr


def test_module_doctest() -> None:
    assert doctest.testmod(logs).failed == 0
