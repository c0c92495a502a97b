"""Where the unit keeps state that must survive a restart (history, calibration)."""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    """$STATE_DIRECTORY (set by systemd's StateDirectory=), else the XDG state directory."""
    systemd = os.environ.get("STATE_DIRECTORY")
    if systemd:
        return Path(systemd.split(":")[0])
    xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "hinge-coach"


def calibration_path() -> Path:
    return state_dir() / "calibration.json"


def history_path() -> Path:
    return state_dir() / "history.db"
