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
        super().__init__(f"{backend} did not answer within {timeout} s")
        self.backend = backend


# The errors after which another attempt may succeed.
RETRYABLE = (BackendUnavailable, GatewayTimeout)


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
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if retries < 0:
            raise ValueError(f"retries must not be negative, got {retries}")
        if backoff < 0:
            raise ValueError(f"backoff must not be negative, got {backoff}")
        self._transport = transport
        self._slots = asyncio.Semaphore(limit)
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep

    async def call(self, backend: str, path: str) -> Response:
        """Send ``path`` to ``backend``, retrying as the gateway is configured."""
        attempt = 0
        while True:
            try:
                return await self._attempt(backend, path)
            except RETRYABLE:
                if attempt >= self._retries:
                    raise
            # The slot is free while we pause: a backing-off request blocks nobody.
            await self._sleep(self._backoff * 2**attempt)
            attempt += 1

    async def _attempt(self, backend: str, path: str) -> Response:
        async with self._slots:
            # The deadline starts once the request has a slot: waiting for one is not the
            # backend's fault.
            try:
                async with asyncio.timeout(self._timeout):
                    return await self._transport.send(backend, path)
            except TimeoutError as error:
                raise GatewayTimeout(backend, self._timeout) from error

    async def fan_out(self, path: str, backends: Sequence[str]) -> list[Response]:
        """Send ``path`` to every backend at once; the responses in the order of ``backends``.

        All or nothing, as in an ``asyncio.TaskGroup``: when a request fails, the others
        are cancelled, and an ExceptionGroup of the failures is raised once they have all
        stopped.
        """
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self.call(backend, path)) for backend in backends]
        return [task.result() for task in tasks]

    async def stream(self, path: str, backends: Sequence[str]) -> AsyncGenerator[Response, None]:
        """Send ``path`` to every backend at once; yield each response as it arrives.

        When a request fails, the others are cancelled and its exception is raised. When the
        caller stops early and closes the stream, the requests still running are cancelled.
        """
        tasks = [asyncio.create_task(self.call(backend, path)) for backend in backends]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
