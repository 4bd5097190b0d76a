"""Tests for the cleaned-up invoice module.

They pin down what `calc` did, through the typed API, and the new volume discount.
Amounts are cents.
"""

from __future__ import annotations

import pytest
from pygrade_graders.compare import assert_same

from invoice import (
    Category,
    Line,
    Shipping,
    Totals,
    invoice_totals,
    line_discount,
    shipping_cost,
    vat_rate,
)

STANDARD = Category.STANDARD
REDUCED = Category.REDUCED

# --- vat_rate -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "category", "rate"),
    [
        ("NL", STANDARD, 21),
        ("NL", REDUCED, 9),
        ("DE", STANDARD, 19),
        ("DE", REDUCED, 7),
        ("BE", STANDARD, 21),
        ("BE", REDUCED, 6),
    ],
)
def test_vat_rate_of_each_eu_country(country: str, category: Category, rate: int) -> None:
    assert_same(vat_rate(country, category), rate)


@pytest.mark.parametrize(
    ("country", "category", "rate"),
    [("nl", STANDARD, 21), ("de", REDUCED, 7), ("Be", REDUCED, 6)],
)
def test_vat_rate_reads_country_codes_in_any_case(
    country: str, category: Category, rate: int
) -> None:
    assert_same(vat_rate(country, category), rate, "calc upper-cased the country code")


@pytest.mark.parametrize("country", ["US", "CH", "GB", "FR", ""])
@pytest.mark.parametrize("category", [STANDARD, REDUCED])
def test_vat_rate_outside_the_listed_countries_is_zero(country: str, category: Category) -> None:
    assert_same(vat_rate(country, category), 0, "a country not listed is an export")


# --- line_discount ------------------------------------------------------------


@pytest.mark.parametrize("quantity", [1, 2, 9])
def test_no_discount_below_ten_units(quantity: int) -> None:
    assert_same(line_discount(Line("PEN-3", quantity, 2500, STANDARD)), 0)


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("quantity", "unit_price", "discount"),
    [
        (10, 250, 125),  # 5% of 2500
        (12, 450, 270),  # 5% of 5400
        (10, 1999, 1000),  # 999.5 rounds half up
        (10, 17, 9),  # 8.5 rounds half up
        (11, 12, 7),  # 6.6 rounds up
        (14, 3, 2),  # 2.1 rounds down
        (10, 0, 0),
    ],
)
def test_five_percent_off_a_line_of_ten_units_or_more(
    quantity: int, unit_price: int, discount: int
) -> None:
    line = Line("PEN-3", quantity, unit_price, REDUCED)
    assert_same(line_discount(line), discount)


# --- shipping_cost ------------------------------------------------------------


@pytest.mark.parametrize(
    ("goods", "cost"),
    [(0, 495), (1, 495), (4999, 495), (5000, 0), (5001, 0), (250_000, 0)],
)
def test_standard_shipping_is_free_from_fifty_euros(goods: int, cost: int) -> None:
    assert_same(shipping_cost(goods, Shipping.STANDARD), cost)


@pytest.mark.parametrize("goods", [0, 4999, 5000, 250_000])
def test_express_shipping_always_costs_the_same(goods: int) -> None:
    assert_same(shipping_cost(goods, Shipping.EXPRESS), 1295)


# --- invoice_totals -----------------------------------------------------------

MUG = Line("MUG-01", 2, 1000, STANDARD)
BOOK = Line("BOOK-7", 1, 1999, REDUCED)


@pytest.mark.weight(2)
def test_totals_of_a_small_order() -> None:
    # VAT: 21% of 2000 = 420, 9% of 1999 = 179.91 -> 180
    assert_same(
        invoice_totals([MUG, BOOK], "NL"),
        Totals(subtotal=3999, discount=0, vat=600, shipping=495, total=5094),
    )


def test_shipping_is_standard_by_default() -> None:
    assert_same(
        invoice_totals([MUG, BOOK], "NL"), invoice_totals([MUG, BOOK], "NL", Shipping.STANDARD)
    )


def test_express_shipping_is_added_to_the_total() -> None:
    assert_same(
        invoice_totals((MUG, BOOK), "NL", Shipping.EXPRESS),
        Totals(subtotal=3999, discount=0, vat=600, shipping=1295, total=5894),
    )


@pytest.mark.weight(2)
def test_vat_is_charged_on_the_discounted_amount() -> None:
    # 2500 - 125 discount = 2375; 19% of 2375 = 451.25 -> 451
    assert_same(
        invoice_totals([Line("PEN-3", 10, 250, STANDARD)], "DE"),
        Totals(subtotal=2500, discount=125, vat=451, shipping=495, total=3321),
    )


@pytest.mark.weight(2)
def test_free_shipping_counts_the_goods_after_discount() -> None:
    # 5200 - 260 = 4940 is under 5000; 21% of 4940 = 1037.4 -> 1037
    assert_same(
        invoice_totals([Line("CHAIR", 10, 520, STANDARD)], "NL"),
        Totals(subtotal=5200, discount=260, vat=1037, shipping=495, total=6472),
    )


def test_goods_of_exactly_fifty_euros_ship_free() -> None:
    assert_same(
        invoice_totals([Line("LAMP", 1, 5000, STANDARD)], "BE"),
        Totals(subtotal=5000, discount=0, vat=1050, shipping=0, total=6050),
    )


@pytest.mark.weight(2)
def test_a_mixed_order_with_one_discounted_line() -> None:
    # TEA: 5400 - 270 = 5130, 6% = 307.8 -> 308; POT: 21% of 2995 = 628.95 -> 629
    tea = Line("TEA", 12, 450, REDUCED)
    pot = Line("POT", 1, 2995, STANDARD)
    assert_same(
        invoice_totals([tea, pot], "BE"),
        Totals(subtotal=8395, discount=270, vat=937, shipping=0, total=9062),
    )


def test_vat_is_rounded_line_by_line() -> None:
    # each line: 9% of 250 = 22.5 -> 23; rounding the sum instead would give 45
    lines = [Line("A", 1, 250, REDUCED), Line("B", 1, 250, REDUCED)]
    assert_same(
        invoice_totals(lines, "NL"),
        Totals(subtotal=500, discount=0, vat=46, shipping=495, total=1041),
    )


def test_vat_rounds_to_the_nearest_cent() -> None:
    # 21% of 69 = 14.49 -> 14; 21% of 131 = 27.51 -> 28
    lines = [Line("C", 1, 69, STANDARD), Line("D", 1, 131, STANDARD)]
    assert_same(
        invoice_totals(lines, "NL"),
        Totals(subtotal=200, discount=0, vat=42, shipping=495, total=737),
    )


def test_exports_pay_no_vat() -> None:
    assert_same(
        invoice_totals([MUG, BOOK], "US"),
        Totals(subtotal=3999, discount=0, vat=0, shipping=495, total=4494),
    )


def test_the_country_code_may_be_lower_case() -> None:
    assert_same(invoice_totals([MUG, BOOK], "de"), invoice_totals([MUG, BOOK], "DE"))
    assert_same(invoice_totals([MUG], "de").vat, 380)


def test_a_free_line_is_allowed() -> None:
    sample = Line("SAMPLE", 1, 0, STANDARD)
    assert_same(
        invoice_totals([MUG, sample], "NL"),
        Totals(subtotal=2000, discount=0, vat=420, shipping=495, total=2915),
    )


# --- errors -------------------------------------------------------------------


def test_an_empty_invoice_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        invoice_totals([], "NL")
    assert_same(str(caught.value), "an invoice needs at least one line")


@pytest.mark.weight(2)
@pytest.mark.parametrize("quantity", [0, -3])
def test_a_line_without_units_is_refused(quantity: int) -> None:
    with pytest.raises(ValueError) as caught:
        invoice_totals([MUG, Line("BOOK-7", quantity, 1999, REDUCED)], "NL")
    assert_same(str(caught.value), f"line 'BOOK-7': quantity must be at least 1, got {quantity}")


@pytest.mark.weight(2)
def test_a_negative_price_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        invoice_totals([Line("REFUND", 1, -500, STANDARD), MUG], "NL")
    assert_same(str(caught.value), "line 'REFUND': unit price must not be negative, got -500")
