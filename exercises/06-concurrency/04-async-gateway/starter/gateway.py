"""An API gateway's fan-out: one request to many backends, bounded, timed out and retried.

The gateway talks to backends only through a `Transport`, so that it can be tested with a
fake one. Every request goes through `Gateway.call`, which holds one of the gateway's
slots while it talks to a backend, gives each attempt a deadline, and retries the errors
worth retrying after a growing pause.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Response:
    """What a backend answered."""

    backend: str
    body: str


class Transport(Protocol):
    """Sends one request to one backend and waits for its answer."""

    async def send(self, backend: str, path: str) -> Response: ...


class BackendUnavailable(Exception):
    """The transport could not get an answer from a backend; a retry may succeed."""


class GatewayTimeout(Exception):
    """A backend did not answer one attempt in time."""

    backend: str

    def __init__(self, backend: str, timeout: float) -> None:
        """Store ``backend``. The message must be exactly::

            users did not answer within 2.5 s
        """
        raise NotImplementedError


class Gateway:
    """Sends requests to backends through ``transport``.

    At most ``limit`` requests of this gateway talk to backends at once. Each attempt has
    ``timeout`` seconds, counted from when it gets a slot. A request whose attempt failed
    with a retryable error is tried up to ``retries`` more times, after pausing
    ``backoff``, ``2 * backoff``, ``4 * backoff``, ... seconds with ``sleep``.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        limit: int = 10,
        timeout: float = 1.0,
        retries: int = 0,
        backoff: float = 0.1,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Raise ValueError if ``limit < 1``, ``timeout <= 0``, ``retries < 0`` or
        ``backoff < 0``."""
        raise NotImplementedError

    async def call(self, backend: str, path: str) -> Response:
        """Send ``path`` to ``backend`` and return its response.

        - An attempt holds one of the gateway's ``limit`` slots while it waits for the
          transport, and only then.
        - An attempt gets ``timeout`` seconds from when it has its slot; past them it is
          cancelled and counts as ``GatewayTimeout(backend, timeout)``.
        - After a ``BackendUnavailable`` or a ``GatewayTimeout``, and while retries are left,
          pause with ``sleep`` (``backoff * 2**n`` seconds before retry ``n + 1``) and try
          again. The last attempt's error is raised. Any other error is raised at once.
        """
        raise NotImplementedError

    async def fan_out(self, path: str, backends: Sequence[str]) -> list[Response]:
        """Send ``path`` to every backend at once; the responses in the order of ``backends``.

        All or nothing, as in an ``asyncio.TaskGroup``: when a request fails, the others
        are cancelled, and an ExceptionGroup of the failures is raised once they have all
        stopped.
        """
        raise NotImplementedError

    async def stream(self, path: str, backends: Sequence[str]) -> AsyncGenerator[Response, None]:
        """Send ``path`` to every backend at once; yield each response as it arrives.

        When a request fails, the others are cancelled and its exception is raised. When the
        caller stops early and closes the stream, the requests still running are cancelled,
        and have stopped, before ``aclose()`` returns.
        """
        raise NotImplementedError
        yield  # makes this an async generator
