"""Run many jobs concurrently, but never more than a fixed number at once."""

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def gather_limited(factories: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Await ``factory()`` for every factory, with at most ``limit`` running at once.

    Results come back in the order of ``factories``. If a job raises, that first
    exception propagates; every other job is cancelled, and has finished
    cancelling, before this function raises. Raises ValueError if ``limit < 1``.

    Only call a factory when a slot is free: calling it creates the job.
    """
    raise NotImplementedError


def parallel_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """Return ``[fn(item) for item in items]``, computed on ``workers`` threads.

    Results are in input order. If a call raises, the exception of the earliest
    failing item propagates. Raises ValueError if ``workers < 1``.
    Use a concurrent.futures.ThreadPoolExecutor.
    """
    raise NotImplementedError


class Counter:
    """An integer counter that many threads can increment safely."""

    def __init__(self) -> None:
        """Start at 0. Create the threading.Lock that guards the value here."""
        raise NotImplementedError

    def increment(self, amount: int = 1) -> int:
        """Add ``amount`` and return the new value, as one atomic step."""
        raise NotImplementedError

    @property
    def value(self) -> int:
        """The current value."""
        raise NotImplementedError
