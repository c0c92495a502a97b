"""Tell systemd how the service is doing: a pure-Python sd_notify(3).

systemd passes the socket in ``$NOTIFY_SOCKET`` when the unit has ``Type=notify``; each
message is one datagram of ``KEY=VALUE`` lines. Outside systemd every call is a cheap no-op
that returns False, so the live runtime can call these unconditionally.

Typical use in the live runtime::

    pinger = sd_notify.WatchdogPinger.from_env()
    sd_notify.ready()
    while running:
        step()                           # one pass that made progress
        pinger.tick(time.monotonic())    # sends WATCHDOG=1 only when it is due
    sd_notify.stopping()
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

__all__ = [
    "WatchdogPinger",
    "notify",
    "ready",
    "status",
    "stopping",
    "watchdog",
    "watchdog_interval_s",
]


def _address(raw: str) -> str | bytes | None:
    """The socket address from $NOTIFY_SOCKET, or None when it is unusable."""
    if raw.startswith("@"):
        # Abstract namespace: the leading '@' stands for a NUL byte, no file on disk.
        return b"\0" + raw[1:].encode()
    if raw.startswith("/"):
        return raw
    # vsock:... and other schemes are not used for a local appliance.
    return None


def notify(state: str) -> bool:
    """Send one sd_notify message (e.g. "READY=1"); True if systemd received it."""
    raw = os.environ.get("NOTIFY_SOCKET", "")
    address = _address(raw) if raw else None
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError:
        # A watchdog ping that cannot be delivered must never crash the coach.
        return False
    return True


def ready() -> bool:
    """Start-up finished: devices open, models loaded, listening."""
    return notify("READY=1")


def watchdog() -> bool:
    """Keep-alive ping; call it from the loop that makes progress, not from a timer thread."""
    return notify("WATCHDOG=1")


def stopping() -> bool:
    """Shutting down cleanly (SIGTERM, "stop" or Ctrl-C)."""
    return notify("STOPPING=1")


def status(text: str) -> bool:
    """One-line status shown by `systemctl status`, e.g. "set 2 of 3, rep 5"."""
    # A newline would start a new KEY=VALUE assignment, so keep the text on one line.
    return notify("STATUS=" + " ".join(text.split()))


def watchdog_interval_s() -> float | None:
    """Seconds systemd waits between pings before it kills us; None if no watchdog is armed.

    Ping at half this interval or more often, as sd_watchdog_enabled(3) advises.
    """
    usec = os.environ.get("WATCHDOG_USEC", "")
    try:
        interval = int(usec)
    except ValueError:
        return None
    if interval <= 0:
        return None
    pid = os.environ.get("WATCHDOG_PID", "")
    # WATCHDOG_PID names the process meant to ping; a child that inherited it must not.
    if pid and pid != str(os.getpid()):
        return None
    return interval / 1_000_000


@dataclass
class WatchdogPinger:
    """Rate-limits watchdog pings so a fast loop can call tick() on every pass."""

    period_s: float | None
    """Seconds between pings (half the watchdog interval); None disables pinging."""
    _last: float | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_env(cls) -> WatchdogPinger:
        """A pinger for the watchdog systemd armed, or a no-op one outside systemd."""
        interval = watchdog_interval_s()
        return cls(None if interval is None else interval / 2)

    def tick(self, now: float) -> bool:
        """Ping if a period has passed since the last ping (now: monotonic seconds)."""
        if self.period_s is None:
            return False
        if self._last is not None and now - self._last < self.period_s:
            return False
        self._last = now
        return watchdog()
