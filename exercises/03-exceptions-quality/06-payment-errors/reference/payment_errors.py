"""Errors of the payment-gateway client, and the calls that raise them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

SUPPORTED_CURRENCIES = frozenset({"EUR", "USD", "GBP"})
CHARGES_PATH = "/v1/charges"


class PaymentError(Exception):
    """Base class of every error of a payment: callers that only need "did it fail?" catch it."""

    retryable: ClassVar[bool] = False
    code: str
    status: int | None

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class CardDeclinedError(PaymentError):
    """The card's issuer refused the charge."""


class InsufficientFundsError(CardDeclinedError):
    """A decline because the account lacks the money."""


class TransientError(PaymentError):
    """A failure that may pass: the same request can be sent again later."""

    retryable: ClassVar[bool] = True


class InvalidRequestError(PaymentError):
    """A request that the provider (or the client, before sending it) refuses as malformed."""

    param: str | None

    def __init__(
        self, message: str, *, code: str, status: int | None = None, param: str | None = None
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.param = param


@dataclass(frozen=True)
class ChargeRequest:
    """One charge to make: an amount in cents of a currency, for an order."""

    order_id: str
    amount_cents: int
    currency: str


class Transport(Protocol):
    """Sends a JSON payload to the provider and returns the HTTP status and the raw body."""

    def post(self, path: str, payload: Mapping[str, object]) -> tuple[int, bytes]:
        """POST `payload` to `path`; raises TimeoutError or ConnectionError on network failure."""
        ...


def error_from_response(status: int, body: Mapping[str, object]) -> PaymentError:
    """The error that an error response of the provider stands for."""
    if 200 <= status <= 299:
        raise ValueError(f"HTTP {status} is a success, not an error")
    code = body.get("code")
    if not isinstance(code, str) or not code:
        code = "unknown"
    message = body.get("message")
    if not isinstance(message, str) or not message:
        message = f"payment provider returned HTTP {status}"
    if status == 402:
        if code == "insufficient_funds":
            return InsufficientFundsError(message, code=code, status=status)
        return CardDeclinedError(message, code=code, status=status)
    if status == 429 or 500 <= status <= 599:
        return TransientError(message, code=code, status=status)
    if status in (400, 422):
        param = body.get("param")
        return InvalidRequestError(
            message, code=code, status=status, param=param if isinstance(param, str) else None
        )
    return PaymentError(message, code=code, status=status)


def problems(request: ChargeRequest) -> list[InvalidRequestError]:
    """Everything wrong with `request` before it is sent, in the order of its fields."""
    found = []
    if not request.order_id.strip():
        found.append(_invalid("order_id", "order_id must not be empty"))
    if request.amount_cents <= 0:
        found.append(
            _invalid("amount_cents", f"amount_cents must be positive, got {request.amount_cents}")
        )
    if request.currency not in SUPPORTED_CURRENCIES:
        found.append(_invalid("currency", f"currency {request.currency!r} is not supported"))
    return found


def _invalid(param: str, message: str) -> InvalidRequestError:
    return InvalidRequestError(message, code="invalid_request", param=param)


def validate_batch(requests: Iterable[ChargeRequest]) -> None:
    """Raise one ExceptionGroup of every problem of every request, or return None."""
    found: list[InvalidRequestError] = []
    total = bad = 0
    for index, request in enumerate(requests):
        total += 1
        errors = problems(request)
        if errors:
            bad += 1
        for error in errors:
            error.add_note(f"request {index}: order {request.order_id!r}")
            found.append(error)
    if found:
        raise ExceptionGroup(f"{bad} of {total} charge requests are invalid", found)


def charge(transport: Transport, request: ChargeRequest) -> str:
    """Charge `request` through `transport` and return the provider's charge id."""
    found = problems(request)
    if found:
        raise found[0]
    payload = {
        "order_id": request.order_id,
        "amount": request.amount_cents,
        "currency": request.currency,
    }
    try:
        status, raw = transport.post(CHARGES_PATH, payload)
    except (TimeoutError, ConnectionError) as err:
        raise TransientError(
            f"payment provider unreachable: {err}", code="network_error"
        ) from err
    if 200 <= status <= 299:
        return _charge_id(status, raw)
    error = error_from_response(status, _error_body(raw))
    error.add_note(
        f"while charging order {request.order_id!r}: "
        f"{request.amount_cents} cents {request.currency}"
    )
    raise error


def _charge_id(status: int, raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise PaymentError(
            "payment provider sent a success that is not JSON", code="bad_response", status=status
        ) from err
    charge_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(charge_id, str) or not charge_id:
        raise PaymentError(
            "payment provider sent a success without a charge id",
            code="bad_response",
            status=status,
        )
    return charge_id


def _error_body(raw: bytes) -> dict[str, object]:
    """The JSON object of an error response, or {} for any other body (a proxy's HTML page)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
