"""Stand-ins for ``sounddevice.OutputStream`` at the PortAudio callback level, for tests.

>>> from audio.player import Player, PlayerSettings
>>> p = Player(PlayerSettings(), stream_factory=FakeOutputStream, supervise=False)
>>> p.play(np.ones(300, np.float32)).state
'queued'
>>> p._stream.pump(3).shape  # three callback blocks of 128 frames
(384,)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np


class FakeOutputStream:
    """Calls the stream callback only when a test calls ``pump()``; records what it wrote."""

    instances: list[FakeOutputStream] = []
    fail_open: BaseException | None = None
    """Set on the class to make the next constructions raise (no device)."""

    def __init__(
        self,
        *,
        samplerate: float,
        blocksize: int,
        channels: int,
        dtype: str,
        callback: Callable[..., None],
        **kwargs: Any,
    ) -> None:
        if FakeOutputStream.fail_open is not None:
            raise FakeOutputStream.fail_open
        self.samplerate = samplerate
        self.blocksize = blocksize or 256
        self.channels = channels
        self.callback = callback
        self.kwargs = kwargs
        self.active = False
        self.closed = False
        self.written: list[np.ndarray] = []
        FakeOutputStream.instances.append(self)

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.active = False
        self.closed = True

    def pump(self, blocks: int = 1) -> np.ndarray:
        """Run the callback ``blocks`` times; return the mono samples written by these calls."""
        out = []
        for _ in range(blocks):
            buf = np.full((self.blocksize, self.channels), np.nan, dtype=np.float32)
            self.callback(buf, self.blocksize, None, None)
            out.append(buf[:, 0].copy())
        self.written.extend(out)
        return np.concatenate(out) if out else np.zeros(0, np.float32)

    def output(self) -> np.ndarray:
        """Everything written so far, mono."""
        return np.concatenate(self.written) if self.written else np.zeros(0, np.float32)


class ClockedOutputStream(FakeOutputStream):
    """Calls the callback from its own thread at the real-time block rate, like a sound card.

    ``on_block(t, samples)`` sees each block with the clock time it was produced.
    """

    on_block: Callable[[float, np.ndarray], None] | None = None

    def start(self) -> None:
        self.active = True
        self._thread = threading.Thread(target=self._run, name="fake-card", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = self.blocksize / self.samplerate
        nxt = time.perf_counter()
        buf = np.zeros((self.blocksize, self.channels), dtype=np.float32)
        while self.active:
            self.callback(buf, self.blocksize, None, None)
            if self.on_block is not None:
                self.on_block(time.perf_counter(), buf[:, 0])
            nxt += period
            time.sleep(max(0.0, nxt - time.perf_counter()))
