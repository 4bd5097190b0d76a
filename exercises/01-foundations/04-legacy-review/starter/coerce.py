"""Turn the raw records of the legacy billing feed into typed charges.

The feed's producers disagree on types: a field may arrive as bytes (from the socket), text
(from CSV), an int or a float (from JSON), or None. Each `as_*` function reads one field by
one clear rule and raises `CoercionError`, naming the field, for anything else.

A value is *missing* when it is None, or text (str, or bytes once decoded) that is empty
after stripping whitespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Charge:
    """One charge of the billing feed, with every field typed."""

    customer_id: int
    amount_cents: int
    currency: str
    paid: bool
    note: str | None


class CoercionError(ValueError):
    """A field whose value follows none of its rules."""

    field: str
    problem: str

    def __init__(self, field: str, problem: str) -> None:
        """Store ``field`` and ``problem`` as attributes of the same names.

        The message (what ``str(err)`` returns) is ``"<field>: <problem>"``, for example
        ``amount: not an amount: '12.345'``.
        """
        raise NotImplementedError


def as_text(value: object, field: str) -> str | None:
    """Return ``value`` as stripped text, or None when it is missing.

    - None -> None.
    - bytes -> decoded as UTF-8; bytes that are not UTF-8: ``not valid UTF-8``.
    - str -> itself.
    - Then surrounding whitespace is stripped, and empty text is None.
    - Any other type (int, float, bool, ...): ``unsupported type int`` (the type's name).
    """
    raise NotImplementedError


def as_int(value: object, field: str) -> int:
    """Return ``value`` as an int.

    - bool: ``unsupported type bool`` (a bool is an int, but not a number here).
    - int -> itself; float -> the int, when it is whole (``3.0``); otherwise
      ``not a whole number: 3.5`` (the float's repr).
    - text: an optional sign and ASCII digits only (``"-42"``, ``" 007 "``); otherwise
      ``not a whole number: '1_000'`` (the stripped text's repr); missing: ``missing``.
    """
    raise NotImplementedError


def as_cents(value: object, field: str) -> int:
    """Return the amount ``value`` states, in whole cents, never through float arithmetic.

    - bool: ``unsupported type bool``.
    - int -> whole units: ``12`` is 1200 cents.
    - float -> the decimal its ``repr`` shows: ``19.99`` is 1999 cents (not 1998);
      ``0.1 + 0.2`` shows more than two decimal places: ``not an amount:
      0.30000000000000004``. NaN and infinities are no amounts either.
    - text: an optional sign, ASCII digits, then optionally ``.`` and one or two digits
      (``"12"``, ``"-0.5"``, ``"12.05"``); otherwise ``not an amount: '12.345'``;
      missing: ``missing``.
    """
    raise NotImplementedError


def as_flag(value: object, field: str) -> bool:
    """Return ``value`` as a bool.

    - bool -> itself; the int 0 -> False and 1 -> True; any other int: ``not a flag: 2``.
    - text, in any case: ``true``, ``yes``, ``y``, ``1`` -> True; ``false``, ``no``, ``n``,
      ``0`` -> False; otherwise ``not a flag: 'maybe'``; missing: ``missing``.
    - Any other type: ``unsupported type float``.
    """
    raise NotImplementedError


def coerce_charge(raw: Mapping[str, object]) -> Charge:
    """Read one raw record of the feed into a `Charge`.

    The fields are read in this order, and the first one that breaks its rules raises
    `CoercionError` (keys of ``raw`` not listed here are ignored; an absent key is None):

    - ``customer_id``: `as_int`.
    - ``amount``: `as_cents`, into ``amount_cents``.
    - ``currency``: required text, upper-cased; three ASCII letters, otherwise
      ``not a currency code: 'eu'`` (the stripped text as given).
    - ``paid``: `as_flag`; missing means False.
    - ``note``: `as_text`; missing means None.
    """
    raise NotImplementedError
