"""Token-bucket rate limiting, for one client or for many clients by key.

A bucket holds up to ``capacity`` tokens and refills continuously at ``rate``
tokens per second. Each request spends tokens; when too few are left, the
request is refused. A full bucket allows a burst of ``capacity`` requests,
after which requests are allowed at ``rate`` per second on average.

The clock is injected (``time.monotonic`` by default), so the limiter can be
tested with a fake clock, without sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

Clock = Callable[[], float]


def _check_settings(rate: float, capacity: int) -> None:
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a positive finite number (tokens per second), got {rate!r}")
    if capacity < 1:
        raise ValueError(f"capacity must be at least 1, got {capacity!r}")


def _check_tokens(tokens: int, capacity: int) -> None:
    if not 1 <= tokens <= capacity:
        raise ValueError(f"tokens must be between 1 and the capacity ({capacity}), got {tokens!r}")


class RateLimiter:
    """A single token bucket. It starts full."""

    def __init__(self, rate: float, capacity: int, clock: Clock = time.monotonic) -> None:
        """Create a bucket refilling at ``rate`` tokens per second, holding at most ``capacity``.

        Raises ValueError if ``rate`` is not a positive finite number or if
        ``capacity`` is less than 1.
        """
        _check_settings(rate, capacity)
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()

    def try_acquire(self, tokens: int = 1) -> bool:
        """Take ``tokens`` from the bucket if it holds enough, and say whether it did.

        A refused request takes nothing. Raises ValueError if ``tokens`` is not
        between 1 and the capacity (a larger request could never succeed).
        """
        _check_tokens(tokens, self._capacity)
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens: int = 1) -> float:
        """Return the seconds until ``tokens`` could be acquired (0.0 if they can now).

        Takes nothing from the bucket. Raises ValueError like ``try_acquire``.
        """
        _check_tokens(tokens, self._capacity)
        self._refill()
        missing = tokens - self._tokens
        return max(0.0, missing / self._rate)

    def _refill(self) -> None:
        """Add the tokens earned since the last update, up to the capacity."""
        now = self._clock()
        elapsed = max(0.0, now - self._updated)  # never lose tokens if the clock steps back
        self._tokens = min(float(self._capacity), self._tokens + elapsed * self._rate)
        self._updated = now


class KeyedRateLimiter:
    """One token bucket per key (a user id, an IP address...), all with the same settings.

    Buckets are created on first use. ``evict_idle`` forgets buckets that have
    not been used for ``idle_timeout`` seconds, so memory does not grow with
    every key ever seen.
    """

    def __init__(
        self,
        rate: float,
        capacity: int,
        clock: Clock = time.monotonic,
        idle_timeout: float | None = None,
    ) -> None:
        """Create an empty limiter; ``rate`` and ``capacity`` apply to each key's bucket.

        ``idle_timeout`` defaults to ``capacity / rate``, the time an empty
        bucket needs to refill. It may not be shorter: evicting a bucket that
        is not yet full again would hand its key free tokens. Raises ValueError
        for invalid arguments.
        """
        _check_settings(rate, capacity)
        refill_time = capacity / rate
        if idle_timeout is None:
            idle_timeout = refill_time
        if not idle_timeout >= refill_time:
            raise ValueError(
                f"idle_timeout must be at least capacity / rate ({refill_time:g} s), "
                f"got {idle_timeout!r}"
            )
        self._rate = rate
        self._capacity = capacity
        self._clock = clock
        self._idle_timeout = idle_timeout
        self._buckets: dict[str, RateLimiter] = {}
        self._last_used: dict[str, float] = {}

    def __len__(self) -> int:
        """The number of keys that currently have a bucket."""
        return len(self._buckets)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` currently has a bucket."""
        return key in self._buckets

    def try_acquire(self, key: str, tokens: int = 1) -> bool:
        """Take ``tokens`` from the bucket of ``key`` if it holds enough, and say whether it did.

        A new key gets a full bucket. See ``RateLimiter.try_acquire``.
        """
        _check_tokens(tokens, self._capacity)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = RateLimiter(self._rate, self._capacity, self._clock)
        self._last_used[key] = self._clock()
        return bucket.try_acquire(tokens)

    def wait_time(self, key: str, tokens: int = 1) -> float:
        """Seconds until ``key`` could acquire ``tokens``; see ``RateLimiter.wait_time``.

        An unknown key gets no bucket: it could acquire at once.
        """
        bucket = self._buckets.get(key)
        if bucket is None:
            _check_tokens(tokens, self._capacity)
            return 0.0
        return bucket.wait_time(tokens)

    def evict_idle(self) -> int:
        """Forget every key unused for at least ``idle_timeout`` seconds; return how many.

        Call it now and then, e.g. from a periodic housekeeping task.
        """
        now = self._clock()
        idle = [key for key, last in self._last_used.items() if now - last >= self._idle_timeout]
        for key in idle:
            del self._buckets[key]
            del self._last_used[key]
        return len(idle)
