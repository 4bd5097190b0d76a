"""Retry a flaky call with exponential backoff.

Calls to other services fail now and then for reasons that pass: a dropped connection, a
timeout, a database failing over. `retry_call` calls a function again when it raises one of
the exceptions you name, waiting longer before each new attempt (the schedule is a
`Backoff`), and gives up with a `RetryError` after a fixed number of attempts. Anything else
the function raises is a bug, not bad luck, and goes straight to the caller.

The waiting is done by a `sleep` function you can replace, so tests run instantly:

    >>> calls = []
    >>> def fetch() -> str:
    ...     calls.append("try")
    ...     if len(calls) < 3:
    ...         raise TimeoutError("slow upstream")
    ...     return "payload"
    >>> waits = []
    >>> retry_call(fetch, retry_on=(TimeoutError,), sleep=waits.append)
    'payload'
    >>> waits
    [0.1, 0.2]
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


class RetryError(Exception):
    """Every attempt failed: raised by `retry_call` when it gives up.

    The last failure is also the exception's ``__cause__``, so a traceback shows it.

    Attributes:
        attempts: How many times the function was called.
        last_error: The exception of the last attempt.
    """

    def __init__(self, attempts: int, last_error: BaseException) -> None:
        super().__init__(f"gave up after attempt {attempts}: {last_error!r}")
        self.attempts = attempts
        self.last_error = last_error


@dataclass(frozen=True)
class Backoff:
    """An exponential backoff schedule: how long to wait before each retry.

    The first retry waits `initial` seconds, and each one after it `multiplier` times as
    long as the one before, but never more than `maximum`.

    Attributes:
        initial: The wait before the first retry, in seconds.
        multiplier: How much longer each wait is than the one before.
        maximum: The longest wait, in seconds.

    Raises:
        ValueError: If `initial` is not positive, `multiplier` is below 1, or `maximum` is
            below `initial`.

    Example:
        >>> Backoff(initial=1.0, multiplier=3.0, maximum=20.0)
        Backoff(initial=1.0, multiplier=3.0, maximum=20.0)
        >>> list(itertools.islice(Backoff(initial=2.0, multiplier=1.0, maximum=2.0).delays(), 3))
        [2.0, 2.0, 2.0]
        >>> Backoff(initial=0.0)
        Traceback (most recent call last):
        ...
        ValueError: initial must be positive, got 0.0
    """

    initial: float = 0.1
    multiplier: float = 2.0
    maximum: float = 10.0

    def __post_init__(self) -> None:
        """Check the schedule's settings."""
        if self.initial <= 0:
            raise ValueError(f"initial must be positive, got {self.initial}")
        if self.multiplier < 1:
            raise ValueError(f"multiplier must be at least 1, got {self.multiplier}")
        if self.maximum < self.initial:
            raise ValueError(
                f"maximum must be at least initial ({self.initial}), got {self.maximum}"
            )

    def delay(self, retry: int) -> float:
        """Return how long to wait before a retry.

        Args:
            retry: Which retry: 1 for the first, the one after the first failure.

        Returns:
            The wait in seconds: ``initial * multiplier ** (retry - 1)``, capped at
            `maximum`.

        Raises:
            ValueError: If `retry` is below 1.

        Example:
            >>> schedule = Backoff(initial=0.5, multiplier=2.0, maximum=3.0)
            >>> [schedule.delay(retry) for retry in (1, 2, 3, 4)]
            [0.5, 1.0, 2.0, 3.0]
            >>> schedule.delay(0)
            Traceback (most recent call last):
            ...
            ValueError: retry must be at least 1, got 0
        """
        if retry < 1:
            raise ValueError(f"retry must be at least 1, got {retry}")
        return min(self.initial * self.multiplier ** (retry - 1), self.maximum)

    def delays(self) -> Iterator[float]:
        """Yield the wait before each retry, in order, without end.

        Yields:
            The waits in seconds: `delay(1)`, `delay(2)`, and so on.

        Example:
            >>> list(itertools.islice(Backoff().delays(), 5))
            [0.1, 0.2, 0.4, 0.8, 1.6]
            >>> list(itertools.islice(Backoff(initial=4.0, maximum=5.0).delays(), 3))
            [4.0, 5.0, 5.0]
        """
        for retry in itertools.count(1):
            yield self.delay(retry)


def retry_call(
    func: Callable[[], T],
    *,
    attempts: int = 3,
    backoff: Backoff = Backoff(),
    retry_on: tuple[type[Exception], ...] = (Exception,),
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Call `func` until it succeeds, waiting longer after each failure.

    Args:
        func: What to call, without arguments (use `functools.partial` or a lambda to pass
            some).
        attempts: How many calls at most, the first one included; at least 1.
        backoff: How long to wait before each retry.
        retry_on: The exceptions that mean "try again". Any other exception is raised at
            once, without a retry.
        sleep: Waits the given number of seconds. Replace it in tests.

    Returns:
        What `func` returned, the first time it did not raise.

    Raises:
        ValueError: If `attempts` is below 1.
        RetryError: If every attempt raised one of `retry_on`; the last exception is its
            cause.

    Example:
        >>> def down() -> None:
        ...     raise ConnectionError("db is down")
        >>> waits = []
        >>> try:
        ...     retry_call(down, backoff=Backoff(initial=1.0), sleep=waits.append)
        ... except RetryError as err:
        ...     print(err.attempts, repr(err.last_error), err.__cause__ is err.last_error)
        3 ConnectionError('db is down') True
        >>> waits
        [1.0, 2.0]

        With one attempt there is no retry, and no wait:

        >>> retry_call(down, attempts=1, sleep=waits.append)
        Traceback (most recent call last):
        ...
        retry.RetryError: gave up after attempt 1: ConnectionError('db is down')
        >>> waits
        [1.0, 2.0]

        An exception not in `retry_on` is not retried:

        >>> retry_call(down, retry_on=(TimeoutError,), sleep=waits.append)
        Traceback (most recent call last):
        ...
        ConnectionError: db is down
        >>> waits
        [1.0, 2.0]
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for retry in range(1, attempts):
        try:
            return func()
        except retry_on:
            sleep(backoff.delay(retry))
    try:
        return func()
    except retry_on as err:
        raise RetryError(attempts, err) from err
