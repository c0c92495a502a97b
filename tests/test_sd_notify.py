"""sd_notify against a real AF_UNIX datagram socket, as systemd would hold it."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import sd_notify


def _receive(sock: socket.socket) -> str:
    sock.settimeout(2.0)
    return sock.recv(4096).decode()


@pytest.fixture()
def path_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        monkeypatch.setenv("NOTIFY_SOCKET", address)
        yield sock


@pytest.fixture()
def abstract_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    name = f"hinge-coach-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        yield sock


def test_ready_watchdog_stopping_reach_a_path_socket(path_socket: socket.socket) -> None:
    assert sd_notify.ready()
    assert _receive(path_socket) == "READY=1"
    assert sd_notify.watchdog()
    assert _receive(path_socket) == "WATCHDOG=1"
    assert sd_notify.stopping()
    assert _receive(path_socket) == "STOPPING=1"


def test_abstract_namespace_socket(abstract_socket: socket.socket) -> None:
    assert sd_notify.notify("READY=1\nSTATUS=listening")
    assert _receive(abstract_socket) == "READY=1\nSTATUS=listening"


def test_status_stays_on_one_line(path_socket: socket.socket) -> None:
    assert sd_notify.status("set 2 of 3\nrep 5")
    assert _receive(path_socket) == "STATUS=set 2 of 3 rep 5"


def test_no_socket_is_a_quiet_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sd_notify.ready() is False
    assert sd_notify.watchdog() is False


def test_unreachable_socket_returns_false(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    assert sd_notify.notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert sd_notify.notify("READY=1") is False


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("30000000", None, 30.0),
        ("15000000", "self", 15.0),
        ("15000000", "1", None),  # meant for another process
        ("0", None, None),
        ("junk", None, None),
        (None, None, None),
    ],
)
def test_watchdog_interval(
    monkeypatch: pytest.MonkeyPatch, usec: str | None, pid: str | None, expected: float | None
) -> None:
    for name, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, str(os.getpid()) if value == "self" else value)
    assert sd_notify.watchdog_interval_s() == expected


def test_pinger_pings_at_most_once_per_period(
    path_socket: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "10000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    pinger = sd_notify.WatchdogPinger.from_env()
    assert pinger.period_s == 5.0
    sent = [pinger.tick(now) for now in (100.0, 101.0, 104.9, 105.0, 107.0, 110.5)]
    assert sent == [True, False, False, True, False, True]
    assert [_receive(path_socket) for _ in range(3)] == ["WATCHDOG=1"] * 3


def test_pinger_without_watchdog_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    pinger = sd_notify.WatchdogPinger.from_env()
    assert pinger.period_s is None and pinger.tick(0.0) is False
