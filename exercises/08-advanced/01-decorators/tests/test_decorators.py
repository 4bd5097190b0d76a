"""Tests for the decorators and closures exercise.

``assert_type`` does nothing at run time; under mypy it checks that a decorated
function still has its precise return type (not ``Any``).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import assert_type

import pytest
from pygrade_graders.compare import assert_same

from decorators import call_counter, compose, make_accumulator, retry

# --- retry --------------------------------------------------------------------


def test_retry_succeeds_after_transient_failures() -> None:
    attempts = 0

    @retry(3, (ConnectionError,))
    def fetch() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("network hiccup")
        return "payload"

    assert_same(fetch(), "payload")
    assert attempts == 3


@pytest.mark.parametrize("times", [1, 3])
def test_retry_reraises_the_last_error_after_all_attempts(times: int) -> None:
    attempts = 0

    @retry(times, (ValueError, KeyError))
    def always_fails() -> None:
        nonlocal attempts
        attempts += 1
        raise ValueError(f"attempt {attempts}")

    with pytest.raises(ValueError, match=f"attempt {times}$"):
        always_fails()
    assert attempts == times, f"expected exactly {times} attempts, got {attempts}"


def test_retry_lets_other_exceptions_through_at_once() -> None:
    attempts = 0

    @retry(5, (ConnectionError,))
    def broken() -> None:
        nonlocal attempts
        attempts += 1
        raise KeyError("not a network problem")

    with pytest.raises(KeyError):
        broken()
    assert attempts == 1, "an exception not listed in `exceptions` must not be retried"


@pytest.mark.weight(2)
def test_retry_keeps_arguments_name_docstring_and_signature() -> None:
    def add(a: int, b: int = 0) -> int:
        """Add two numbers."""
        return a + b

    wrapped = retry(2, (ValueError,))(add)

    assert_same(assert_type(wrapped(2, b=3), int), 5)
    assert_same(wrapped.__name__, "add")
    assert_same(wrapped.__doc__, "Add two numbers.")
    assert_same(inspect.signature(wrapped), inspect.signature(add))


@pytest.mark.parametrize("times", [0, -2])
def test_retry_rejects_fewer_than_one_attempt(times: int) -> None:
    with pytest.raises(ValueError):
        retry(times, (ValueError,))


# --- call_counter -------------------------------------------------------------


def test_call_counter_counts_calls_and_returns_results() -> None:
    @call_counter
    def greet(name: str, punctuation: str = "!") -> str:
        return f"Hello, {name}{punctuation}"

    assert_same(greet.calls, 0)
    assert_same(assert_type(greet("Ada"), str), "Hello, Ada!")
    assert_same(greet("Grace", punctuation="?"), "Hello, Grace?")
    assert_same(greet.calls, 2)


def test_call_counter_counts_calls_that_raise() -> None:
    @call_counter
    def divide(a: float, b: float) -> float:
        return a / b

    with pytest.raises(ZeroDivisionError):
        divide(1, 0)
    assert_same(divide(6, 3), 2.0)
    assert_same(divide.calls, 2, "a call that raised still counts")


def test_call_counter_keeps_a_separate_count_per_function() -> None:
    @call_counter
    def ping() -> str:
        return "ping"

    @call_counter
    def pong() -> str:
        return "pong"

    ping()
    ping()
    pong()
    assert_same((ping.calls, pong.calls), (2, 1))


# --- compose ------------------------------------------------------------------


def double(x: int) -> int:
    return x * 2


def increment(x: int) -> int:
    return x + 1


@pytest.mark.parametrize(
    ("functions", "expected"),
    [
        pytest.param((), 5, id="no functions: identity"),
        pytest.param((double,), 10, id="double"),
        pytest.param((double, increment), 12, id="double(increment(x))"),
        pytest.param((increment, double), 11, id="increment(double(x))"),
        pytest.param((increment, increment, double), 12, id="increment(increment(double(x)))"),
    ],
)
def test_compose_applies_functions_right_to_left(
    functions: tuple[Callable[[int], int], ...], expected: int
) -> None:
    assert_same(compose(*functions)(5), expected)


def test_compose_works_across_types() -> None:
    word_count = compose(len, str.split, str.strip)

    assert_same(word_count("  the quick brown fox  "), 4)


# --- make_accumulator ---------------------------------------------------------


def test_accumulator_keeps_a_running_total() -> None:
    add = make_accumulator(10)

    assert_same([add(5), add(1), add(0), add(-16)], [15, 16, 16, 0])


def test_accumulators_are_independent_closures() -> None:
    first = make_accumulator(0)
    second = make_accumulator(100)

    first(1)
    first(1)
    assert_same(second(1), 101, "each accumulator needs its own total")
    assert_same(first(1), 3)
    assert type(first) is types.FunctionType and first.__closure__, (
        "make_accumulator should return an inner function that closes over the total"
    )
