"""Giving freed memory back to the system, so months of workouts do not look like a leak.

A soak of the live unit (bench/appliance.py --trace-memory) showed Python's live objects and
malloc's in-use bytes flat after the cue cache filled, while glibc kept freed memory: its free
but held bytes grew 18 -> 29 MB over 90 minutes and RSS with them. ``malloc_trim`` returns it.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library already loaded in this process
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Ask glibc to return freed heap memory to the system; False where there is no glibc."""
    trim = _malloc_trim()
    return trim is not None and bool(trim(0))
