"""Choose the executor that makes a workload faster, given what the GIL lets threads do.

Pure-Python CPU work holds the GIL, so only processes run it in parallel. Work that
releases the GIL (hashing or compressing large buffers in C) runs in parallel on threads,
without the cost of starting processes and pickling the data. Work that mostly waits on
the network releases the GIL while it waits, so many more threads than cores pay off.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Threads per core for work that mostly waits: a waiting thread costs no CPU.
IO_THREADS_PER_CORE = 8


class Workload(enum.Enum):
    """What a job's calls spend their time on."""

    PURE_PYTHON = "pure-python"  # Python bytecode: loops, parsing, arithmetic on ints
    RELEASES_GIL = "releases-gil"  # C code that lets go of the GIL: hashlib, zlib
    NETWORK = "network"  # waiting for sockets: HTTP calls, database queries


def choose_executor(workload: Workload, cores: int) -> Executor:
    """Return a new executor that runs ``workload`` well on ``cores`` cores.

    - ``PURE_PYTHON``: a ``ProcessPoolExecutor`` of ``cores`` processes;
    - ``RELEASES_GIL``: a ``ThreadPoolExecutor`` of ``cores`` threads;
    - ``NETWORK``: a ``ThreadPoolExecutor`` of ``IO_THREADS_PER_CORE * cores`` threads.

    Raises ValueError if ``cores`` is less than 1.
    """
    if cores < 1:
        raise ValueError(f"cores must be at least 1, not {cores}")
    if workload is Workload.PURE_PYTHON:
        return ProcessPoolExecutor(max_workers=cores)
    if workload is Workload.RELEASES_GIL:
        return ThreadPoolExecutor(max_workers=cores)
    return ThreadPoolExecutor(max_workers=IO_THREADS_PER_CORE * cores)


def run_all(workload: Workload, fn: Callable[[T], R], items: Iterable[T], *, cores: int) -> list[R]:
    """Return ``[fn(item) for item in items]``, computed on ``choose_executor(workload, cores)``.

    The results are in the order of ``items``. The executor is shut down before
    ``run_all`` returns or raises. If a call raises, that exception propagates.
    """
    with choose_executor(workload, cores) as executor:
        return list(executor.map(fn, items))
