"""Turn the raw records of the legacy billing feed into typed charges.

The feed's producers disagree on types: a field may arrive as bytes (from the socket), text
(from CSV), an int or a float (from JSON), or None. Each `as_*` function reads one field by
one clear rule and raises `CoercionError`, naming the field, for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# ASCII digits only: `int()` would also take "1_000", " ٣ " and other surprises.
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
AMOUNT = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?")
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})


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
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def as_text(value: object, field: str) -> str | None:
    """Return ``value`` as stripped text, or None when it is missing.

    None stays None; bytes are decoded as UTF-8; text that is empty once stripped is
    missing too. Any other type is refused.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise CoercionError(field, "not valid UTF-8") from None
    if not isinstance(value, str):
        raise CoercionError(field, f"unsupported type {type(value).__name__}")
    return value.strip() or None


def _required_text(value: object, field: str) -> str:
    text = as_text(value, field)
    if text is None:
        raise CoercionError(field, "missing")
    return text


def _is_missing(value: object, field: str) -> bool:
    return value is None or (isinstance(value, (str, bytes)) and as_text(value, field) is None)


def as_int(value: object, field: str) -> int:
    """Return ``value`` as an int: an int, a whole float, or text of ASCII digits."""
    if isinstance(value, bool):
        raise CoercionError(field, "unsupported type bool")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CoercionError(field, f"not a whole number: {value!r}")
    text = _required_text(value, field)
    if WHOLE_NUMBER.fullmatch(text) is None:
        raise CoercionError(field, f"not a whole number: {text!r}")
    return int(text)


def _cents(text: str) -> int | None:
    """The cents that ``text`` writes (``"-12.5"`` is -1250), or None if it is no amount."""
    match = AMOUNT.fullmatch(text)
    if match is None:
        return None
    sign, units, fraction = match.groups()
    cents = int(units) * 100 + int((fraction or "").ljust(2, "0"))
    return -cents if sign == "-" else cents


def as_cents(value: object, field: str) -> int:
    """Return the amount ``value`` states, in whole cents, never through float arithmetic.

    An int is whole units; a float counts as the decimal its ``repr`` shows; text is
    digits with at most two decimal places.
    """
    if isinstance(value, bool):
        raise CoercionError(field, "unsupported type bool")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float):
        cents = _cents(repr(value))
        if cents is None:
            raise CoercionError(field, f"not an amount: {value!r}")
        return cents
    text = _required_text(value, field)
    cents = _cents(text)
    if cents is None:
        raise CoercionError(field, f"not an amount: {text!r}")
    return cents


def as_flag(value: object, field: str) -> bool:
    """Return ``value`` as a bool: a bool, the int 0 or 1, or a yes/no word."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value in (0, 1):
            return value == 1
        raise CoercionError(field, f"not a flag: {value!r}")
    text = _required_text(value, field)
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CoercionError(field, f"not a flag: {text!r}")


def coerce_charge(raw: Mapping[str, object]) -> Charge:
    """Read one raw record of the feed into a `Charge`, field by field in the order of
    `Charge`; the first field that breaks its rules raises `CoercionError`."""
    customer_id = as_int(raw.get("customer_id"), "customer_id")
    amount_cents = as_cents(raw.get("amount"), "amount")
    text = _required_text(raw.get("currency"), "currency")
    currency = text.upper()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise CoercionError("currency", f"not a currency code: {text!r}")
    raw_paid = raw.get("paid")
    paid = False if _is_missing(raw_paid, "paid") else as_flag(raw_paid, "paid")
    note = as_text(raw.get("note"), "note")
    return Charge(customer_id, amount_cents, currency, paid, note)
