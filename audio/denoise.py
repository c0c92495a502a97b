"""RNNoise ahead of speech detection and decoding, switched on when the room is loud.

pocketsphinx's acoustic model was trained on clean speech: gym music and babble at 10 dB SNR
leave it lost (17% of commands understood in bench/voice.py), and RNNoise, a small recurrent
network trained on speech against music, babble and machine noise, brings that to 69%. On clean
speech it costs accuracy instead (93% -> 85%), so the stream is only switched to the denoised
one while the background is louder than ``noisy_above_dbfs``.

RNNoise runs at 48 kHz in 10 ms frames; the 16 kHz stream is resampled up and back down with
soxr, which compensates its own delay. The raw samples are held back by RNNoise's own delay
and by as many as the pipeline holds, so both streams come out aligned sample for sample and
the recogniser can switch between them at any frame. (The raw stream is not sent through the
resamplers: that alone changed what pocketsphinx heard; a clean "stop" became "shop".)

The library is the ``librnnoise.so`` inside the ``pyrnnoise`` wheel, loaded directly: the
wheel's Python wrapper pulls in PyAV and matplotlib, which a Pi does not need, so it is
installed with ``pip install --no-deps pyrnnoise``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr

from . import rnnoise_simd
from .level import background_dbfs

RATE_HZ = 16_000
RNNOISE_RATE_HZ = 48_000
RNNOISE_FRAME = 480
"""Samples per RNNoise frame (10 ms at 48 kHz)."""
WARM_UP_FRAMES = 25
"""The first 250 ms of a stream set the background level, speech or not, so the stream is
chosen right from the start (the running estimate takes a second to move)."""
INSTALL_HINT = "pip install --no-deps pyrnnoise==0.4.5"


@dataclass(frozen=True)
class DenoiseSettings:
    """Noise suppression (RNNoise) for the microphone stream."""

    enabled: bool = True
    """Use RNNoise when its library is installed."""
    noisy_above_dbfs: float = -50.0
    """Denoise only while the background (frames RNNoise hears no speech in) is louder than
    this, in dB full scale: in a quiet room RNNoise costs accuracy."""
    library: str | None = None
    """Path to librnnoise.so; None: the one in the pyrnnoise wheel, else the system's."""
    noise_time_s: float = 1.0
    """Time constant (seconds) of the background level estimate."""
    speech_probability: float = 0.3
    """RNNoise frames with a speech probability below this count as background."""
    accelerate: bool = True
    """Compute RNNoise's layers with native/rnnoise_linear.c when it is built (the same
    output, about a quarter less CPU on an AMD EPYC; audio/rnnoise_simd.py)."""
    eight_bit: bool = True
    """Compute the layers the model also stores in 8 bits from those, as RNNoise's default
    build does, where the speedup was built for that (x86 with AVX2, ARM): 2.5x less CPU for
    RNNoise on an Intel Xeon; speech in gym noise denoised 47 dB from the float layers' output
    (signal to difference). False: the float layers."""

    def validate(self) -> None:
        """Raise ValueError for settings that cannot work."""
        if self.noise_time_s <= 0:
            raise ValueError(f"noise_time_s = {self.noise_time_s}: must be above 0")
        if not 0 <= self.speech_probability <= 1:
            raise ValueError(f"speech_probability = {self.speech_probability}: must be 0 to 1")


class RnnoiseUnavailable(RuntimeError):
    """librnnoise could not be found or loaded."""


def find_library(configured: str | None = None) -> Path | None:
    """librnnoise.so: the configured path, the pyrnnoise wheel's copy, or the system's."""
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    spec = importlib.util.find_spec("pyrnnoise")  # finds without importing its wrapper
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (path := Path(folder) / "librnnoise.so").is_file():
            return path
    system = ctypes.util.find_library("rnnoise")
    return Path(system) if system else None


def _load(path: Path) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(path))
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                          ctypes.POINTER(ctypes.c_float)]
    lib.rnnoise_process_frame.restype = ctypes.c_float
    return lib


class Denoiser:
    """Feed 16 kHz int16 blocks; get (denoised, raw) back, aligned, and whether it is noisy.

    Output lags input by the resamplers' delay (a few ms), so a block may come back shorter
    or longer than it went in; the total matches over a stream.
    """

    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        self.settings = s = settings or DenoiseSettings()
        path = find_library(s.library)
        if path is None:
            raise RnnoiseUnavailable(f"RNNoise is not installed ({INSTALL_HINT})")
        self._simd = rnnoise_simd.preload()  # before librnnoise, or it cannot take its calls
        try:
            self._lib = _load(path)
        except (OSError, AttributeError) as exc:
            raise RnnoiseUnavailable(f"could not load {path}: {exc}") from exc
        modes = ({rnnoise_simd.LIBRARY_CODE} if self._simd is None or not s.accelerate
                 else rnnoise_simd.checked_modes(self._simd, self._lib))
        self.mode = max(m for m in modes if s.eight_bit or m != rnnoise_simd.EIGHT_BIT)
        """How RNNoise's layers are computed (rnnoise_simd.LIBRARY_CODE, FLOAT, EIGHT_BIT)."""
        self.accelerated = self.mode != rnnoise_simd.LIBRARY_CODE
        """RNNoise's layers are computed by the speedup (``rnnoise_simd.status`` says why not)."""
        self._alpha = (RNNOISE_FRAME / RNNOISE_RATE_HZ) / s.noise_time_s
        self._state = self._lib.rnnoise_create(None)
        self._room_db: float | None = None  # a recording's background, set by learn()
        self.reset()

    def reset(self) -> None:
        """A new stream (a reopened device, another clip): nothing of the old one comes out of
        the new one, and the background level is measured afresh (or is the recording's, after
        learn()). RNNoise's own model of the room's noise is kept: it takes seconds to learn
        (10 dB accuracy 87% -> 60% in bench/voice.py when it restarted with every clip)."""
        self._up = soxr.ResampleStream(RATE_HZ, RNNOISE_RATE_HZ, 1, dtype="float32")
        self._down = soxr.ResampleStream(RNNOISE_RATE_HZ, RATE_HZ, 1, dtype="float32")
        self._pending = np.zeros(0, np.float32)
        # Raw samples not yet matched by denoised ones. RNNoise's output lags its input by two
        # frames (20 ms, measured against speech), which the raw stream is delayed by too.
        self._raw = np.zeros(2 * RNNOISE_FRAME * RATE_HZ // RNNOISE_RATE_HZ, np.int16)
        self._noise_db = self._room_db
        self._heard = 0 if self._room_db is None else WARM_UP_FRAMES  # frames since it began

    def learn(self, samples: np.ndarray) -> None:
        """Hear a whole recording (16 kHz int16) before it is decoded, so that RNNoise knows
        its noise from the start, if it has any (a background louder than
        ``noisy_above_dbfs``). A clean recording would teach RNNoise only its speech, which it
        then suppresses: espeak-ng commands 86 -> 69 of 150 when every file was learnt.
        The recording's background also stands for the room from its first frame, instead of
        the live warm-up's: a 1 s clip often starts with its word, which the warm-up took for a
        loud room (47 of 300 real people's clips were decoded denoised that way)."""
        samples = np.asarray(samples, np.int16)
        background = background_dbfs(samples / 32768.0, RATE_HZ)
        if background > self.settings.noisy_above_dbfs:
            self.process(samples)
        self._room_db = background
        self.reset()

    def forget(self) -> None:
        """Another room: reset(), and RNNoise's model of the noise starts afresh too."""
        self._lib.rnnoise_destroy(self._state)
        self._state = self._lib.rnnoise_create(None)
        self._room_db = None
        self.reset()

    @property
    def noise_dbfs(self) -> float:
        """Background level: frames without speech, exponentially averaged (-120 until heard)."""
        return -120.0 if self._noise_db is None else self._noise_db

    @property
    def noisy(self) -> bool:
        """The background is loud enough that the denoised stream decodes better."""
        return self.noise_dbfs > self.settings.noisy_above_dbfs

    def process(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """16 kHz int16 in -> (denoised, raw) 16 kHz int16, the same length as each other."""
        block = np.asarray(block, np.int16)
        self._raw = np.concatenate([self._raw, block])
        up = self._up.resample_chunk(block.astype(np.float32))
        data = np.concatenate([self._pending, up]) if len(self._pending) else up
        n = len(data) // RNNOISE_FRAME * RNNOISE_FRAME
        self._pending = data[n:].copy()
        frames = data[:n].reshape(-1, RNNOISE_FRAME).copy()
        for frame in frames:
            self._denoise(frame)  # in place
        down = self._down.resample_chunk(frames.reshape(-1))
        denoised = np.clip(np.rint(down), -32768, 32767).astype(np.int16)
        raw, self._raw = self._raw[:len(denoised)], self._raw[len(denoised):]
        return denoised, raw

    def _denoise(self, frame: np.ndarray) -> None:
        """Denoise one 48 kHz frame in place and update the background level."""
        level = 10.0 * math.log10(float(np.mean(frame * frame)) / 32768.0 ** 2 + 1e-9)
        if not self.noisy and level < self.settings.noisy_above_dbfs:
            # A quiet frame in a quiet room: only the raw stream will be decoded, and RNNoise
            # is nearly all of this class's CPU (3% of a core on x86, more on a Pi).
            speech = 0.0
        else:
            pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            if self._simd is not None:  # another Denoiser in this process may differ
                self._simd.use(self.mode)
            speech = self._lib.rnnoise_process_frame(self._state, pointer, pointer)
        self._heard += 1
        if self._heard <= WARM_UP_FRAMES:  # a stream starts with the room, not a command
            previous = level if self._noise_db is None else self._noise_db
            self._noise_db = previous + (level - previous) / self._heard
        elif speech < self.settings.speech_probability:
            self._noise_db += self._alpha * (level - self._noise_db)

    def close(self) -> None:
        """Free RNNoise's state."""
        if getattr(self, "_state", None):  # __init__ may have failed before it
            self._lib.rnnoise_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()
