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


@dataclass(frozen=True)
class _Entry(Generic[V]):
    value: V
    expires_at: float


class _Flight(Generic[V]):
    """One load in progress, whose outcome every waiting ``get`` shares."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: V
        self._error: BaseException | None = None

    def succeed(self, value: V) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def wait(self) -> V:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


class SingleFlightCache(Generic[V]):
    """Cache the values of ``loader`` for ``ttl`` seconds, with one load per key at a time."""

    def __init__(
        self,
        loader: Callable[[str], V],
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Cache ``loader(key)`` for ``ttl`` seconds, as measured by ``clock``.

        Raises ValueError unless ``ttl`` is a positive number.
        """
        if not ttl > 0:  # also refuses NaN
            raise ValueError(f"ttl must be a positive number of seconds, got {ttl!r}")
        self._loader = loader
        self._ttl = ttl
        self._clock = clock
        # One lock guards the two maps and the counters below; it is never held while the
        # loader runs, so a slow load of one key does not hold up any other key.
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry[V]] = {}
        self._flights: dict[str, _Flight[V]] = {}
        self._hits = 0
        self._misses = 0
        self._loads = 0

    def get(self, key: str) -> V:
        """Return the value of ``key``, from the cache while it is fresh, else from the loader.

        Concurrent calls for a key that is not cached share one call of the loader: they all
        return its value, or all raise its exception (which is not cached).
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() < entry.expires_at:
                self._hits += 1
                return entry.value
            self._misses += 1
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:  # nobody is loading this key: this call does
                flight = self._flights[key] = _Flight()
                self._loads += 1
        if not leader:
            return flight.wait()
        return self._load(key, flight)

    def _load(self, key: str, flight: _Flight[V]) -> V:
        """Call the loader as ``flight``, then cache and share its outcome."""
        try:
            value = self._loader(key)
        except BaseException as error:
            with self._lock:
                self._end(key, flight)
            flight.fail(error)
            raise
        with self._lock:
            # An invalidate during the load means the value may already be out of date: it still
            # answers the calls that waited for it, but it is not cached.
            if self._end(key, flight):
                self._entries[key] = _Entry(value, self._clock() + self._ttl)
        flight.succeed(value)
        return value

    def _end(self, key: str, flight: _Flight[V]) -> bool:
        """Retire ``flight`` as the key's current load, saying whether it still was.

        Call with the lock held. A flight that ``invalidate`` already retired may have been
        followed by a newer one, which must stay.
        """
        if self._flights.get(key) is flight:
            del self._flights[key]
            return True
        return False

    def invalidate(self, key: str) -> None:
        """Forget the cached value of ``key``, if any.

        A load of ``key`` already in progress still answers the calls waiting for it, but its
        value is not cached, and the next ``get`` starts a new load.
        """
        with self._lock:
            self._entries.pop(key, None)
            self._flights.pop(key, None)

    @property
    def stats(self) -> CacheStats:
        """The counters so far, as one consistent snapshot."""
        with self._lock:
            return CacheStats(hits=self._hits, misses=self._misses, loads=self._loads)
