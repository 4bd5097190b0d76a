"""An async HTTP client that retries what is safe to retry, and nothing else.

The network is a ``Transport`` handed in, so that the client can be tested without one, and
so is the ``sleep`` it waits with between attempts, so that a test need not wait at all.
Everything above ``RetryClient`` is given; write ``RetryClient``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Statuses that say "try again later": rate limited, or a gateway with no healthy backend.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Methods that a server must treat the same when they arrive twice (RFC 9110, 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Request:
    """One HTTP request: a method such as ``"GET"`` and a URL."""

    method: str
    url: str


@dataclass(frozen=True)
class Response:
    """What a server answered."""

    status: int
    body: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    """Sends one request over the network (faked in the tests)."""

    async def send(self, request: Request) -> Response: ...


class TransportError(Exception):
    """The connection failed before a response arrived (reset, refused, DNS)."""


class RequestFailed(Exception):
    """Every attempt of a request failed without a response."""

    def __init__(self, request: Request, attempts: int, error: Exception) -> None:
        super().__init__(
            f"{request.method} {request.url} failed after {attempts} attempts: "
            f"{type(error).__name__}"
        )
        self.request = request
        self.attempts = attempts


@dataclass(frozen=True)
class Outcome:
    """The result of one request of ``fetch_all``: its response, or the error it ended with."""

    request: Request
    response: Response | None = None
    error: Exception | None = None


class RetryClient:
    """Sends requests through a transport with timeouts, retries and a concurrency limit."""

    def __init__(
        self,
        transport: Transport,
        *,
        limit: int = 10,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Raises ValueError if ``limit < 1``, ``timeout <= 0``, ``retries < 0`` or ``backoff < 0``."""
        raise NotImplementedError

    async def request(self, method: str, url: str) -> Response:
        """Send ``method url`` and return the response, retrying where that is safe.

        An attempt fails with a TransportError, with a timeout, or with a response whose
        status is in RETRYABLE_STATUSES. Only requests whose method is idempotent are tried
        again, at most ``retries`` times, after ``backoff * 2 ** n`` seconds before retry
        ``n + 1`` (or after the response's ``Retry-After`` seconds, when it has one). When no
        retry is left, a failing response is returned as it is, and a failure without a
        response raises RequestFailed from the last error. Cancellation is never retried.
        """
        raise NotImplementedError

    async def fetch_all(self, requests: Sequence[Request]) -> list[Outcome]:
        """Send every request at once; return their outcomes in the order of ``requests``.

        A request that fails does not stop the others: its outcome holds the error.
        """
        raise NotImplementedError
