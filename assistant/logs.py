"""Logging for the appliance: one line per event on stdout, which systemd hands to journald.

Under systemd (stdout is the journal stream named by $JOURNAL_STREAM) each line starts with an
sd-daemon priority prefix such as ``<6>`` so ``journalctl -p warning`` filters by level; on a
terminal it reads ``INFO assistant.live: listening``. Multi-line messages and tracebacks are
folded onto one line, and values of secret-looking keys are masked.

>>> import io, logging
>>> out = io.StringIO()
>>> setup_logging("info", stream=out, journal=False)
>>> logging.getLogger("demo").warning("token=abc123 sensor lost")
>>> out.getvalue()
'WARNING demo: token=*** sensor lost\\n'
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

__all__ = ["one_line", "redact", "setup_logging", "under_journal"]

# syslog priorities used by sd-daemon(3) prefixes.
_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}

_SECRET = re.compile(
    r"(?i)\b(password|passwd|passphrase|secret|token|api[_-]?key|auth(?:orization)?)"
    r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
)
# Control characters from untrusted text (speech transcripts, device names) could forge lines
# or terminal escapes; newlines become a visible separator instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Libraries that are chatty at INFO and say nothing an operator needs.
_QUIET = ("matplotlib", "PIL", "urllib3", "asyncio")


def _priority(levelno: int) -> int:
    for threshold in (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO):
        if levelno >= threshold:
            return _PRIORITY[threshold]
    return _PRIORITY[logging.DEBUG]


def redact(text: str) -> str:
    """Mask the values of secret-looking keys: ``token=abc`` -> ``token=***``."""
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def one_line(text: str) -> str:
    """Fold a message (and any traceback) onto a single line."""
    return _CONTROL.sub("", text.rstrip("\n").replace("\r\n", "\n").replace("\n", " | "))


class _EventFormatter(logging.Formatter):
    """Formats a record as one safe line, with a journald priority prefix when asked."""

    def __init__(self, journal: bool) -> None:
        super().__init__("%(message)s")
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        text = one_line(redact(super().format(record)))
        if self.journal:
            # journald stamps time, unit and pid itself; the prefix carries the level.
            return f"<{_priority(record.levelno)}>{record.name}: {text}"
        return f"{record.levelname} {record.name}: {text}"


def under_journal(stream: TextIO | None = None) -> bool:
    """True when the stream is systemd's journal stream ($JOURNAL_STREAM is "dev:inode")."""
    stream = sys.stdout if stream is None else stream
    expected = os.environ.get("JOURNAL_STREAM", "")
    if not expected:
        return False
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    # Only when this very stream goes to the journal: `hinge-coach history | less` run from a
    # service's shell inherits the variable but must print plain lines.
    return expected == f"{info.st_dev}:{info.st_ino}"


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelNamesMapping().get(level.strip().upper())
    if value is None:
        raise ValueError(f"unknown log level {level!r}: use debug, info, warning or error")
    return value


def setup_logging(
    level: str | int = "info",
    *,
    stream: TextIO | None = None,
    journal: bool | None = None,
) -> None:
    """Send all logging to stdout, one line per event; safe to call again to change level.

    ``journal`` None detects systemd from $JOURNAL_STREAM; ValueError for an unknown level.
    """
    stream = sys.stdout if stream is None else stream
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_EventFormatter(under_journal(stream) if journal is None else journal))
    handler.set_name("hinge-coach")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "hinge-coach"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(_level(level))
    for name in _QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)  # warnings.warn() lines get a level and reach the journal
