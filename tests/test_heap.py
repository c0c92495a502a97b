"""Freed memory goes back to the system (assistant/heap.py), measured on this process's RSS."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from assistant.heap import release_free_memory


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def test_memory_freed_by_a_worker_thread_is_given_back():
    survivors: list[np.ndarray] = []

    def render_many() -> None:  # like the speaker's threads: many mid-sized arrays
        arrays = [np.ones(2000, np.float32) for _ in range(20_000)]  # 160 MB
        survivors.extend(arrays[::500])  # a few survivors keep the heap from shrinking alone

    worker = threading.Thread(target=render_many)
    worker.start()
    worker.join()
    held = rss_mb()
    assert release_free_memory()
    assert rss_mb() < held - 80, "glibc kept the freed memory"
