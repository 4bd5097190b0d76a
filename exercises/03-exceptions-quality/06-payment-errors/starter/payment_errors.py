"""Errors of the payment-gateway client, and the calls that raise them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

SUPPORTED_CURRENCIES = frozenset({"EUR", "USD", "GBP"})
CHARGES_PATH = "/v1/charges"


class PaymentError(Exception):
    """Base class of every error of a payment: callers that only need "did it fail?" catch it.

    Every instance has ``code`` (the provider's error code), ``status`` (the HTTP status, or
    None when no response came) and ``retryable`` (a class attribute: may the same request
    be sent again later?). ``str(err)`` is the message.
    """

    def __init__(self, message: str, *, code: str, status: int | None = None) -> None:
        """Hand ``message`` to ``super().__init__`` and store ``code`` and ``status``."""
        raise NotImplementedError


# The classes below all derive from Exception for now: give each its place in the tree of
# the README, and each the attributes it promises.


class CardDeclinedError(Exception):
    """The card's issuer refused the charge."""


class InsufficientFundsError(Exception):
    """A decline because the account lacks the money."""


class TransientError(Exception):
    """A failure that may pass: the same request can be sent again later."""


class InvalidRequestError(Exception):
    """A request that the provider (or the client, before sending it) refuses as malformed.

    Besides what every PaymentError has, ``param`` names the field at fault (or is None).
    """


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
    """The error that an error response of the provider stands for (see the README's table).

    ``body`` is the response's JSON object: ``code``, ``message`` and ``param`` are used when
    they are non-empty strings. A success status (200 to 299) raises ValueError.
    """
    raise NotImplementedError


def problems(request: ChargeRequest) -> list[InvalidRequestError]:
    """Everything wrong with ``request`` before it is sent, as a list of InvalidRequestError
    in the order of its fields (empty when the request is fine)."""
    raise NotImplementedError


def validate_batch(requests: Iterable[ChargeRequest]) -> None:
    """Raise one ExceptionGroup of every problem of every request, or return None.

    Each problem gets a note naming its request: ``request 3: order 'A-9'``.
    """
    raise NotImplementedError


def charge(transport: Transport, request: ChargeRequest) -> str:
    """Charge ``request`` through ``transport`` and return the provider's charge id.

    Validate first; turn a network failure into a TransientError raised from it; map an
    error response with error_from_response and add a note before raising it.
    """
    raise NotImplementedError
