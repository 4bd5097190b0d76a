"""An HTTP client that retries what is worth retrying, and nothing else.

This is the code under test: read it, then write the tests in test_retry_client.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

# The statuses that say "try again later": too many requests, and the server-side failures
# that a load balancer or a restarting server answers with.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Response:
    """What the server answered."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    """Sends one request over the network (an HTTP library, in production)."""

    def send(self, method: str, url: str) -> Response:
        """Send the request; raises ConnectionError or TimeoutError when the network fails."""
        ...


class Clock(Protocol):
    """Waits between attempts."""

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        ...


class SystemClock:
    """The real clock: `time.sleep`."""

    def sleep(self, seconds: float) -> None:
        """Block for `seconds`."""
        time.sleep(seconds)


class RetryError(Exception):
    """Every attempt failed.

    `attempts` is how many were made. `last_response` is the last (retryable) response, or
    None when the last attempt failed on the network: that error is then the `__cause__`.
    """

    def __init__(self, message: str, attempts: int, last_response: Response | None = None):
        super().__init__(message)
        self.attempts = attempts
        self.last_response = last_response


def parse_retry_after(value: str | None) -> float | None:
    """The seconds a Retry-After header asks for, or None.

    None when the header is absent, or is not a finite number of seconds of at least 0 (an
    HTTP date, which this client does not support, is None too).
    """
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if math.isfinite(seconds) and seconds >= 0:
        return seconds
    return None


class RetryingClient:
    """GETs a URL, retrying network failures and retryable statuses with growing waits.

    - An attempt that fails on the network (ConnectionError, TimeoutError), or answers a
      status of RETRYABLE_STATUSES, is retried, up to `max_attempts` attempts in all. Any
      other exception of the transport is a bug and propagates at once, untouched.
    - Any other response (a success, a 404, a 501...) is returned as it is, at once.
    - Between attempts the client waits: after failed attempt n (from 1),
      `base_delay * 2 ** (n - 1)` seconds, at most `max_delay`. A retryable response with
      a usable Retry-After header is waited for that long instead, also at most `max_delay`.
      There is no wait after the last attempt.
    - When every attempt failed, RetryError is raised: from the last network error, or
      with the last response.
    """

    def __init__(
        self,
        transport: Transport,
        clock: Clock | None = None,
        *,
        max_attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self._transport = transport
        self._clock = clock if clock is not None else SystemClock()
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay

    def get(self, url: str) -> Response:
        """GET `url`, retrying as the class says."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._transport.send("GET", url)
            except (ConnectionError, TimeoutError) as err:
                if self._exhausted(attempt):
                    raise RetryError(f"GET {url}: {attempt} attempts failed", attempt) from err
                delay = self.backoff(attempt)
            else:
                if response.status not in RETRYABLE_STATUSES:
                    return response
                if self._exhausted(attempt):
                    raise RetryError(
                        f"GET {url}: {attempt} attempts failed, the last with {response.status}",
                        attempt,
                        response,
                    )
                delay = self._delay_after(response, attempt)
            self._clock.sleep(delay)

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt `attempt` (from 1), ignoring any Retry-After."""
        return min(self._base_delay * 2.0 ** (attempt - 1), self._max_delay)

    def _delay_after(self, response: Response, attempt: int) -> float:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return self.backoff(attempt)
        return min(retry_after, self._max_delay)

    def _exhausted(self, attempt: int) -> bool:
        return attempt >= self._max_attempts
