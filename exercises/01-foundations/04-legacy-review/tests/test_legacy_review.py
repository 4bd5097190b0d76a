"""Tests for coerce.py: the typed reading of the legacy billing feed."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pygrade_graders.compare import assert_same

from coerce import Charge, CoercionError, as_cents, as_flag, as_int, as_text, coerce_charge


@contextmanager
def raises(field: str, problem: str) -> Iterator[None]:
    """Expect a CoercionError for exactly this field and problem."""
    with pytest.raises(CoercionError) as caught:
        yield
    assert_same(caught.value.field, field, "the error's field")
    assert_same(caught.value.problem, problem, "the error's problem")
    assert_same(str(caught.value), f"{field}: {problem}", "the error's message")


# --- CoercionError ------------------------------------------------------------


def test_coercion_error_keeps_the_field_and_the_problem() -> None:
    err = CoercionError("amount", "not an amount: '12.345'")

    assert isinstance(err, ValueError), "a CoercionError is a ValueError, for callers that catch those"
    assert_same(err.field, "amount")
    assert_same(err.problem, "not an amount: '12.345'")
    assert_same(str(err), "amount: not an amount: '12.345'")


# --- as_text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada", "ada"),
        ("  ada lovelace \n", "ada lovelace"),
        (b"ada", "ada"),
        ("café".encode("utf-8"), "café"),
        (b"  \xc3\xa9t\xc3\xa9\t", "été"),
        ("0", "0"),
        (b"0", "0"),
    ],
)
def test_as_text_decodes_and_strips(value: object, expected: str) -> None:
    assert_same(as_text(value, "note"), expected)


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n", b"", b"  \n"])
def test_as_text_gives_none_for_a_missing_value(value: object) -> None:
    assert_same(as_text(value, "note"), None)


def test_as_text_refuses_bytes_that_are_not_utf8() -> None:
    with raises("note", "not valid UTF-8"):
        as_text("café".encode("latin-1"), "note")


@pytest.mark.parametrize(
    ("value", "name"), [(0, "int"), (1.5, "float"), (True, "bool"), (["a"], "list")]
)
def test_as_text_refuses_other_types(value: object, name: str) -> None:
    with raises("note", f"unsupported type {name}"):
        as_text(value, "note")


# --- as_int -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42, 42),
        (0, 0),
        (-3, -3),
        (3.0, 3),
        (-0.0, 0),
        ("42", 42),
        (" 007 ", 7),
        ("-15", -15),
        ("+15", 15),
        (b"1234", 1234),
        ("0", 0),
    ],
)
def test_as_int_reads_whole_numbers(value: object, expected: int) -> None:
    assert_same(as_int(value, "customer_id"), expected)


@pytest.mark.parametrize("value", [True, False])
def test_as_int_refuses_a_bool_though_bool_is_an_int(value: bool) -> None:
    with raises("customer_id", "unsupported type bool"):
        as_int(value, "customer_id")


@pytest.mark.parametrize(("value", "shown"), [(3.5, "3.5"), (-0.25, "-0.25"), (math.nan, "nan"), (math.inf, "inf")])
def test_as_int_refuses_a_float_that_is_not_whole(value: float, shown: str) -> None:
    with raises("customer_id", f"not a whole number: {shown}"):
        as_int(value, "customer_id")


@pytest.mark.parametrize(
    "text", ["1_000", "1e3", "4.0", "0x1f", "١٢", "12 34", "--1", "+", "seven"]
)
def test_as_int_accepts_only_ascii_digits_in_text(text: str) -> None:
    with raises("customer_id", f"not a whole number: {text!r}"):
        as_int(text, "customer_id")


@pytest.mark.parametrize("value", [None, "", "  ", b""])
def test_as_int_reports_a_missing_value(value: object) -> None:
    with raises("customer_id", "missing"):
        as_int(value, "customer_id")


def test_as_int_refuses_other_types_by_name() -> None:
    with raises("customer_id", "unsupported type list"):
        as_int([1], "customer_id")


# --- as_cents -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 1200),
        (0, 0),
        (-3, -300),
        (19.99, 1999),
        (0.1, 10),
        (2.5, 250),
        (100.0, 10000),
        (-0.07, -7),
        ("12", 1200),
        ("12.5", 1250),
        ("12.05", 1205),
        ("0.99", 99),
        ("-0.5", -50),
        ("+7.10", 710),
        ("  3.40\n", 340),
        (b"19.99", 1999),
        ("0", 0),
        ("007.01", 701),
    ],
)
def test_as_cents_reads_amounts_exactly(value: object, expected: int) -> None:
    assert_same(as_cents(value, "amount"), expected)


def test_as_cents_does_not_lose_a_cent_to_binary_floats() -> None:
    # int(19.99 * 100) is 1998: the float 19.99 is a little less than 19.99.
    assert_same(as_cents(19.99, "amount"), 1999)
    assert_same(as_cents(1.15, "amount"), 115)
    assert_same(as_cents(4.35, "amount"), 435)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.1 + 0.2, "0.30000000000000004"),
        (12.345, "12.345"),
        (math.nan, "nan"),
        (math.inf, "inf"),
        (-math.inf, "-inf"),
        (1e-05, "1e-05"),
    ],
)
def test_as_cents_refuses_a_float_with_more_than_two_places(value: float, shown: str) -> None:
    with raises("amount", f"not an amount: {shown}"):
        as_cents(value, "amount")


@pytest.mark.parametrize(
    "text", ["12.345", "12.", ".5", "1,50", "1e3", "1_000", "€12", "12.5.1", "-", "nan", "١٢"]
)
def test_as_cents_refuses_text_that_is_no_amount(text: str) -> None:
    with raises("amount", f"not an amount: {text!r}"):
        as_cents(text, "amount")


def test_as_cents_shows_the_decoded_stripped_text() -> None:
    with raises("amount", "not an amount: '12.345'"):
        as_cents(b" 12.345 ", "amount")


@pytest.mark.parametrize("value", [True, False])
def test_as_cents_refuses_a_bool(value: bool) -> None:
    with raises("amount", "unsupported type bool"):
        as_cents(value, "amount")


@pytest.mark.parametrize("value", [None, "", " \t", b" "])
def test_as_cents_reports_a_missing_value(value: object) -> None:
    with raises("amount", "missing"):
        as_cents(value, "amount")


# --- as_flag ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("TRUE", True),
        (" Yes ", True),
        ("y", True),
        ("1", True),
        (b"yes", True),
        ("false", False),
        ("No", False),
        ("N", False),
        ("0", False),
        (b"false", False),
    ],
)
def test_as_flag_reads_bools_bits_and_words(value: object, expected: bool) -> None:
    assert_same(as_flag(value, "paid"), expected)


@pytest.mark.parametrize(("value", "shown"), [(2, "2"), (-1, "-1")])
def test_as_flag_refuses_other_ints(value: int, shown: str) -> None:
    with raises("paid", f"not a flag: {shown}"):
        as_flag(value, "paid")


@pytest.mark.parametrize("text", ["maybe", "t", "on", "2", "yes please"])
def test_as_flag_refuses_other_words(text: str) -> None:
    with raises("paid", f"not a flag: {text!r}"):
        as_flag(text, "paid")


def test_as_flag_shows_the_word_as_given() -> None:
    with raises("paid", "not a flag: 'Maybe'"):
        as_flag(b" Maybe ", "paid")


def test_as_flag_refuses_a_float() -> None:
    with raises("paid", "unsupported type float"):
        as_flag(1.0, "paid")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_as_flag_reports_a_missing_value(value: object) -> None:
    with raises("paid", "missing"):
        as_flag(value, "paid")


# --- coerce_charge ------------------------------------------------------------


@pytest.mark.weight(2)
def test_coerce_charge_reads_a_record_from_the_socket() -> None:
    raw: dict[str, object] = {
        "customer_id": b"1042",
        "amount": b"19.99",
        "currency": b"eur",
        "paid": b"yes",
        "note": "caf\u00e9 order".encode("utf-8"),
    }

    assert_same(
        coerce_charge(raw),
        Charge(customer_id=1042, amount_cents=1999, currency="EUR", paid=True, note="café order"),
    )


@pytest.mark.weight(2)
def test_coerce_charge_reads_a_record_from_json() -> None:
    raw: dict[str, object] = {
        "customer_id": 7,
        "amount": 0.1,
        "currency": " usd ",
        "paid": False,
        "note": None,
        "legacy_flag": "ignored",
    }

    assert_same(
        coerce_charge(raw),
        Charge(customer_id=7, amount_cents=10, currency="USD", paid=False, note=None),
    )


def test_coerce_charge_defaults_paid_and_note_when_missing() -> None:
    for missing in ({}, {"paid": None, "note": None}, {"paid": "  ", "note": ""}, {"paid": b"", "note": b" "}):
        raw: dict[str, object] = {"customer_id": "3", "amount": "0", "currency": "GBP", **missing}
        assert_same(
            coerce_charge(raw),
            Charge(customer_id=3, amount_cents=0, currency="GBP", paid=False, note=None),
            f"with {missing}",
        )


def test_coerce_charge_keeps_zero_values() -> None:
    raw: dict[str, object] = {"customer_id": 0, "amount": 0, "currency": "EUR", "paid": 0, "note": "0"}

    assert_same(
        coerce_charge(raw),
        Charge(customer_id=0, amount_cents=0, currency="EUR", paid=False, note="0"),
    )


@pytest.mark.parametrize("currency", ["eu", "EURO", "E1R", "€UR", "ÉUR", "12"])
def test_coerce_charge_refuses_a_bad_currency_code(currency: str) -> None:
    raw: dict[str, object] = {"customer_id": 1, "amount": 1, "currency": f" {currency} "}
    with raises("currency", f"not a currency code: {currency!r}"):
        coerce_charge(raw)


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        ({}, "customer_id", "missing"),
        ({"customer_id": True, "amount": "x"}, "customer_id", "unsupported type bool"),
        ({"customer_id": 1}, "amount", "missing"),
        ({"customer_id": 1, "amount": "1.234", "currency": "x"}, "amount", "not an amount: '1.234'"),
        ({"customer_id": 1, "amount": 1}, "currency", "missing"),
        ({"customer_id": 1, "amount": 1, "currency": b"  "}, "currency", "missing"),
        ({"customer_id": 1, "amount": 1, "currency": 978}, "currency", "unsupported type int"),
        ({"customer_id": 1, "amount": 1, "currency": "EUR", "paid": "maybe", "note": 5}, "paid", "not a flag: 'maybe'"),
        ({"customer_id": 1, "amount": 1, "currency": "EUR", "paid": b"\xff"}, "paid", "not valid UTF-8"),
        ({"customer_id": 1, "amount": 1, "currency": "EUR", "note": 5}, "note", "unsupported type int"),
        ({"customer_id": 1, "amount": 1, "currency": "EUR", "note": b"\xe9t\xe9"}, "note", "not valid UTF-8"),
    ],
)
def test_coerce_charge_reports_the_first_bad_field(
    raw: dict[str, object], field: str, problem: str
) -> None:
    with raises(field, problem):
        coerce_charge(raw)
