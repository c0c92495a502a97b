"""RNNoise's dense layers computed several rows at a time: the same output, less CPU.

``native/rnnoise_linear.c`` (built by ``scripts/build-native.sh`` into this folder) defines
the function librnnoise.so computes its network's layers with, keeping each sum's order, so
the output is the same to the bit. Loaded with RTLD_GLOBAL before librnnoise.so, it takes the
library's calls. Whether it did, and gave the same output, is checked on a test signal when
librnnoise is loaded; if not, the library's own code is used and ``status`` says why.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

LIBRARY = Path(__file__).with_name("librnnoise_linear.so")
BUILD_HINT = "bash scripts/build-native.sh"
FRAME = 480
"""Samples per RNNoise frame."""


class RnnoiseSimd:
    """The loaded speedup, switched on or off for the calls that follow."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        lib.rnn_linear_fast_init.argtypes = [ctypes.c_void_p]
        lib.rnn_linear_fast_enable.argtypes = [ctypes.c_int]
        lib.rnn_linear_fast_calls.restype = ctypes.c_ulong
        self._on: bool | None = None

    def fall_back_to(self, rnnoise: ctypes.CDLL) -> None:
        """The library function the speedup calls when switched off or handed a layer it does
        not compute (dlsym on librnnoise's own handle finds its own, not the speedup's)."""
        self._lib.rnn_linear_fast_init(ctypes.cast(rnnoise.rnn_compute_linear_c,
                                                   ctypes.c_void_p))

    def use(self, on: bool) -> None:
        """Compute the following frames with the speedup (True) or the library's code."""
        if on != self._on:
            self._lib.rnn_linear_fast_enable(int(on))
            self._on = on

    @property
    def calls(self) -> int:
        """Layers computed by the speedup so far in this process."""
        return int(self._lib.rnn_linear_fast_calls())


_loaded: RnnoiseSimd | None = None
_verdicts: dict[int, bool] = {}  # librnnoise handle -> verified: checked once per process
status = "not loaded"
"""Why the speedup is or is not in use, for logs and `hinge-coach doctor`."""


def preload() -> RnnoiseSimd | None:
    """Load the speedup into the global symbol scope (before librnnoise.so, or it cannot take
    its calls); None if it was not built or cannot load."""
    global _loaded, status
    if _loaded is not None:
        return _loaded
    if not LIBRARY.is_file():
        status = f"not built ({BUILD_HINT})"
        return None
    try:
        _loaded = RnnoiseSimd(ctypes.CDLL(str(LIBRARY), mode=ctypes.RTLD_GLOBAL))
    except (OSError, AttributeError) as exc:
        status = f"could not load {LIBRARY.name}: {exc}"
    return _loaded


def verified(simd: RnnoiseSimd, rnnoise: ctypes.CDLL) -> bool:
    """Whether ``rnnoise``'s layers reach the speedup and it gives the library's own output:
    a second of noise and tones, denoised both ways from a fresh state, compared to the bit."""
    if rnnoise._handle not in _verdicts:
        _verdicts[rnnoise._handle] = _check(simd, rnnoise)
    return _verdicts[rnnoise._handle]


def _check(simd: RnnoiseSimd, rnnoise: ctypes.CDLL) -> bool:
    global status
    simd.fall_back_to(rnnoise)
    t = np.arange(100 * FRAME) / 48_000
    rng = np.random.default_rng(0)
    signal = (3000 * np.sin(2 * np.pi * 220 * t) * (t % 0.5 < 0.25)
              + 800 * rng.standard_normal(len(t))).astype(np.float32)
    before = simd.calls
    outputs = [denoised_frames(rnnoise, signal.reshape(-1, FRAME), simd, on)
               for on in (False, True)]
    simd.use(True)
    if simd.calls == before:
        status = "librnnoise was loaded before the speedup, which cannot take its calls"
        return False
    if not np.array_equal(*outputs):
        status = "its output differs from librnnoise's own: not used"
        simd.use(False)
        return False
    status = "in use (output identical to librnnoise's own)"
    return True


def denoised_frames(rnnoise: ctypes.CDLL, frames: np.ndarray, simd: RnnoiseSimd, on: bool
                    ) -> np.ndarray:
    """``frames`` (n x 480 float32 at 48 kHz) denoised from a fresh RNNoise state, by the
    speedup (``on``) or the library's own code."""
    simd.use(on)
    state = rnnoise.rnnoise_create(None)
    try:
        out = frames.copy()
        for frame in out:
            pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            rnnoise.rnnoise_process_frame(state, pointer, pointer)
        return out
    finally:
        rnnoise.rnnoise_destroy(state)
