"""Giving freed memory back to the system, so months of workouts do not look like a leak.

A soak of the live unit (bench/appliance.py --trace-memory) showed Python's live objects and
malloc's in-use bytes flat after the cue cache filled, while glibc kept freed memory: its free
but held bytes grew 18 -> 29 MB over 90 minutes and RSS with them. ``malloc_trim`` returns it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)


def release_free_memory() -> bool:
    """Ask glibc to return freed heap memory to the system; False where there is no glibc."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))
