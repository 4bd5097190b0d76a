"""Tests for money.py."""

import dataclasses
import operator
from collections.abc import Callable

import pytest
from pygrade_graders.compare import assert_same

from money import Money


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def test_money_is_immutable_and_hashable() -> None:
    price = eur(1234)
    with pytest.raises(dataclasses.FrozenInstanceError):
        # Same as `price.amount_cents = 0`, which mypy would rightly reject.
        setattr(price, "amount_cents", 0)
    assert_same(
        {eur(1), eur(1), Money(1, "USD")},
        {eur(1), Money(1, "USD")},
        "equal amounts must have equal hashes",
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "", "E1R"])
def test_currency_must_be_three_upper_case_letters(currency: str) -> None:
    with pytest.raises(ValueError):
        Money(100, currency)


def test_adds_and_subtracts_within_one_currency() -> None:
    assert_same(eur(150) + eur(50), eur(200))
    assert_same(eur(150) - eur(200), eur(-50))


@pytest.mark.parametrize(
    "op",
    [operator.add, operator.sub, operator.lt, operator.ge],
    ids=["add", "sub", "lt", "ge"],
)
def test_mixing_currencies_raises_value_error(
    op: Callable[[Money, Money], object],
) -> None:
    with pytest.raises(ValueError):
        op(eur(100), Money(100, "USD"))


def test_multiplies_by_an_int_on_either_side() -> None:
    assert_same(eur(150) * 3, eur(450))
    assert_same(3 * eur(150), eur(450), "3 * money needs __rmul__")
    assert_same(eur(150) * 0, eur(0))


def test_orders_amounts_within_one_currency() -> None:
    amounts = [eur(500), eur(-20), eur(300)]
    assert_same(sorted(amounts), [eur(-20), eur(300), eur(500)])
    assert_same(eur(5) <= eur(5), True)
    assert_same(eur(7) > eur(5), True)
    assert_same(eur(5) >= eur(7), False)


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (1234, "EUR", "12.34 EUR"),
        (5, "EUR", "0.05 EUR"),
        (0, "EUR", "0.00 EUR"),
        (-5, "EUR", "-0.05 EUR"),
        (-1234, "EUR", "-12.34 EUR"),
        (100000, "USD", "1000.00 USD"),
    ],
)
def test_str_shows_two_decimals_and_currency(
    cents: int, currency: str, text: str
) -> None:
    assert_same(str(Money(cents, currency)), text)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "cents", "currency"),
    [
        ("12.34 EUR", 1234, "EUR"),
        ("0.29 EUR", 29, "EUR"),
        ("1.15 GBP", 115, "GBP"),
        ("7 USD", 700, "USD"),
        ("-0.05 EUR", -5, "EUR"),
        ("-12.34 EUR", -1234, "EUR"),
    ],
)
def test_parse_reads_exact_cents(text: str, cents: int, currency: str) -> None:
    assert_same(
        Money.parse(text), Money(cents, currency), "use integer arithmetic, not float"
    )


@pytest.mark.parametrize(
    "text",
    ["12.3 EUR", "12.345 EUR", "EUR 12.34", "12.34", "12.34 eur", "12,34 EUR", ""],
)
def test_parse_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        Money.parse(text)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("cents", "ratios", "expected"),
    [
        (100, [1, 1], [50, 50]),
        (100, [1, 1, 1], [34, 33, 33]),
        (5, [3, 7], [2, 3]),
        (5, [0, 1, 1], [0, 3, 2]),
        (1000, [70, 20, 10], [700, 200, 100]),
        (2, [1, 1, 1, 1], [1, 1, 0, 0]),
    ],
)
def test_allocate_splits_without_losing_cents(
    cents: int, ratios: list[int], expected: list[int]
) -> None:
    parts = eur(cents).allocate(ratios)
    assert_same(parts, [eur(part) for part in expected])


def test_allocate_keeps_negative_totals() -> None:
    parts = eur(-100).allocate([1, 1, 1])
    assert_same(sum(part.amount_cents for part in parts), -100)
    assert_same([part.currency for part in parts], ["EUR", "EUR", "EUR"])


@pytest.mark.parametrize("ratios", [[], [0, 0], [-1, 2]])
def test_allocate_rejects_bad_ratios(ratios: list[int]) -> None:
    with pytest.raises(ValueError):
        eur(100).allocate(ratios)
