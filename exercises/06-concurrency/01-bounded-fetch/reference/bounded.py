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
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    semaphore = asyncio.Semaphore(limit)

    async def run(factory: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            # The job is only created once a slot is free.
            return await factory()

    tasks = [asyncio.create_task(run(factory)) for factory in factories]
    try:
        return await asyncio.gather(*tasks)
    finally:
        # On success every task is already done and cancel() does nothing. On
        # failure (or if we are cancelled ourselves) stop the others and wait
        # until they have really stopped, so no job outlives this call.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def parallel_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """Return ``[fn(item) for item in items]``, computed on ``workers`` threads.

    Results are in input order. If a call raises, the exception of the earliest
    failing item propagates. Raises ValueError if ``workers < 1``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    with ThreadPoolExecutor(max_workers=workers) as executor:
        return list(executor.map(fn, items))


class Counter:
    """An integer counter that many threads can increment safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def increment(self, amount: int = 1) -> int:
        """Add ``amount`` and return the new value, as one atomic step."""
        with self._lock:
            self._value += amount
            return self._value

    @property
    def value(self) -> int:
        """The current value."""
        with self._lock:
            return self._value
