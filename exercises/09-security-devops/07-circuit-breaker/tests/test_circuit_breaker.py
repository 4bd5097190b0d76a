"""Tests for the circuit breaker.

The breaker reads a fake clock that moves only when a test moves it. Its state-change events
are log records; each test collects them with a handler of its own and reads their fields.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pygrade_graders.compare import assert_same

from circuit_breaker import CircuitBreaker, CircuitOpenError, Metrics, State

TIMEOUT = 2.0  # seconds a test waits for another thread before it fails
FIELDS = ("event", "breaker", "from_state", "to_state", "at")


class FakeClock:
    """A clock for tests: call it to read the time, advance it by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Collect(logging.Handler):
    """A handler that keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def events(self) -> list[dict[str, Any]]:
        """The structured fields of each record."""
        return [{key: getattr(record, key, None) for key in FIELDS} for record in self.records]

    def moves(self) -> list[tuple[str, str]]:
        return [(event["from_state"], event["to_state"]) for event in self.events()]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def collect() -> Iterator[Collect]:
    handler = Collect()
    logger = logging.getLogger("test.breaker")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def make(clock: FakeClock, **options: Any) -> CircuitBreaker:
    settings: dict[str, Any] = {
        "failure_threshold": 0.5,
        "window": 60.0,
        "min_calls": 4,
        "cooldown": 30.0,
        "clock": clock,
        "logger": logging.getLogger("test.breaker"),
    }
    settings.update(options)
    return CircuitBreaker("payments", **settings)


class Down(Exception):
    """The dependency failed."""


def ok(value: str = "ok") -> str:
    return value


def fail() -> str:
    raise Down("dependency down")


def run(breaker: CircuitBreaker, outcomes: str) -> None:
    """Make one call per letter: "s" succeeds, "f" fails."""
    for outcome in outcomes:
        if outcome == "s":
            breaker.call(ok)
        else:
            with pytest.raises(Down):
                breaker.call(fail)


def trip(breaker: CircuitBreaker) -> None:
    run(breaker, "ffff")
    assert_same(breaker.state, State.OPEN)


# --- closed -------------------------------------------------------------------------------


def add(a: int, *, b: int) -> int:
    return a + b


def test_a_closed_breaker_passes_calls_through(clock: FakeClock) -> None:
    breaker = make(clock)

    assert_same(breaker.call(ok, "paid"), "paid")
    assert_same(breaker.call(add, 2, b=3), 5)
    assert_same(breaker.state, State.CLOSED)


def test_a_failure_is_raised_to_the_caller_unchanged(clock: FakeClock) -> None:
    breaker = make(clock)
    error = Down("timeout talking to the bank")

    def failing() -> None:
        raise error

    with pytest.raises(Down) as caught:
        breaker.call(failing)

    assert caught.value is error


@pytest.mark.weight(2)
def test_it_opens_when_the_failure_rate_reaches_the_threshold(
    clock: FakeClock, collect: Collect
) -> None:
    breaker = make(clock)

    run(breaker, "sfs")
    assert_same(breaker.state, State.CLOSED)
    run(breaker, "f")  # 2 failures of 4 calls: 50%

    assert_same(breaker.state, State.OPEN)
    assert_same(collect.moves(), [("closed", "open")])


def test_it_stays_closed_below_the_threshold(clock: FakeClock) -> None:
    breaker = make(clock, failure_threshold=0.6)

    run(breaker, "sfsfsfsfsf")  # 50%

    assert_same(breaker.state, State.CLOSED)


def test_it_stays_closed_before_min_calls(clock: FakeClock) -> None:
    breaker = make(clock, min_calls=5)

    run(breaker, "ffff")
    assert_same(breaker.state, State.CLOSED)
    run(breaker, "f")

    assert_same(breaker.state, State.OPEN)


def test_a_threshold_of_one_needs_every_call_to_fail(clock: FakeClock) -> None:
    breaker = make(clock, failure_threshold=1.0, min_calls=3)

    run(breaker, "sffff")
    assert_same(breaker.state, State.CLOSED, "4 of 5 failed: 80%")
    clock.advance(60.0)
    run(breaker, "fff")

    assert_same(breaker.state, State.OPEN)


@pytest.mark.weight(2)
def test_outcomes_older_than_the_window_are_forgotten(clock: FakeClock) -> None:
    breaker = make(clock, window=60.0)

    run(breaker, "ff")
    clock.advance(30.0)
    run(breaker, "f")
    clock.advance(30.0)  # the first two are exactly 60 s old now: out of the window
    run(breaker, "f")
    assert_same(breaker.state, State.CLOSED, "only 2 calls are in the window")
    clock.advance(29.0)
    run(breaker, "s")

    assert_same(breaker.state, State.CLOSED, "3 calls in the window")
    run(breaker, "s")
    assert_same(breaker.state, State.OPEN, "2 failures of 4 calls in the window")


def test_old_successes_leaving_the_window_can_open_it(clock: FakeClock) -> None:
    breaker = make(clock, min_calls=3)

    run(breaker, "sss")
    clock.advance(59.0)
    run(breaker, "ff")  # 2 of 5
    clock.advance(1.0)  # the three successes leave the window
    run(breaker, "s")  # 2 of 3

    assert_same(breaker.state, State.OPEN)


def test_an_exception_that_is_no_error_counts_as_nothing(clock: FakeClock) -> None:
    breaker = make(clock, min_calls=1)

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        breaker.call(interrupted)

    assert_same(breaker.state, State.CLOSED)
    assert_same(breaker.metrics(), Metrics(calls=1, successes=0, failures=0, rejections=0, state=0))


# --- open ---------------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_an_open_breaker_refuses_calls_without_making_them(clock: FakeClock) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(12.5)
    made: list[str] = []

    with pytest.raises(CircuitOpenError) as caught:
        breaker.call(made.append, "called")

    assert_same(made, [])
    assert_same(caught.value.name, "payments")
    assert_same(caught.value.retry_after, 17.5)
    assert_same(str(caught.value), "circuit 'payments' is open: retry in 17.5s")


def test_the_cooldown_starts_when_the_failing_call_ends(clock: FakeClock) -> None:
    breaker = make(clock, min_calls=1)

    def slow_failure() -> None:
        clock.advance(10.0)  # the call takes 10 s, then fails
        raise Down("timeout")

    with pytest.raises(Down):
        breaker.call(slow_failure)
    with pytest.raises(CircuitOpenError) as caught:
        breaker.call(ok)

    assert_same(caught.value.retry_after, 30.0)


@pytest.mark.weight(2)
def test_it_is_half_open_once_the_cooldown_is_over(clock: FakeClock, collect: Collect) -> None:
    breaker = make(clock)
    trip(breaker)

    clock.advance(29.999)
    assert_same(breaker.state, State.OPEN)
    clock.advance(0.001)
    assert_same(breaker.state, State.HALF_OPEN)
    assert_same(breaker.state, State.HALF_OPEN)

    assert_same(collect.moves(), [("closed", "open"), ("open", "half_open")])


# --- half-open ----------------------------------------------------------------------------


@pytest.mark.weight(2)
def test_a_successful_trial_closes_it_with_a_fresh_window(
    clock: FakeClock, collect: Collect
) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(30.0)

    assert_same(breaker.call(ok, "trial"), "trial")

    assert_same(breaker.state, State.CLOSED)
    run(breaker, "fff")
    assert_same(breaker.state, State.CLOSED, "the failures before the trial no longer count")
    assert_same(
        collect.moves(), [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    )


@pytest.mark.weight(2)
def test_a_failed_trial_opens_it_for_another_cooldown(clock: FakeClock, collect: Collect) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(45.0)

    with pytest.raises(Down):
        breaker.call(fail)

    assert_same(breaker.state, State.OPEN)
    with pytest.raises(CircuitOpenError) as caught:
        breaker.call(ok)
    assert_same(caught.value.retry_after, 30.0)
    assert_same(collect.moves(), [("closed", "open"), ("open", "half_open"), ("half_open", "open")])


@pytest.mark.weight(2)
def test_only_one_trial_runs_at_a_time(clock: FakeClock) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(30.0)
    started, release = threading.Event(), threading.Event()
    results: list[str] = []

    def slow_trial() -> str:
        started.set()
        assert release.wait(TIMEOUT)
        return "trial done"

    thread = threading.Thread(target=lambda: results.append(breaker.call(slow_trial)))
    thread.start()
    try:
        assert started.wait(TIMEOUT)
        with pytest.raises(CircuitOpenError) as caught:
            breaker.call(ok)
        assert_same(caught.value.retry_after, 0.0)
        assert_same(breaker.state, State.HALF_OPEN)
    finally:
        release.set()
        thread.join(TIMEOUT)

    assert_same(results, ["trial done"])
    assert_same(breaker.state, State.CLOSED)
    assert_same(breaker.metrics(), Metrics(calls=5, successes=1, failures=4, rejections=1, state=0))


def test_a_call_made_inside_the_trial_is_refused(clock: FakeClock) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(30.0)

    def trial() -> str:
        with pytest.raises(CircuitOpenError):
            breaker.call(ok)
        return "done"

    assert_same(breaker.call(trial), "done")


def test_an_interrupted_trial_leaves_room_for_the_next(clock: FakeClock) -> None:
    breaker = make(clock)
    trip(breaker)
    clock.advance(30.0)

    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        breaker.call(interrupted)

    assert_same(breaker.state, State.HALF_OPEN)
    assert_same(breaker.call(ok, "next trial"), "next trial")
    assert_same(breaker.state, State.CLOSED)


# --- metrics and events -------------------------------------------------------------------


@pytest.mark.weight(2)
def test_metrics_count_calls_failures_and_rejections(clock: FakeClock) -> None:
    breaker = make(clock)
    assert_same(breaker.metrics(), Metrics(calls=0, successes=0, failures=0, rejections=0, state=0))

    run(breaker, "ssff")
    assert_same(breaker.metrics(), Metrics(calls=4, successes=2, failures=2, rejections=0, state=1))

    for _ in range(3):
        with pytest.raises(CircuitOpenError):
            breaker.call(ok)
    assert_same(breaker.metrics(), Metrics(calls=4, successes=2, failures=2, rejections=3, state=1))

    clock.advance(30.0)
    assert_same(breaker.metrics().state, 2, "half-open")
    run(breaker, "s")
    assert_same(breaker.metrics(), Metrics(calls=5, successes=3, failures=2, rejections=3, state=0))


def test_the_state_gauges() -> None:
    assert_same([state.gauge for state in (State.CLOSED, State.OPEN, State.HALF_OPEN)], [0, 1, 2])
    assert_same([state.value for state in State], ["closed", "open", "half_open"])


@pytest.mark.weight(2)
def test_each_state_change_is_one_structured_event(clock: FakeClock, collect: Collect) -> None:
    breaker = make(clock)
    run(breaker, "ffsf")  # opens at 1000
    clock.advance(30.0)
    run(breaker, "f")  # half-open at 1030, open again at 1030
    clock.advance(40.0)
    run(breaker, "s")  # half-open at 1070, closed at 1070

    def event(old: str, new: str, at: float) -> dict[str, Any]:
        return {"event": "circuit_state_change", "breaker": "payments", "from_state": old,
                "to_state": new, "at": at}  # fmt: skip

    assert_same(
        collect.events(),
        [
            event("closed", "open", 1000.0),
            event("open", "half_open", 1030.0),
            event("half_open", "open", 1030.0),
            event("open", "half_open", 1070.0),
            event("half_open", "closed", 1070.0),
        ],
    )
    assert_same(
        [(record.levelname, record.getMessage()) for record in collect.records],
        [
            ("WARNING", "circuit payments: closed -> open"),
            ("INFO", "circuit payments: open -> half_open"),
            ("WARNING", "circuit payments: half_open -> open"),
            ("INFO", "circuit payments: open -> half_open"),
            ("INFO", "circuit payments: half_open -> closed"),
        ],
    )


def test_no_event_without_a_state_change(clock: FakeClock, collect: Collect) -> None:
    breaker = make(clock)

    run(breaker, "sfssfs")  # never 50%
    breaker.metrics()

    assert_same(collect.records, [])


def test_the_default_logger_is_circuit_breaker(clock: FakeClock) -> None:
    handler = Collect()
    logger = logging.getLogger("circuit_breaker")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        breaker = CircuitBreaker("search", min_calls=1, clock=clock)
        with pytest.raises(Down):
            breaker.call(fail)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)

    assert_same(handler.moves(), [("closed", "open")])
    assert_same(handler.events()[0]["breaker"], "search")


def test_the_defaults(clock: FakeClock) -> None:
    breaker = CircuitBreaker("search", clock=clock)

    run(breaker, "sssff")  # 40%: closed with the default threshold of 50%
    assert_same(breaker.state, State.CLOSED)
    clock.advance(59.0)
    run(breaker, "f")  # 3 of 6: open
    assert_same(breaker.state, State.OPEN)
    clock.advance(29.0)
    assert_same(breaker.state, State.OPEN)
    clock.advance(1.0)
    assert_same(breaker.state, State.HALF_OPEN)


def test_the_default_clock_is_a_real_one() -> None:
    breaker = CircuitBreaker("search")

    assert_same(breaker.call(ok, "real time"), "real time")
    assert_same(breaker.state, State.CLOSED)


def test_the_default_min_calls_is_five(clock: FakeClock) -> None:
    breaker = CircuitBreaker("search", clock=clock)

    run(breaker, "ffff")
    assert_same(breaker.state, State.CLOSED)
    run(breaker, "f")
    assert_same(breaker.state, State.OPEN)


def test_the_default_window_is_sixty_seconds(clock: FakeClock) -> None:
    breaker = CircuitBreaker("search", clock=clock)

    run(breaker, "ffff")
    clock.advance(60.0)
    run(breaker, "f")

    assert_same(breaker.state, State.CLOSED)


# --- arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("failure_threshold", 0.0),
        ("failure_threshold", 1.01),
        ("failure_threshold", -0.5),
        ("window", 0.0),
        ("window", -1.0),
        ("min_calls", 0),
        ("cooldown", 0.0),
        ("cooldown", -5.0),
    ],
)
def test_bad_options_are_refused_by_name(clock: FakeClock, option: str, value: float) -> None:
    with pytest.raises(ValueError, match=option):
        make(clock, **{option: value})


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("failure_threshold", 1.0),
        ("failure_threshold", 0.01),
        ("min_calls", 1),
        ("window", 0.5),
        ("cooldown", 0.5),
    ],
)
def test_edge_options_are_accepted(clock: FakeClock, option: str, value: float) -> None:
    make(clock, **{option: value})
