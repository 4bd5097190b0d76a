"""Tests for the async gateway.

Nothing here waits for real time to pass. Each test runs on an event loop whose clock is
virtual: when every task is waiting and a timer is due later, the loop moves its clock
straight to that timer. So a 2.5 s timeout takes no time at all, fires at exactly 2.5 s on
the loop's clock, and always in the same order relative to everything else.

The fake transport holds every request it is sent until the test answers it (or fails it),
unless the test scripted that backend's outcomes in advance. A test waits for the gateway
to get somewhere with `FakeTransport.until`, which wakes on every change of the transport's
state. The injected `sleep` records the pauses between retries.
"""

from __future__ import annotations

import asyncio
import selectors
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import pytest
from pygrade_graders.compare import assert_same

from gateway import BackendUnavailable, Gateway, GatewayTimeout, Response

T = TypeVar("T")

# Virtual seconds a test waits for the gateway to get somewhere before it fails.
PATIENCE = 60.0


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
            # No timer at all: only another thread could still wake the loop.
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


# --- the fake transport ---------------------------------------------------------------------


class Hang:
    """A scripted outcome: the backend never answers."""


HANG = Hang()
Outcome = str | BaseException | Hang


class FakeTransport:
    """Records every request; answers as scripted, else holds it until the test answers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.cancelled: list[str] = []
        self.active = 0
        self.peak = 0
        self._scripts: dict[str, deque[Outcome]] = {}
        self._held: dict[str, deque[asyncio.Future[Response]]] = defaultdict(deque)
        self._changed = asyncio.Event()

    @property
    def sent(self) -> list[str]:
        return [backend for backend, _ in self.requests]

    def script(self, backend: str, *outcomes: Outcome) -> None:
        """The outcomes of `backend`'s next requests: a body, an exception to raise, or HANG."""
        self._scripts[backend] = deque(outcomes)

    def held(self, backend: str) -> int:
        """How many requests to `backend` wait for the test to answer them."""
        return sum(not request.done() for request in self._held[backend])

    def answer(self, backend: str, body: str | None = None) -> None:
        """Answer the oldest request held for `backend`."""
        self._oldest_held(backend).set_result(Response(backend, body or f"{backend} ok"))

    def fail(self, backend: str, error: BaseException) -> None:
        """Fail the oldest request held for `backend` with `error`."""
        self._oldest_held(backend).set_exception(error)

    def _oldest_held(self, backend: str) -> asyncio.Future[Response]:
        waiting = self._held[backend]
        while waiting and waiting[0].done():  # cancelled by the gateway meanwhile
            waiting.popleft()
        assert waiting, f"no request to {backend} is waiting for an answer"
        return waiting.popleft()

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait until `condition()` holds; fail the test if it does not come to pass."""

        async def wait() -> None:
            while not condition():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(wait(), PATIENCE)
        except TimeoutError:
            pytest.fail(f"still waiting for {what}; sent so far: {self.sent}")

    async def send(self, backend: str, path: str) -> Response:
        self.requests.append((backend, path))
        self.active += 1
        self.peak = max(self.peak, self.active)
        self._changed.set()
        try:
            await asyncio.sleep(0)  # a real transport never answers without waiting
            script = self._scripts.get(backend)
            if not script:
                held: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
                self._held[backend].append(held)
                self._changed.set()
                return await held
            outcome = script.popleft()
            if isinstance(outcome, Hang):
                never: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
                return await never
            if isinstance(outcome, BaseException):
                raise outcome
            return Response(backend, outcome)
        except asyncio.CancelledError:
            self.cancelled.append(backend)
            raise
        finally:
            self.active -= 1
            self._changed.set()


class FakeSleep:
    """An injected sleep: records each pause, and waits for `gate` if the test closed it."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await self.gate.wait()


def gateway(transport: FakeTransport, sleep: FakeSleep | None = None, **settings: Any) -> Gateway:
    if sleep is None:
        return Gateway(transport, **settings)
    return Gateway(transport, sleep=sleep, **settings)


def unavailable(n: int) -> BackendUnavailable:
    return BackendUnavailable(f"connection refused ({n})")


# --- call: one request -------------------------------------------------------------------


def test_call_sends_the_path_to_the_backend() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", "ada, grace")

        response = await gateway(transport).call("users", "/search?q=a")

        assert_same(response, Response("users", "ada, grace"))
        assert_same(transport.requests, [("users", "/search?q=a")])

    run(scenario())


@pytest.mark.weight(2)
def test_an_attempt_that_gets_no_answer_times_out() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", HANG)
        started = now()

        with pytest.raises(GatewayTimeout) as caught:
            await gateway(transport, timeout=2.5).call("users", "/")

        assert_same(now() - started, 2.5, "the attempt should time out after `timeout` seconds", approx=1e-6)
        assert_same(caught.value.backend, "users")
        assert_same(str(caught.value), "users did not answer within 2.5 s")
        assert_same(transport.cancelled, ["users"], "the request that timed out is cancelled")
        assert_same(transport.active, 0)

    run(scenario())


def test_an_answer_just_before_the_deadline_counts() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        call = asyncio.create_task(gateway(transport, timeout=2.5).call("users", "/"))
        await transport.until(lambda: transport.held("users") == 1, "the request to users")

        await asyncio.sleep(2.4)
        transport.answer("users", "just in time")

        assert_same(await call, Response("users", "just in time"))

    run(scenario())


@pytest.mark.weight(2)
def test_retries_an_unavailable_backend_with_doubling_pauses() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", unavailable(1), unavailable(2), "third time lucky")

        response = await gateway(transport, sleep, retries=2, backoff=0.25).call("users", "/")

        assert_same(response, Response("users", "third time lucky"))
        assert_same(transport.sent, ["users"] * 3)
        assert_same(sleep.delays, [0.25, 0.5])

    run(scenario())


@pytest.mark.weight(2)
def test_when_the_retries_run_out_the_last_error_is_raised() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        errors = [unavailable(n) for n in range(4)]
        transport.script("users", *errors)

        with pytest.raises(BackendUnavailable) as caught:
            await gateway(transport, sleep, retries=3, backoff=0.5).call("users", "/")

        assert caught.value is errors[3], "the error of the last attempt"
        assert_same(transport.sent, ["users"] * 4)
        assert_same(sleep.delays, [0.5, 1.0, 2.0], "no pause after the last attempt")

    run(scenario())


def test_retries_a_timeout() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", HANG, "ok")

        response = await gateway(transport, sleep, retries=1, backoff=0.25).call("users", "/")

        assert_same(response, Response("users", "ok"))
        assert_same(sleep.delays, [0.25])
        assert_same(transport.cancelled, ["users"])

    run(scenario())


def test_timeouts_to_the_last_retry_raise_gateway_timeout() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", HANG, HANG, HANG)
        started = now()

        with pytest.raises(GatewayTimeout):
            await gateway(transport, sleep, retries=2, timeout=1.5).call("users", "/")

        assert_same(transport.sent, ["users"] * 3)
        assert_same(now() - started, 4.5, "three attempts of 1.5 s each", approx=1e-6)

    run(scenario())


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "error", [PermissionError("forbidden"), ValueError("bad path"), KeyError("users")], ids=repr
)
def test_other_errors_are_not_retried(error: Exception) -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", error, "ok")

        with pytest.raises(type(error)) as caught:
            await gateway(transport, sleep, retries=3).call("users", "/")

        assert caught.value is error
        assert_same(transport.sent, ["users"])
        assert_same(sleep.delays, [])

    run(scenario())


def test_by_default_nothing_is_retried() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", unavailable(1), "ok")

        with pytest.raises(BackendUnavailable):
            await gateway(transport, sleep).call("users", "/")

        assert_same(sleep.delays, [])

    run(scenario())


def test_the_default_backoff_is_a_tenth_of_a_second() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", unavailable(1), unavailable(2), "ok")

        await gateway(transport, sleep, retries=2).call("users", "/")

        assert_same(sleep.delays, [0.1, 0.2], approx=1e-9)

    run(scenario())


def test_the_default_sleep_is_asyncio_sleep() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", unavailable(1), unavailable(2), "ok")
        started = now()

        await gateway(transport, retries=2, backoff=1.0).call("users", "/")

        assert_same(now() - started, 3.0, "pauses of 1 s and 2 s on the loop's clock", approx=1e-6)

    run(scenario())


def test_the_default_timeout_is_one_second() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", HANG)
        started = now()

        with pytest.raises(GatewayTimeout):
            await gateway(transport).call("users", "/")

        assert_same(now() - started, 1.0, approx=1e-6)

    run(scenario())


@pytest.mark.parametrize(
    "make",
    [
        lambda transport: Gateway(transport, limit=0),
        lambda transport: Gateway(transport, limit=-1),
        lambda transport: Gateway(transport, timeout=0),
        lambda transport: Gateway(transport, timeout=-1.0),
        lambda transport: Gateway(transport, retries=-1),
        lambda transport: Gateway(transport, backoff=-0.5),
    ],
    ids=["no-slots", "negative-limit", "no-time", "negative-timeout", "negative-retries", "negative-backoff"],
)
def test_rejects_nonsense_settings(make: Callable[[FakeTransport], Gateway]) -> None:
    with pytest.raises(ValueError):
        make(FakeTransport())


def test_accepts_the_smallest_sensible_settings() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", unavailable(1), "ok")
        sleep = FakeSleep()

        response = await gateway(transport, sleep, limit=1, retries=1, backoff=0.0).call("users", "/")

        assert_same(response, Response("users", "ok"))
        assert_same(sleep.delays, [0.0])

    run(scenario())


# --- slots --------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_never_more_than_limit_requests_at_once() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        backends = [f"shard-{n}" for n in range(6)]
        fan_out = asyncio.create_task(gateway(transport, limit=2).fan_out("/", backends))

        await transport.until(lambda: transport.held("shard-0") == 1, "the first request")
        assert_same(transport.sent, ["shard-0", "shard-1"], "with limit=2, two requests start")
        for backend in backends:
            await transport.until(lambda: transport.held(backend) == 1, f"the request to {backend}")
            transport.answer(backend)

        assert_same(len(await fan_out), 6)
        assert_same(transport.peak, 2)

    run(scenario())


def test_the_default_limit_is_ten() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        backends = [f"shard-{n}" for n in range(12)]
        fan_out = asyncio.create_task(gateway(transport).fan_out("/", backends))

        await transport.until(lambda: transport.active == 10, "ten requests")
        assert_same(transport.sent, backends[:10])
        for backend in backends:
            await transport.until(lambda: transport.held(backend) == 1, f"the request to {backend}")
            transport.answer(backend)

        assert_same(len(await fan_out), 12)
        assert_same(transport.peak, 10)

    run(scenario())


def test_the_limit_holds_across_concurrent_fan_outs() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        shared = gateway(transport, limit=4)
        first = asyncio.create_task(shared.fan_out("/a", ["a1", "a2", "a3"]))
        second = asyncio.create_task(shared.fan_out("/b", ["b1", "b2", "b3"]))

        await transport.until(lambda: transport.active == 4, "four requests")
        assert_same(len(transport.requests), 4, "one gateway, one limit")
        for backend in ["a1", "a2", "a3", "b1", "b2", "b3"]:
            await transport.until(lambda: transport.held(backend) == 1, f"the request to {backend}")
            transport.answer(backend)

        await asyncio.gather(first, second)
        assert_same(transport.peak, 4)

    run(scenario())


@pytest.mark.weight(2)
def test_a_request_backing_off_gives_its_slot_to_another() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("flaky", unavailable(1), "ok at last")
        sleep.gate.clear()
        fan_out = asyncio.create_task(
            gateway(transport, sleep, limit=1, retries=1).fan_out("/", ["flaky", "steady"])
        )

        # While "flaky" pauses before its retry, "steady" gets the only slot.
        await transport.until(lambda: transport.held("steady") == 1, "steady, while flaky backs off")
        sleep.gate.set()
        transport.answer("steady")

        assert_same(await fan_out, [Response("flaky", "ok at last"), Response("steady", "steady ok")])

    run(scenario())


@pytest.mark.weight(2)
def test_the_deadline_starts_when_the_request_gets_a_slot() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("slow-1", HANG)
        transport.script("slow-2", HANG)
        transport.script("fast", "ok")
        shared = gateway(transport, limit=1, timeout=1.0)

        # One slot: "fast" waits 2 s for it, then answers at once.
        outcomes = await asyncio.gather(
            shared.call("slow-1", "/"), shared.call("slow-2", "/"), shared.call("fast", "/"),
            return_exceptions=True,
        )

        assert_same([type(outcome).__name__ for outcome in outcomes], ["GatewayTimeout", "GatewayTimeout", "Response"])
        assert_same(now(), 2.0, approx=1e-6)

    run(scenario())


# --- fan_out: all or nothing -----------------------------------------------------------------


@pytest.mark.weight(2)
def test_fan_out_returns_responses_in_the_order_of_the_backends() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        fan_out = asyncio.create_task(gateway(transport).fan_out("/search", ["users", "orders", "catalog"]))
        await transport.until(lambda: transport.active == 3, "three requests at once")

        for backend in ["catalog", "orders", "users"]:  # the last one answers first
            transport.answer(backend, f"from {backend}")

        assert_same(
            await fan_out,
            [Response("users", "from users"), Response("orders", "from orders"), Response("catalog", "from catalog")],
        )
        assert_same(sorted(transport.requests), [("catalog", "/search"), ("orders", "/search"), ("users", "/search")])

    run(scenario())


def test_fan_out_to_nobody_is_an_empty_list() -> None:
    assert_same(run(gateway(FakeTransport()).fan_out("/", [])), [])


def test_fan_out_asks_a_backend_listed_twice_twice() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        transport.script("users", "one", "two")

        responses = await gateway(transport).fan_out("/", ["users", "users"])

        assert_same(sorted(response.body for response in responses), ["one", "two"])
        assert_same(transport.sent, ["users", "users"])

    run(scenario())


def test_fan_out_retries_each_request() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", unavailable(1), "users ok")
        transport.script("orders", "orders ok")

        responses = await gateway(transport, sleep, retries=1).fan_out("/", ["users", "orders"])

        assert_same(responses, [Response("users", "users ok"), Response("orders", "orders ok")])

    run(scenario())


@pytest.mark.weight(3)
def test_a_failure_cancels_the_other_requests_and_raises_a_group() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        error = PermissionError("orders: forbidden")
        fan_out = asyncio.create_task(gateway(transport).fan_out("/", ["users", "orders", "catalog"]))
        await transport.until(lambda: transport.active == 3, "three requests at once")

        transport.fail("orders", error)
        with pytest.raises(ExceptionGroup) as caught:
            await fan_out

        assert_same(len(caught.value.exceptions), 1)
        assert caught.value.exceptions[0] is error
        # Checked at once: every other request has already stopped.
        assert_same(sorted(transport.cancelled), ["catalog", "users"])
        assert_same(transport.active, 0)

    run(scenario())


def test_a_failure_stops_requests_still_waiting_for_a_slot() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        fan_out = asyncio.create_task(gateway(transport, limit=2).fan_out("/", ["a", "b", "c", "d"]))
        await transport.until(lambda: transport.active == 2, "two requests")

        transport.fail("a", unavailable(1))
        with pytest.raises(ExceptionGroup):
            await fan_out
        sent = list(transport.sent)
        await asyncio.sleep(10)

        assert_same(transport.sent, sent, "no request starts once fan_out has raised")
        assert "d" not in sent, "d waits for a slot until the failure, and is cancelled"
        assert_same(sorted(transport.cancelled), sorted(backend for backend in sent if backend != "a"))
        assert_same(transport.active, 0)

    run(scenario())


def test_cancelling_a_fan_out_cancels_its_requests() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        fan_out = asyncio.create_task(gateway(transport).fan_out("/", ["users", "orders"]))
        await transport.until(lambda: transport.active == 2, "two requests")

        fan_out.cancel()
        with pytest.raises(asyncio.CancelledError):
            await fan_out

        assert_same(sorted(transport.cancelled), ["orders", "users"])
        assert_same(transport.active, 0)

    run(scenario())


# --- stream: as they come ------------------------------------------------------------------


@pytest.mark.weight(3)
def test_stream_yields_each_response_as_it_arrives() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        stream = gateway(transport).stream("/", ["users", "orders", "catalog"])
        first = asyncio.ensure_future(anext(stream))
        await transport.until(lambda: transport.active == 3, "three requests at once")

        transport.answer("orders")
        assert_same(await first, Response("orders", "orders ok"))
        transport.answer("catalog")
        assert_same(await anext(stream), Response("catalog", "catalog ok"))
        transport.answer("users")
        assert_same(await anext(stream), Response("users", "users ok"))
        with pytest.raises(StopAsyncIteration):
            await anext(stream)

    run(scenario())


def test_a_stream_of_nobody_yields_nothing() -> None:
    async def scenario() -> list[Response]:
        return [response async for response in gateway(FakeTransport()).stream("/", [])]

    assert_same(run(scenario()), [])


def test_stream_goes_through_call() -> None:
    async def scenario() -> None:
        transport, sleep = FakeTransport(), FakeSleep()
        transport.script("users", unavailable(1), "users ok")
        transport.script("orders", HANG)
        shared = gateway(transport, sleep, retries=1, limit=1, timeout=2.0)

        responses = [response async for response in shared.stream("/", ["users"])]
        assert_same(responses, [Response("users", "users ok")])
        assert_same(sleep.delays, [0.1], approx=1e-9)
        with pytest.raises(GatewayTimeout):
            async for _ in shared.stream("/", ["orders"]):
                pass

    run(scenario())


@pytest.mark.weight(2)
def test_a_failure_in_the_stream_is_raised_and_cancels_the_rest() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        error = PermissionError("orders: forbidden")
        stream = gateway(transport).stream("/", ["users", "orders", "catalog"])
        first = asyncio.ensure_future(anext(stream))
        await transport.until(lambda: transport.active == 3, "three requests at once")

        transport.fail("orders", error)
        with pytest.raises(PermissionError) as caught:
            await first

        assert caught.value is error, "the error itself, not wrapped in a group"
        assert_same(sorted(transport.cancelled), ["catalog", "users"])
        assert_same(transport.active, 0)

    run(scenario())


@pytest.mark.weight(2)
def test_closing_the_stream_early_cancels_what_is_still_running() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        stream = gateway(transport, limit=2).stream("/", ["users", "orders", "catalog"])
        first = asyncio.ensure_future(anext(stream))
        await transport.until(lambda: transport.active == 2, "two requests")

        transport.answer("orders")
        assert_same(await first, Response("orders", "orders ok"))
        await stream.aclose()

        assert_same(transport.active, 0, "aclose() returns once the requests have stopped")
        assert "users" in transport.cancelled
        sent = list(transport.sent)
        assert_same(sorted(transport.cancelled), sorted(backend for backend in sent if backend != "orders"))
        await asyncio.sleep(10)
        assert_same(transport.sent, sent, "no request starts once the stream is closed")

    run(scenario())


def test_the_stream_keeps_to_the_limit() -> None:
    async def scenario() -> None:
        transport = FakeTransport()
        stream = gateway(transport, limit=1).stream("/", ["users", "orders"])
        first = asyncio.ensure_future(anext(stream))
        await transport.until(lambda: transport.active == 1, "one request")
        assert_same(transport.sent, ["users"])

        transport.answer("users")
        assert_same(await first, Response("users", "users ok"))
        second = asyncio.ensure_future(anext(stream))
        await transport.until(lambda: transport.held("orders") == 1, "the request to orders")
        transport.answer("orders")
        assert_same(await second, Response("orders", "orders ok"))
        assert_same(transport.peak, 1)

    run(scenario())
