"""The service unit passes systemd's own checks: the security score gate and verify.

Needs `systemd-analyze` (Debian package "systemd"); skipped with a reason when it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parent.parent / "systemd" / "hinge-coach.service"
MAX_EXPOSURE = 2.5
EXEC_START = "/opt/hinge-coach/venv/bin/hinge-coach"

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze not installed (apt-get install systemd)"
)


def _analyze(*args: str) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    return subprocess.run(
        [ANALYZE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "SYSTEMD_COLORS": "0"},
    )


def _unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


@needs_analyze
def test_security_exposure_is_at_most_2_5() -> None:
    result = _analyze("security", "--offline=yes", "--no-pager", str(UNIT))
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    assert match, f"no exposure level in output:\n{output}"
    assert float(match.group(1)) <= MAX_EXPOSURE, output


@needs_analyze
def test_verify_complains_only_about_the_missing_binary() -> None:
    result = _analyze("verify", "--no-pager", str(UNIT))
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    unexpected = [line for line in lines if EXEC_START not in line]
    assert unexpected == [], "\n".join(lines)


def test_unit_keeps_the_appliance_contract() -> None:
    """The settings the live runtime and installer rely on (checked without systemd too)."""
    s = _unit_settings()
    assert s["Type"] == ["notify"]
    assert s["ExecStart"][0].startswith(EXEC_START + " run --config /etc/hinge-coach/config.toml")
    assert s["WatchdogSec"] and s["Restart"] == ["on-failure"]
    assert s["User"] == ["hinge-coach"]
    assert set(s["SupplementaryGroups"][0].split()) >= {"audio", "gpio", "i2c"}
    assert s["StateDirectory"] == ["hinge-coach"] and s["CacheDirectory"] == ["hinge-coach"]
    assert s["DevicePolicy"] == ["closed"]
    allowed = {value.split()[0] for value in s["DeviceAllow"]}
    assert {"char-alsa", "char-gpiochip", "char-i2c"} <= allowed
    assert "PrivateDevices" not in s, "PrivateDevices=yes would hide /dev/snd"
