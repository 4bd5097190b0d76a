"""Tests of the retrying client: what it retries, how long it waits, and how it gives up."""

from __future__ import annotations

from unittest.mock import Mock, call, patch

import pytest

from retry_client import (
    Clock,
    Response,
    RetryError,
    RetryingClient,
    Transport,
    parse_retry_after,
)

URL = "https://api.example.com/orders/42"
OK = Response(200, b'{"id": 42}')
UNAVAILABLE = Response(503)


@pytest.fixture
def transport() -> Mock:
    """A transport whose answers each test sets with `side_effect`."""
    return Mock(spec=Transport)


@pytest.fixture
def clock() -> Mock:
    """A clock that records the waits instead of sleeping."""
    return Mock(spec=Clock)


def client(
    transport: Mock,
    clock: Mock,
    max_attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8.0,
) -> RetryingClient:
    """A client over the mocks, with the defaults unless a test says otherwise."""
    return RetryingClient(
        transport, clock, max_attempts=max_attempts, base_delay=base_delay, max_delay=max_delay
    )


def waits(clock: Mock) -> list[float]:
    return [c.args[0] for c in clock.sleep.call_args_list]


def test_a_success_is_returned_at_once(transport: Mock, clock: Mock) -> None:
    transport.send.return_value = OK
    assert client(transport, clock).get(URL) is OK
    transport.send.assert_called_once_with("GET", URL)
    clock.sleep.assert_not_called()


@pytest.mark.parametrize("status", [400, 404, 409, 422, 501, 301])
def test_other_statuses_are_returned_without_a_retry(
    transport: Mock, clock: Mock, status: int
) -> None:
    transport.send.return_value = Response(status)
    assert client(transport, clock).get(URL).status == status
    assert transport.send.call_count == 1
    clock.sleep.assert_not_called()


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(transport: Mock, clock: Mock, status: int) -> None:
    transport.send.side_effect = [Response(status), OK]
    assert client(transport, clock).get(URL) is OK
    assert transport.send.call_count == 2


@pytest.mark.parametrize(
    "error", [ConnectionError("reset"), TimeoutError("slow"), ConnectionRefusedError()]
)
def test_network_failures_are_retried(transport: Mock, clock: Mock, error: OSError) -> None:
    transport.send.side_effect = [error, error, OK]
    assert client(transport, clock).get(URL) is OK
    assert transport.send.call_args_list == [call("GET", URL)] * 3


def test_waits_double_from_the_base_delay_up_to_the_cap(transport: Mock, clock: Mock) -> None:
    transport.send.side_effect = [TimeoutError()] * 5 + [OK]
    client(transport, clock, max_attempts=6, base_delay=1.0, max_delay=5.0).get(URL)
    assert waits(clock) == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_default_backoff(transport: Mock, clock: Mock) -> None:
    transport.send.side_effect = [UNAVAILABLE] * 3 + [OK]
    client(transport, clock).get(URL)
    assert waits(clock) == [0.5, 1.0, 2.0]
    assert RetryingClient(transport, clock).backoff(6) == 8.0


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_gives_up_after_max_attempts_with_the_last_response(
    transport: Mock, clock: Mock, attempts: int
) -> None:
    last = Response(503, b"last")
    transport.send.side_effect = [UNAVAILABLE] * (attempts - 1) + [last]
    with pytest.raises(RetryError, match="503") as caught:
        client(transport, clock, max_attempts=attempts).get(URL)
    assert caught.value.attempts == attempts
    assert caught.value.last_response is last
    assert transport.send.call_count == attempts
    assert clock.sleep.call_count == attempts - 1, "no wait after the last attempt"


def test_gives_up_on_the_network_raising_from_the_last_error(
    transport: Mock, clock: Mock
) -> None:
    errors = [ConnectionError("first"), TimeoutError("second"), TimeoutError("last")]
    transport.send.side_effect = errors
    with pytest.raises(RetryError) as caught:
        client(transport, clock, max_attempts=3).get(URL)
    assert caught.value.__cause__ is errors[-1]
    assert caught.value.last_response is None
    assert caught.value.attempts == 3
    assert waits(clock) == [0.5, 1.0]


@pytest.mark.parametrize("bug", [ValueError("bad url"), KeyError("host"), PermissionError()])
def test_other_exceptions_propagate_at_once(
    transport: Mock, clock: Mock, bug: Exception
) -> None:
    transport.send.side_effect = bug
    with pytest.raises(type(bug)) as caught:
        client(transport, clock).get(URL)
    assert caught.value is bug
    assert transport.send.call_count == 1
    clock.sleep.assert_not_called()


@pytest.mark.parametrize(
    ("header", "expected_wait"),
    [("3", 3.0), ("0", 0.0), ("1.5", 1.5), ("120", 8.0)],
)
def test_retry_after_replaces_the_backoff_up_to_the_cap(
    transport: Mock, clock: Mock, header: str, expected_wait: float
) -> None:
    transport.send.side_effect = [Response(429, headers={"Retry-After": header}), OK]
    client(transport, clock).get(URL)
    clock.sleep.assert_called_once_with(expected_wait)


@pytest.mark.parametrize(
    "header", ["-1", "soon", "Wed, 21 Oct 2026 07:28:00 GMT", "nan", "inf"]
)
def test_an_unusable_retry_after_falls_back_to_the_backoff(
    transport: Mock, clock: Mock, header: str
) -> None:
    transport.send.side_effect = [Response(503, headers={"Retry-After": header}), OK]
    client(transport, clock).get(URL)
    clock.sleep.assert_called_once_with(0.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("2", 2.0), ("0", 0.0), ("-0.5", None), ("x", None), ("inf", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize("attempts", [0, -3])
def test_max_attempts_must_be_at_least_one(transport: Mock, attempts: int) -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryingClient(transport, max_attempts=attempts)


def test_one_attempt_is_allowed(transport: Mock, clock: Mock) -> None:
    transport.send.return_value = OK
    assert client(transport, clock, max_attempts=1).get(URL) is OK


def test_the_default_clock_sleeps_with_time_sleep(transport: Mock) -> None:
    transport.send.side_effect = [TimeoutError(), OK]
    with patch("retry_client.time.sleep") as sleep:
        assert RetryingClient(transport).get(URL) is OK
    sleep.assert_called_once_with(0.5)
