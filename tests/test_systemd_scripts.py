"""The install, uninstall and build scripts parse (bash -n) and pass shellcheck when it is
installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
NAMES = ("install-pi.sh", "uninstall-pi.sh")
ALL_NAMES = (*NAMES, "build-native.sh")


@pytest.mark.parametrize("name", ALL_NAMES)
def test_bash_parses(name: str) -> None:
    result = subprocess.run(
        ["bash", "-n", str(SCRIPTS / name)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ALL_NAMES)
def test_strict_mode_and_executable(name: str) -> None:
    path = SCRIPTS / name
    assert "set -euo pipefail" in path.read_text()
    assert os.access(path, os.X_OK), f"chmod +x scripts/{name}"


@pytest.mark.parametrize("name", NAMES)
def test_help_needs_no_root(name: str) -> None:
    result = subprocess.run(
        ["bash", str(SCRIPTS / name), "--help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0 and "hinge-coach" in result.stdout, result.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
@pytest.mark.parametrize("name", ALL_NAMES)
def test_shellcheck(name: str) -> None:
    result = subprocess.run(
        ["shellcheck", str(SCRIPTS / name)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout
