"""RNNoise's dense layers computed several rows at a time, or from the model's 8-bit weights.

``native/rnnoise_linear.c`` (built by ``scripts/build-native.sh`` into this folder) defines
the function librnnoise.so computes its network's layers with. Loaded with RTLD_GLOBAL before
librnnoise.so, it takes the library's calls. It computes the float layers keeping each sum's
order, so the output is the same to the bit (FLOAT), or, on x86 with AVX2 and on ARM, the
layers the model also stores in 8 bits from those, as RNNoise's default build does
(EIGHT_BIT): a quarter of the memory read per frame. Each way is checked on a test signal
when librnnoise is loaded, FLOAT against the library to the bit, EIGHT_BIT to within
``MIN_EIGHT_BIT_SNR_DB``; what fails is not used and ``status`` says so.
"""

from __future__ import annotations

import ctypes
import math
from pathlib import Path

import numpy as np

LIBRARY = Path(__file__).with_name("librnnoise_linear.so")
BUILD_HINT = "bash scripts/build-native.sh"
FRAME = 480
"""Samples per RNNoise frame."""
LIBRARY_CODE, FLOAT, EIGHT_BIT = 0, 1, 2
"""Ways to compute RNNoise's layers: its own code; the speedup's float layers (the same output
to the bit); the speedup's 8-bit layers where the model has them."""
MODE_NAMES = {LIBRARY_CODE: "librnnoise's own code", FLOAT: "the speedup's float layers",
              EIGHT_BIT: "the speedup's 8-bit layers"}
"""How each way is named to people (`hinge-coach doctor`)."""
MIN_EIGHT_BIT_SNR_DB = 25.0
"""The 8-bit layers' denoised test signal must be this close to the library's (signal to
difference; measured 42 dB on x86, 34 dB on ARM in an emulator, where the library's own float
sums differ too): weights read in the wrong order give 5 dB."""


class RnnoiseSimd:
    """The loaded speedup, switched on or off for the calls that follow."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        lib.rnn_linear_fast_init.argtypes = [ctypes.c_void_p]
        lib.rnn_linear_fast_enable.argtypes = [ctypes.c_int]
        lib.rnn_linear_fast_calls.restype = ctypes.c_ulong
        self.eight_bit_built = bool(lib.rnn_linear_int8_built())
        """Built with the 8-bit layers (x86 with AVX2, ARM with NEON)."""
        self._mode: int | None = None

    def fall_back_to(self, rnnoise: ctypes.CDLL) -> None:
        """The library function the speedup calls when switched off or handed a layer it does
        not compute (dlsym on librnnoise's own handle finds its own, not the speedup's)."""
        self._lib.rnn_linear_fast_init(ctypes.cast(rnnoise.rnn_compute_linear_c,
                                                   ctypes.c_void_p))

    def use(self, mode: int) -> None:
        """Compute the following frames this way (LIBRARY_CODE, FLOAT or EIGHT_BIT)."""
        if mode != self._mode:
            self._lib.rnn_linear_fast_enable(mode)
            self._mode = mode

    @property
    def calls(self) -> int:
        """Layers computed by the speedup so far in this process."""
        return int(self._lib.rnn_linear_fast_calls())


_loaded: RnnoiseSimd | None = None
_verdicts: dict[int, frozenset[int]] = {}  # librnnoise handle -> its checked modes, once
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


def checked_modes(simd: RnnoiseSimd, rnnoise: ctypes.CDLL) -> frozenset[int]:
    """The ways to compute ``rnnoise``'s layers that check out, on a second of noise and tones
    denoised each way from a fresh state: LIBRARY_CODE always; FLOAT if its layers reach the
    speedup and give the library's own output to the bit (not on ARM, whose librnnoise fuses
    multiply-adds); EIGHT_BIT if built and within MIN_EIGHT_BIT_SNR_DB of the library."""
    if rnnoise._handle not in _verdicts:
        _verdicts[rnnoise._handle] = _check(simd, rnnoise)
    return _verdicts[rnnoise._handle]


def _check(simd: RnnoiseSimd, rnnoise: ctypes.CDLL) -> frozenset[int]:
    global status
    simd.fall_back_to(rnnoise)
    t = np.arange(100 * FRAME) / 48_000
    rng = np.random.default_rng(0)
    signal = (3000 * np.sin(2 * np.pi * 220 * t) * (t % 0.5 < 0.25)
              + 800 * rng.standard_normal(len(t))).astype(np.float32).reshape(-1, FRAME)
    before = simd.calls
    library, fast = (denoised_frames(rnnoise, signal, simd, mode)
                     for mode in (LIBRARY_CODE, FLOAT))
    if simd.calls == before:
        status = "librnnoise was loaded before the speedup, which cannot take its calls"
        return frozenset({LIBRARY_CODE})
    modes = {LIBRARY_CODE}
    if same := np.array_equal(library, fast):
        modes.add(FLOAT)
    float_layers = ("float layers (identical to librnnoise's output)" if same
                    else "float layers (differ from librnnoise's output: not used)")
    if not simd.eight_bit_built:
        eight_bit = "8-bit layers not built for this CPU"
    elif (snr_db := snr(library, denoised_frames(rnnoise, signal, simd, EIGHT_BIT))) \
            < MIN_EIGHT_BIT_SNR_DB:
        eight_bit = f"8-bit layers ({snr_db:.0f} dB from librnnoise's output: not used)"
    else:
        modes.add(EIGHT_BIT)
        eight_bit = f"8-bit layers ({snr_db:.0f} dB from librnnoise's output)"
    parts = (eight_bit, float_layers) if EIGHT_BIT in modes else (float_layers, eight_bit)
    status = ("in use: " if len(modes) > 1 else "not used: ") + "; ".join(parts)
    return frozenset(modes)


def snr(reference: np.ndarray, other: np.ndarray) -> float:
    """How close ``other`` is to ``reference``: signal to difference, dB (inf if equal)."""
    difference = float(np.sum((other.astype(np.float64) - reference) ** 2))
    power = float(np.sum(reference.astype(np.float64) ** 2))
    return math.inf if difference == 0 else 10 * math.log10(power / difference)


def denoised_frames(rnnoise: ctypes.CDLL, frames: np.ndarray, simd: RnnoiseSimd, mode: int
                    ) -> np.ndarray:
    """``frames`` (n x 480 float32 at 48 kHz) denoised from a fresh RNNoise state, computed
    the way ``mode`` says."""
    simd.use(mode)
    state = rnnoise.rnnoise_create(None)
    try:
        out = frames.copy()
        for frame in out:
            pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            rnnoise.rnnoise_process_frame(state, pointer, pointer)
        return out
    finally:
        rnnoise.rnnoise_destroy(state)
