"""Tests for the async retry client.

Nothing here waits for real time to pass. Each test runs on an event loop whose clock is
virtual: when every task is waiting and a timer is due later, the loop moves its clock
straight to that timer. So a 2.5 s timeout takes no time at all, fires at exactly 2.5 s on
the loop's clock, and always in the same order relative to everything else.

The fake transport answers each URL as the test scripted it, or, when nothing is scripted,
holds the request until the test answers it. The injected `sleep` records the pauses between
retries and returns at once, unless a test blocks it.
"""

from __future__ import annotations

import asyncio
import selectors
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest
from pygrade_graders.compare import assert_same

from retry_client import (
    Outcome,
    Request,
    RequestFailed,
    Response,
    RetryClient,
    TransportError,
)

T = TypeVar("T")

# How many turns of the loop a test gives the client to get somewhere before it fails.
TURNS = 1000


# --- a loop with a virtual clock -------------------------------------------------------------


class Deadlock(Exception):
    """Every task waits, and nothing could ever wake one."""


class VirtualSelector(selectors.DefaultSelector):
    """Instead of blocking until a timer is due, moves the clock to it."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:
            ready = super().select(5.0)
            if not ready:
                raise Deadlock("every task is waiting, and no timer is set")
            return ready
        self.now += max(timeout, 0.0)
        return super().select(0)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual = VirtualSelector()
        super().__init__(self._virtual)

    def time(self) -> float:
        return self._virtual.now


def run(main: Coroutine[Any, Any, T]) -> T:
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)


def now() -> float:
    return asyncio.get_running_loop().time()


async def until(condition: Callable[[], bool], what: str) -> None:
    """Let the other tasks run until `condition` holds, without moving the clock."""
    for _ in range(TURNS):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


# --- the fake transport ---------------------------------------------------------------------


class Hang:
    """A scripted outcome: the server never answers."""


HANG = Hang()
Scripted = Response | BaseException | Hang


class FakeTransport:
    """Records every request; answers as scripted, else holds it until the test answers it."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.cancelled: list[Request] = []
        self.active = 0
        self.peak = 0
        self._scripts: dict[str, deque[Scripted]] = {}
        self._held: deque[tuple[Request, asyncio.Future[Response]]] = deque()

    def script(self, url: str, *outcomes: Scripted) -> None:
        self._scripts[url] = deque(outcomes)

    def sent(self, url: str) -> int:
        return sum(request.url == url for request in self.requests)

    @property
    def held(self) -> list[str]:
        return [request.url for request, future in self._held if not future.done()]

    def answer(self, url: str, response: Response) -> None:
        for request, future in self._held:
            if request.url == url and not future.done():
                future.set_result(response)
                return
        raise AssertionError(f"no request to {url} is held")

    async def send(self, request: Request) -> Response:
        self.requests.append(request)
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            script = self._scripts.get(request.url)
            outcome: Scripted | None = script.popleft() if script else None
            if isinstance(outcome, Response):
                await asyncio.sleep(0)
                return outcome
            if isinstance(outcome, BaseException):
                await asyncio.sleep(0)
                raise outcome
            future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
            if outcome is None:
                self._held.append((request, future))
            return await future  # HANG: nothing ever sets it
        except asyncio.CancelledError:
            self.cancelled.append(request)
            raise
        finally:
            self.active -= 1


class Pauses:
    """The injected sleep: records each pause; returns at once unless blocked."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.blocked = False
        self.cancelled = 0

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if self.blocked:
            try:
                await asyncio.get_running_loop().create_future()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        await asyncio.sleep(0)


def ok(body: str = "ok") -> Response:
    return Response(200, body)


def client_for(transport: FakeTransport, pauses: Pauses, **options: Any) -> RetryClient:
    return RetryClient(transport, sleep=pauses, **options)


URL = "https://api.example.com/orders/42"


# --- one request ----------------------------------------------------------------------------


def test_a_successful_request_is_sent_once() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, ok("order 42"))

        response = await client_for(transport, pauses).request("GET", URL)

        assert_same(response, ok("order 42"))
        assert_same(transport.requests, [Request("GET", URL)])
        assert_same(pauses.seconds, [])

    run(main())


@pytest.mark.parametrize("status", [400, 404, 409, 500, 501])
def test_other_error_statuses_are_returned_without_a_retry(status: int) -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(status, "no"), ok())

        response = await client_for(transport, pauses).request("GET", URL)

        assert_same(response.status, status)
        assert_same(transport.sent(URL), 1)

    run(main())


@pytest.mark.weight(2)
@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retries_a_retryable_status_with_exponential_backoff(status: int) -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        failing = Response(status, "busy")
        transport.script(URL, failing, failing, failing, ok())

        response = await client_for(transport, pauses, retries=3, backoff=0.5).request("GET", URL)

        assert_same(response, ok())
        assert_same(transport.sent(URL), 4)
        assert_same(pauses.seconds, [0.5, 1.0, 2.0])

    run(main())


@pytest.mark.weight(2)
def test_retry_after_replaces_the_backoff() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(
            URL,
            Response(429, headers={"Retry-After": "7"}),
            Response(503),
            Response(503, headers={"Retry-After": "soon"}),  # not a number of seconds
            ok(),
        )

        response = await client_for(transport, pauses, retries=3, backoff=0.25).request("GET", URL)

        assert_same(response, ok())
        assert_same(pauses.seconds, [7.0, 0.5, 1.0])

    run(main())


@pytest.mark.weight(2)
def test_the_last_retryable_response_is_returned_when_retries_run_out() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(503, "a"), Response(502, "b"), Response(503, "c"), ok())

        response = await client_for(transport, pauses, retries=2, backoff=1.0).request("GET", URL)

        assert_same(response, Response(503, "c"))
        assert_same(transport.sent(URL), 3)
        assert_same(pauses.seconds, [1.0, 2.0], "no pause after the last attempt")

    run(main())


def test_retries_a_transport_error() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, TransportError("connection reset"), ok())

        response = await client_for(transport, pauses, backoff=0.1).request("GET", URL)

        assert_same(response, ok())
        assert_same(pauses.seconds, [0.1])

    run(main())


@pytest.mark.weight(2)
def test_request_failed_when_every_attempt_fails_without_a_response() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        errors = [TransportError(f"reset {n}") for n in range(3)]
        transport.script(URL, *errors)

        with pytest.raises(RequestFailed) as caught:
            await client_for(transport, pauses, retries=2, backoff=1.0).request("GET", URL)

        assert caught.value.__cause__ is errors[-1], "raise RequestFailed from the last error"
        assert_same(caught.value.attempts, 3)
        assert_same(caught.value.request, Request("GET", URL))
        assert_same(str(caught.value), f"GET {URL} failed after 3 attempts: TransportError")
        assert_same(pauses.seconds, [1.0, 2.0])

    run(main())


def test_an_unexpected_error_is_not_retried() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, PermissionError("TLS certificate rejected"), ok())

        with pytest.raises(PermissionError):
            await client_for(transport, pauses).request("GET", URL)
        assert_same(transport.sent(URL), 1)

    run(main())


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_request_that_is_not_idempotent_is_never_retried(method: str) -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        client = client_for(transport, pauses, retries=3)
        transport.script(URL, Response(503), ok())
        assert_same(await client.request(method, URL), Response(503))

        transport.script(URL, TransportError("reset"), ok())
        with pytest.raises(RequestFailed, match="failed after 1 attempts"):
            await client.request(method, URL)

        assert_same(transport.sent(URL), 2)
        assert_same(pauses.seconds, [])

    run(main())


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(method: str) -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(503), ok())

        assert_same(await client_for(transport, pauses).request(method, URL), ok())
        assert_same(transport.requests, [Request(method, URL)] * 2)

    run(main())


def test_no_retries_means_one_attempt() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(503), ok())

        assert_same(await client_for(transport, pauses, retries=0).request("GET", URL), Response(503))
        assert_same(transport.sent(URL), 1)

    run(main())


# --- timeouts -------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_an_attempt_that_takes_too_long_is_cancelled_and_retried() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, HANG, ok())

        response = await client_for(transport, pauses, timeout=2.5).request("GET", URL)

        assert_same(response, ok())
        assert_same(now(), 2.5, "the first attempt is given up at exactly 2.5 s")
        assert_same(transport.cancelled, [Request("GET", URL)], "the hanging attempt is cancelled")

    run(main())


@pytest.mark.weight(2)
def test_timeouts_on_every_attempt_raise_request_failed_from_the_timeout() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, HANG, HANG)

        with pytest.raises(RequestFailed) as caught:
            await client_for(transport, pauses, timeout=1.5, retries=1).request("GET", URL)

        assert isinstance(caught.value.__cause__, TimeoutError), repr(caught.value.__cause__)
        assert_same(str(caught.value), f"GET {URL} failed after 2 attempts: TimeoutError")
        assert_same(now(), 3.0)

    run(main())


@pytest.mark.weight(2)
def test_the_timeout_starts_when_the_attempt_has_its_slot() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        client = client_for(transport, pauses, limit=1, timeout=2.0, retries=0)
        first = asyncio.create_task(client.request("GET", "https://a"))
        await until(lambda: transport.held == ["https://a"], "the first request is sent")
        second = asyncio.create_task(client.request("GET", "https://b"))

        await asyncio.sleep(1.5)
        transport.answer("https://a", ok("a"))
        await until(lambda: transport.held == ["https://b"], "the second request is sent")
        await asyncio.sleep(1.5)  # 3.0 s after it was asked for, 1.5 s after it was sent
        transport.answer("https://b", ok("b"))

        assert_same([await first, await second], [ok("a"), ok("b")])

    run(main())


# --- cancellation ---------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_cancelling_a_request_in_flight_cancels_it_without_a_retry() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        task = asyncio.create_task(client_for(transport, pauses).request("GET", URL))
        await until(lambda: transport.held == [URL], "the request is sent")

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert task.cancelled(), "the cancellation reaches the caller as a cancellation"
        assert_same(transport.cancelled, [Request("GET", URL)])
        assert_same(transport.sent(URL), 1, "a cancelled request is never retried")
        assert_same(pauses.seconds, [])

    run(main())


@pytest.mark.weight(2)
def test_cancelling_a_request_during_its_backoff_ends_it() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(503), ok())
        pauses.blocked = True
        task = asyncio.create_task(client_for(transport, pauses).request("GET", URL))
        await until(lambda: len(pauses.seconds) == 1, "the client pauses before its retry")

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert task.cancelled()
        assert_same(pauses.cancelled, 1)
        assert_same(transport.sent(URL), 1, "no attempt after the cancellation")

    run(main())


@pytest.mark.weight(2)
def test_cancelling_fetch_all_cancels_every_request_and_is_not_an_outcome() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        requests = [Request("GET", f"https://svc/{n}") for n in range(4)]
        task = asyncio.create_task(client_for(transport, pauses).fetch_all(requests))
        await until(lambda: len(transport.held) == 4, "every request is sent")

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert_same(len(transport.cancelled), 4)
        assert_same(len(transport.requests), 4, "nothing is retried after a cancellation")

    run(main())


# --- the concurrency limit ------------------------------------------------------------------


@pytest.mark.weight(2)
def test_at_most_limit_requests_are_in_flight() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        requests = [Request("GET", f"https://svc/{n}") for n in range(10)]
        task = asyncio.create_task(client_for(transport, pauses, limit=3).fetch_all(requests))

        for n in range(10):
            await until(lambda: f"https://svc/{n}" in transport.held, f"request {n} is sent")
            assert len(transport.held) <= 3, transport.held
            transport.answer(f"https://svc/{n}", ok(str(n)))
        outcomes = await task

        assert_same(transport.peak, 3)
        assert_same([outcome.response for outcome in outcomes], [ok(str(n)) for n in range(10)])

    run(main())


@pytest.mark.weight(2)
def test_a_request_waiting_to_retry_holds_no_slot() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script("https://a", Response(503), ok("a"))
        pauses.blocked = True
        client = client_for(transport, pauses, limit=1)
        first = asyncio.create_task(client.request("GET", "https://a"))
        await until(lambda: len(pauses.seconds) == 1, "the first request pauses")

        second = asyncio.create_task(client.request("GET", "https://b"))
        await until(lambda: transport.held == ["https://b"], "the second request is sent")
        transport.answer("https://b", ok("b"))

        assert_same(await second, ok("b"))
        first.cancel()

    run(main())


# --- fetch_all ------------------------------------------------------------------------------


@pytest.mark.weight(3)
def test_fetch_all_returns_each_requests_outcome_in_order() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        reset = TransportError("reset")
        transport.script("https://svc/missing", Response(404, "no such order"))
        transport.script("https://svc/down", reset)
        requests = [
            Request("GET", "https://svc/slow"),
            Request("GET", "https://svc/missing"),
            Request("POST", "https://svc/down"),
            Request("GET", "https://svc/fast"),
        ]
        task = asyncio.create_task(client_for(transport, pauses).fetch_all(requests))
        await until(lambda: len(transport.held) == 2, "the held requests are sent")
        transport.answer("https://svc/fast", ok("fast"))  # answered before slow
        await asyncio.sleep(0)
        transport.answer("https://svc/slow", ok("slow"))

        outcomes = await task

        assert_same([outcome.request for outcome in outcomes], requests)
        assert_same(outcomes[0], Outcome(requests[0], response=ok("slow")))
        assert_same(outcomes[1], Outcome(requests[1], response=Response(404, "no such order")))
        assert_same(outcomes[3], Outcome(requests[3], response=ok("fast")))
        failed = outcomes[2]
        assert failed.response is None and isinstance(failed.error, RequestFailed), failed
        assert failed.error.__cause__ is reset

    run(main())


def test_fetch_all_of_nothing_is_empty() -> None:
    async def main() -> None:
        assert_same(await client_for(FakeTransport(), Pauses()).fetch_all([]), [])

    run(main())


@pytest.mark.parametrize(
    "options",
    [{"limit": 0}, {"timeout": 0}, {"timeout": -1.0}, {"retries": -1}, {"backoff": -0.5}],
)
def test_rejects_invalid_options(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryClient(FakeTransport(), **options)


def test_accepts_the_smallest_valid_options() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        transport.script(URL, Response(503), ok())
        client = RetryClient(transport, limit=1, timeout=0.001, retries=0, backoff=0, sleep=pauses)

        assert_same(await client.request("GET", URL), Response(503))

    run(main())


@pytest.mark.weight(2)
def test_the_defaults_are_ten_slots_three_retries_and_five_seconds() -> None:
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        client = RetryClient(transport, sleep=pauses)
        transport.script(URL, *[Response(503)] * 4, ok())
        assert_same(await client.request("GET", URL), Response(503), "four attempts, then give up")
        assert_same(pauses.seconds, [0.5, 1.0, 2.0])

        requests = [Request("GET", f"https://svc/{n}") for n in range(12)]
        task = asyncio.create_task(client.fetch_all(requests))
        await until(lambda: len(transport.held) == 10, "ten requests are sent")
        for _ in range(TURNS // 10):
            await asyncio.sleep(0)
        assert_same(len(transport.held), 10, "requests in flight at once")
        for n in range(10):
            transport.answer(f"https://svc/{n}", ok())
        await until(lambda: len(transport.held) == 2, "the last two requests are sent")
        await asyncio.sleep(4.9)
        assert_same(transport.sent("https://svc/10"), 1, "still within the default timeout")
        await asyncio.sleep(0.2)  # past the default timeout: given up and retried
        await until(lambda: transport.sent("https://svc/10") == 2, "the retry after 5 s")
        task.cancel()

    run(main())


@pytest.mark.weight(2)
def test_a_cancellation_from_below_is_never_retried_nor_turned_into_an_outcome() -> None:
    # The transport's own work was cancelled (its connection pool shut down, say).
    async def main() -> None:
        transport, pauses = FakeTransport(), Pauses()
        client = client_for(transport, pauses)
        transport.script(URL, asyncio.CancelledError(), ok())
        with pytest.raises(asyncio.CancelledError):
            await client.request("GET", URL)
        assert_same(transport.sent(URL), 1, "a cancellation is never retried")

        transport.script(URL, asyncio.CancelledError(), ok())
        transport.script("https://svc/other", ok())
        with pytest.raises(asyncio.CancelledError):
            await client.fetch_all([Request("GET", "https://svc/other"), Request("GET", URL)])
        assert_same(transport.sent(URL), 2)
        assert_same(pauses.seconds, [])

    run(main())
