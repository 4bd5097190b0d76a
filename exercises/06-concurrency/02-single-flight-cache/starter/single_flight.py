"""A thread-safe cache in front of a slow loader that never loads one key twice at once.

When a popular entry expires, every request that wants it misses at the same moment. A naive
cache sends each of them to the database (a *cache stampede*). This one lets the first request
load the value while the others wait for its result: one load per key at a time, and loads of
different keys still run in parallel.

The clock is injected (``time.monotonic`` by default), so expiry can be tested without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class CacheStats:
    """A snapshot of a cache's counters.

    ``hits`` and ``misses`` count the calls of ``get`` (each is one or the other), ``loads``
    counts the calls of the loader.
    """

    hits: int
    misses: int
    loads: int


class SingleFlightCache(Generic[V]):
    """Cache the values of ``loader`` for ``ttl`` seconds, with one load per key at a time."""

    def __init__(
        self,
        loader: Callable[[str], V],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Cache ``loader(key)`` for ``ttl`` seconds, as measured by ``clock``.

        Raises ValueError unless ``ttl`` is a positive number (0, negative numbers and NaN are
        refused). Read the time only through ``clock``.
        """
        raise NotImplementedError

    def get(self, key: str) -> V:
        """Return the value of ``key``, from the cache while it is fresh, else from the loader.

        - An entry stored at time ``t`` (the clock's time when its load *finished*) is fresh
          while ``clock() < t + ttl``. Hits do not make it live longer.
        - Concurrent calls for a key that is missing or expired share one call of the loader:
          the first one calls it, the others wait and return the same value. If the loader
          raises, every one of them raises that exception, and nothing is cached.
        - The loader must run without holding a lock that other keys need: while one key
          loads, other keys load and hit as usual.
        - Each call counts as a hit or a miss as soon as it has looked at the cache (before
          it waits for anything); each call of the loader counts as a load.
        """
        raise NotImplementedError

    def invalidate(self, key: str) -> None:
        """Forget the cached value of ``key``, if any (an unknown key is not an error).

        If ``key`` is being loaded right now, that load still answers the calls waiting for
        it, but its value may be out of date: it is not cached, and a ``get`` after this
        call starts a new load instead of waiting for the old one.
        """
        raise NotImplementedError

    @property
    def stats(self) -> CacheStats:
        """The counters so far, as one consistent snapshot."""
        raise NotImplementedError
