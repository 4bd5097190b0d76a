"""Tests for payment_errors.py: the hierarchy, the mapping, chaining, notes and groups."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from pygrade_graders.compare import assert_same

from payment_errors import (
    CardDeclinedError,
    ChargeRequest,
    InsufficientFundsError,
    InvalidRequestError,
    PaymentError,
    TransientError,
    charge,
    error_from_response,
    problems,
    validate_batch,
)


class FakeTransport:
    """Answers every post with one canned response (or error) and records what was sent."""

    def __init__(
        self,
        status: int = 200,
        body: bytes = b'{"id": "ch_1"}',
        error: BaseException | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.error = error
        self.calls: list[tuple[str, dict[str, object]]] = []

    def post(self, path: str, payload: Mapping[str, object]) -> tuple[int, bytes]:
        self.calls.append((path, dict(payload)))
        if self.error is not None:
            raise self.error
        return self.status, self.body


def body(**fields: object) -> bytes:
    return json.dumps(fields).encode()


GOOD = ChargeRequest("A-1", 1250, "EUR")


# --- the mapping and the hierarchy ------------------------------------------------------


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (402, "card_declined", CardDeclinedError),
        (402, "expired_card", CardDeclinedError),
        (402, "insufficient_funds", InsufficientFundsError),
        (429, "rate_limited", TransientError),
        (500, "internal", TransientError),
        (503, "unavailable", TransientError),
        (599, "gateway", TransientError),
        (400, "missing_param", InvalidRequestError),
        (422, "bad_amount", InvalidRequestError),
        (401, "bad_api_key", PaymentError),
        (403, "forbidden", PaymentError),
        (404, "no_such_route", PaymentError),
        (409, "duplicate", PaymentError),
        (600, "odd", PaymentError),
        (302, "redirect", PaymentError),
    ],
)
def test_each_status_maps_to_its_exception_class(
    status: int, code: str, expected: type[PaymentError]
) -> None:
    error = error_from_response(status, {"code": code, "message": "no"})
    assert type(error) is expected, f"HTTP {status} {code}: got {type(error).__name__}"


def test_insufficient_funds_is_a_decline_and_every_error_is_a_payment_error() -> None:
    funds = error_from_response(402, {"code": "insufficient_funds"})
    assert isinstance(funds, CardDeclinedError), "catching declines must catch this one too"
    for status in (402, 429, 500, 400, 401):
        error = error_from_response(status, {})
        assert isinstance(error, PaymentError)
        assert not isinstance(error, (ValueError, OSError)), (
            "PaymentError should derive from Exception directly"
        )


def test_the_error_keeps_the_providers_code_message_and_status() -> None:
    error = error_from_response(
        402, {"code": "insufficient_funds", "message": "The card has insufficient funds."}
    )
    assert_same(str(error), "The card has insufficient funds.")
    assert_same(error.code, "insufficient_funds")
    assert_same(error.status, 402)


def test_errors_can_be_made_directly_with_their_defaults() -> None:
    error = InvalidRequestError("amount too large", code="amount_too_large")
    assert_same(
        (str(error), error.code, error.status, error.param),
        ("amount too large", "amount_too_large", None, None),
    )
    declined = CardDeclinedError("stolen card", code="stolen", status=402)
    assert_same((str(declined), declined.code, declined.status), ("stolen card", "stolen", 402))


@pytest.mark.parametrize(
    "fields",
    [{}, {"code": "", "message": ""}, {"code": 7, "message": ["not", "text"]}],
    ids=["absent", "empty", "not-strings"],
)
def test_a_body_without_a_usable_code_or_message_gets_defaults(
    fields: dict[str, object],
) -> None:
    error = error_from_response(503, fields)
    assert_same(error.code, "unknown")
    assert_same(str(error), "payment provider returned HTTP 503")


def test_an_invalid_request_names_the_parameter() -> None:
    error = error_from_response(400, {"code": "missing_param", "param": "currency"})
    assert isinstance(error, InvalidRequestError)
    assert_same(error.param, "currency")
    unnamed = error_from_response(422, {"code": "bad", "param": 3})
    assert isinstance(unnamed, InvalidRequestError)
    assert_same(unnamed.param, None)


def test_only_transient_errors_are_retryable() -> None:
    retryable = {status: error_from_response(status, {}).retryable for status in (429, 500)}
    assert_same(retryable, {429: True, 500: True})
    for status in (402, 400, 401):
        assert_same(error_from_response(status, {}).retryable, False, f"HTTP {status}")
    assert_same(error_from_response(402, {"code": "insufficient_funds"}).retryable, False)


@pytest.mark.parametrize("status", [200, 201, 299])
def test_a_success_status_is_not_an_error(status: int) -> None:
    with pytest.raises(ValueError, match=str(status)):
        error_from_response(status, {})


# --- validation, one request and a batch ------------------------------------------------


def test_a_good_request_has_no_problems() -> None:
    assert_same(problems(GOOD), [])
    assert_same(problems(ChargeRequest("B", 1, "GBP")), [])


@pytest.mark.parametrize(
    ("request_", "param", "message"),
    [
        (ChargeRequest("", 100, "EUR"), "order_id", "order_id must not be empty"),
        (ChargeRequest("  ", 100, "EUR"), "order_id", "order_id must not be empty"),
        (ChargeRequest("A-1", 0, "EUR"), "amount_cents", "amount_cents must be positive, got 0"),
        (ChargeRequest("A-1", -5, "USD"), "amount_cents", "amount_cents must be positive, got -5"),
        (ChargeRequest("A-1", 100, "eur"), "currency", "currency 'eur' is not supported"),
        (ChargeRequest("A-1", 100, "JPY"), "currency", "currency 'JPY' is not supported"),
    ],
)
def test_each_problem_names_its_field(request_: ChargeRequest, param: str, message: str) -> None:
    [problem] = problems(request_)
    assert type(problem) is InvalidRequestError
    assert_same((problem.param, str(problem), problem.code), (param, message, "invalid_request"))
    assert_same(problem.status, None, "a problem found before sending has no HTTP status")


def test_every_problem_of_a_request_is_reported_in_field_order() -> None:
    found = problems(ChargeRequest("", 0, "XXX"))
    assert_same([p.param for p in found], ["order_id", "amount_cents", "currency"])


def test_a_valid_batch_passes() -> None:
    validate_batch([GOOD, ChargeRequest("A-2", 1, "USD")])
    validate_batch([])


BATCH = [
    GOOD,
    ChargeRequest("A-2", 0, "EUR"),
    ChargeRequest("A-3", 500, "USD"),
    ChargeRequest("", -1, "CHF"),
]


@pytest.mark.weight(2)
def test_a_batch_raises_one_group_of_every_problem() -> None:
    with pytest.raises(ExceptionGroup) as caught:
        validate_batch(BATCH)
    group = caught.value
    assert_same(group.message, "2 of 4 charge requests are invalid")
    assert all(type(e) is InvalidRequestError for e in group.exceptions)
    assert_same(
        [str(e) for e in group.exceptions],
        [
            "amount_cents must be positive, got 0",
            "order_id must not be empty",
            "amount_cents must be positive, got -1",
            "currency 'CHF' is not supported",
        ],
    )


@pytest.mark.weight(2)
def test_each_problem_in_the_group_carries_a_note_naming_its_request() -> None:
    with pytest.raises(ExceptionGroup) as caught:
        validate_batch(iter(BATCH))
    notes = [getattr(e, "__notes__", None) for e in caught.value.exceptions]
    assert_same(
        notes,
        [
            ["request 1: order 'A-2'"],
            ["request 3: order ''"],
            ["request 3: order ''"],
            ["request 3: order ''"],
        ],
    )


def test_except_star_handles_the_problems_by_class() -> None:
    handled: list[str | None] = []
    try:
        validate_batch(BATCH)
    except* InvalidRequestError as group:
        for error in group.exceptions:
            assert isinstance(error, InvalidRequestError)
            handled.append(error.param)
    assert_same(handled, ["amount_cents", "order_id", "amount_cents", "currency"])


def test_the_group_can_be_split_by_field() -> None:
    with pytest.raises(ExceptionGroup) as caught:
        validate_batch(BATCH)
    currency, rest = caught.value.split(
        lambda e: isinstance(e, InvalidRequestError) and e.param == "currency"
    )
    assert currency is not None and rest is not None
    assert_same(len(currency.exceptions), 1)
    assert_same(len(rest.exceptions), 3)


# --- charge: chaining and notes ---------------------------------------------------------


def test_a_charge_posts_the_request_and_returns_the_charge_id() -> None:
    transport = FakeTransport(201, body(id="ch_42", status="succeeded"))
    assert_same(charge(transport, GOOD), "ch_42")
    assert_same(
        transport.calls,
        [("/v1/charges", {"order_id": "A-1", "amount": 1250, "currency": "EUR"})],
    )


def test_an_invalid_charge_raises_its_first_problem_without_sending() -> None:
    transport = FakeTransport()
    with pytest.raises(InvalidRequestError) as caught:
        charge(transport, ChargeRequest("A-1", 0, "XXX"))
    assert_same(caught.value.param, "amount_cents")
    assert_same(transport.calls, [], "an invalid request must not reach the provider")


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    "network_error",
    [TimeoutError("read timed out"), ConnectionRefusedError(111, "Connection refused")],
    ids=["timeout", "refused"],
)
def test_a_network_failure_is_a_transient_error_raised_from_it(
    network_error: OSError,
) -> None:
    with pytest.raises(TransientError) as caught:
        charge(FakeTransport(error=network_error), GOOD)
    error = caught.value
    assert error.__cause__ is network_error, (
        "use `raise TransientError(...) from err` so the network error is kept"
    )
    assert_same(error.code, "network_error")
    assert_same(error.status, None)
    assert_same(error.retryable, True)


@pytest.mark.parametrize(
    "bug", [KeyError("payload"), RuntimeError("pool closed"), PermissionError("denied")]
)
def test_any_other_failure_of_the_transport_is_not_disguised(bug: Exception) -> None:
    with pytest.raises(type(bug)) as caught:
        charge(FakeTransport(error=bug), GOOD)
    assert caught.value is bug, "only TimeoutError and ConnectionError mean 'try again later'"
    assert not isinstance(caught.value, PaymentError)


@pytest.mark.weight(2)
def test_a_declined_charge_raises_the_mapped_error_with_a_note() -> None:
    transport = FakeTransport(402, body(code="insufficient_funds", message="Not enough money."))
    with pytest.raises(InsufficientFundsError) as caught:
        charge(transport, GOOD)
    assert_same(str(caught.value), "Not enough money.")
    assert_same(caught.value.status, 402)
    assert_same(
        getattr(caught.value, "__notes__", None),
        ["while charging order 'A-1': 1250 cents EUR"],
    )


@pytest.mark.parametrize(
    "raw",
    [b"<html>502 Bad Gateway</html>", b'["unavailable"]', b"\xff\xfe", b""],
    ids=["html", "json-list", "not-utf8", "empty"],
)
def test_an_error_body_that_is_not_a_json_object_maps_by_status_alone(raw: bytes) -> None:
    with pytest.raises(TransientError) as caught:
        charge(FakeTransport(502, raw), ChargeRequest("B-7", 99, "GBP"))
    assert_same(str(caught.value), "payment provider returned HTTP 502")
    assert_same(caught.value.code, "unknown")
    assert_same(
        getattr(caught.value, "__notes__", None), ["while charging order 'B-7': 99 cents GBP"]
    )


@pytest.mark.parametrize("status", [199, 300, 304])
def test_a_status_outside_2xx_is_never_a_success(status: int) -> None:
    with pytest.raises(PaymentError) as caught:
        charge(FakeTransport(status, body(id="ch_1")), GOOD)
    assert_same(caught.value.status, status)


@pytest.mark.parametrize("status", [200, 299])
def test_every_2xx_status_is_a_success(status: int) -> None:
    assert_same(charge(FakeTransport(status, body(id="ch_9")), GOOD), "ch_9")


def test_a_success_that_is_not_json_is_raised_from_the_decode_error() -> None:
    with pytest.raises(PaymentError) as caught:
        charge(FakeTransport(200, b"OK"), GOOD)
    assert type(caught.value) is PaymentError
    assert_same((caught.value.code, caught.value.status), ("bad_response", 200))
    assert isinstance(caught.value.__cause__, ValueError), (
        "raise it from the error json.loads raised"
    )


@pytest.mark.parametrize(
    "raw", [body(status="succeeded"), body(id=""), body(id=17), b'"ch_1"', b"[]"]
)
def test_a_success_without_a_charge_id_is_a_bad_response(raw: bytes) -> None:
    with pytest.raises(PaymentError) as caught:
        charge(FakeTransport(200, raw), GOOD)
    assert type(caught.value) is PaymentError
    assert_same((caught.value.code, caught.value.status), ("bad_response", 200))
    assert_same(str(caught.value), "payment provider sent a success without a charge id")
