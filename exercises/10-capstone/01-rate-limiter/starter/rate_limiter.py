"""Token-bucket rate limiting, for one client or for many clients by key.

A bucket holds up to ``capacity`` tokens and refills continuously at ``rate``
tokens per second. Each request spends tokens; when too few are left, the
request is refused. A full bucket allows a burst of ``capacity`` requests,
after which requests are allowed at ``rate`` per second on average.

The clock is injected (``time.monotonic`` by default), so the limiter can be
tested with a fake clock, without sleeping. Never call ``time`` functions
directly: always read the time through ``self._clock()``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

Clock = Callable[[], float]


class RateLimiter:
    """A single token bucket. It starts full."""

    def __init__(self, rate: float, capacity: int, clock: Clock = time.monotonic) -> None:
        """Create a bucket refilling at ``rate`` tokens per second, holding at most ``capacity``.

        Raises ValueError if ``rate`` is not a positive finite number (reject
        0, negatives, NaN and infinity: see ``math.isfinite``) or if
        ``capacity`` is less than 1. The message must name the bad argument,
        e.g. "rate must be a positive finite number (tokens per second), got 0".

        Tip: store the current number of tokens (a float) and the time it was
        last updated; there is no need for a background timer.
        """
        raise NotImplementedError

    def try_acquire(self, tokens: int = 1) -> bool:
        """Take ``tokens`` from the bucket if it holds enough, and say whether it did.

        A refused request takes nothing. Raises ValueError if ``tokens`` is not
        between 1 and the capacity (a larger request could never succeed); the
        message must mention "tokens".
        """
        raise NotImplementedError

    def wait_time(self, tokens: int = 1) -> float:
        """Return the seconds until ``tokens`` could be acquired (0.0 if they can now).

        Takes nothing from the bucket. Raises ValueError like ``try_acquire``.
        """
        raise NotImplementedError

    def _refill(self) -> None:
        """Add the tokens earned since the last update, up to the capacity.

        Earned tokens = elapsed seconds * rate. Call this at the start of
        ``try_acquire`` and ``wait_time``.
        """
        raise NotImplementedError


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

        Validates ``rate`` and ``capacity`` like RateLimiter. ``idle_timeout``
        defaults to ``capacity / rate``, the time an empty bucket needs to
        refill. It may not be shorter (ValueError mentioning "idle_timeout"):
        evicting a bucket that is not yet full again would hand its key free
        tokens.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of keys that currently have a bucket."""
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` currently has a bucket."""
        raise NotImplementedError

    def try_acquire(self, key: str, tokens: int = 1) -> bool:
        """Take ``tokens`` from the bucket of ``key`` if it holds enough, and say whether it did.

        A new key gets a full bucket. Each call counts as a use of the key
        (see ``evict_idle``). See ``RateLimiter.try_acquire``.
        """
        raise NotImplementedError

    def wait_time(self, key: str, tokens: int = 1) -> float:
        """Seconds until ``key`` could acquire ``tokens``; see ``RateLimiter.wait_time``.

        An unknown key gets no bucket: it could acquire at once.
        """
        raise NotImplementedError

    def evict_idle(self) -> int:
        """Forget every key unused for at least ``idle_timeout`` seconds; return how many.

        Call it now and then, e.g. from a periodic housekeeping task.
        """
        raise NotImplementedError
