"""Tests for the inventory reconciliation module."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from inventory import (
    Discrepancy,
    Movement,
    StockTakeError,
    assign_bins,
    by_reason,
    expected_stock,
    first_shortfall,
    read_counts,
    reconcile,
    running_levels,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stocktake.csv"
    path.write_text(text, encoding="utf-8")
    return path


def feed(values: list[int]) -> Iterator[int]:
    """The values, then a failure if anyone reads further: proves a function is lazy."""
    yield from values
    raise AssertionError(f"read past the {len(values)} deltas that were needed")


# --- read_counts --------------------------------------------------------------


@pytest.mark.weight(2)
def test_read_counts_adds_up_a_sku_counted_in_several_aisles(tmp_path: Path) -> None:
    path = write(tmp_path, "sku,quantity\nA-1,4\nB-2,0\nA-1,3\nC-3,12\n")

    counts = read_counts(path)

    assert_same(type(counts), Counter, "return a collections.Counter")
    assert_same(dict(counts), {"A-1": 7, "B-2": 0, "C-3": 12})


def test_read_counts_takes_the_columns_by_name(tmp_path: Path) -> None:
    path = write(tmp_path, "aisle,quantity,sku\n3, 5 , A-1 \n4,2,B-2\n")

    assert_same(dict(read_counts(path)), {"A-1": 5, "B-2": 2})


def test_read_counts_of_a_header_alone_is_empty(tmp_path: Path) -> None:
    assert_same(dict(read_counts(write(tmp_path, "sku,quantity\n"))), {})


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sku,qty\nA-1,4\n", "line 1: missing column 'quantity'"),
        ("SKU,quantity\nA-1,4\n", "line 1: missing column 'sku'"),
        ("", "line 1: missing column 'sku'"),
        ("sku,quantity\nA-1,4\n ,3\n", "line 3: missing SKU"),
        ("sku,quantity\nA-1,three\n", "line 2: quantity 'three' is not a whole number"),
        ("sku,quantity\nA-1,4\nB-2,2.5\n", "line 3: quantity '2.5' is not a whole number"),
        ("sku,quantity\nA-1,\u00b2\n", "line 2: quantity '\u00b2' is not a whole number"),
        ("sku,quantity\nA-1\n", "line 2: quantity '' is not a whole number"),
        ("sku,quantity\nA-1,4\nB-2,-2\n", "line 3: quantity -2 is negative"),
        ("sku,quantity\nA-1,4\n\n\nB-2,x\n", "line 5: quantity 'x' is not a whole number"),
    ],
    ids=[
        "no-quantity-column",
        "no-sku-column",
        "empty-file",
        "blank-sku",
        "word",
        "fraction",
        "superscript-digit",
        "short-row",
        "negative",
        "after-blank-lines",
    ],
)
def test_read_counts_names_the_line_at_fault(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(StockTakeError) as caught:
        read_counts(write(tmp_path, text))
    assert_same(str(caught.value), message)
    assert_same(caught.value.line_number, int(message.split()[1].rstrip(":")))


# --- expected_stock -----------------------------------------------------------


@pytest.mark.weight(2)
def test_expected_stock_applies_every_movement() -> None:
    opening = {"A-1": 10, "B-2": 3, "C-3": 0}
    movements = [
        Movement("A-1", -4, "sale"),
        Movement("B-2", -3, "sale"),
        Movement("D-4", 6, "receipt"),
        Movement("A-1", 1, "return"),
        Movement("C-3", -2, "sale"),
    ]

    stock = expected_stock(opening, iter(movements))

    assert_same(type(stock), Counter, "return a collections.Counter")
    assert_same(
        dict(stock),
        {"A-1": 7, "B-2": 0, "C-3": -2, "D-4": 6},
        "sold-out and oversold SKUs stay in the result",
    )
    assert_same(opening, {"A-1": 10, "B-2": 3, "C-3": 0}, "the opening stock is not changed")


def test_expected_stock_without_movements_is_the_opening_stock() -> None:
    assert_same(dict(expected_stock({"A-1": 2, "B-2": 0}, [])), {"A-1": 2, "B-2": 0})


# --- reconcile ----------------------------------------------------------------


@pytest.mark.weight(2)
def test_reconcile_lists_the_skus_that_differ_sorted() -> None:
    expected = {"B-2": 5, "A-1": 7, "C-3": 2, "E-5": 0, "K-1": 4, "H-8": 2, "G-7": 1, "J-0": 9}
    counted = {"A-1": 7, "C-3": 1, "B-2": 6, "D-4": 3, "F-6": 0, "J-0": 8, "I-9": 1, "H-8": 5}

    assert_same(
        reconcile(expected, counted),
        [
            Discrepancy("B-2", expected=5, counted=6),
            Discrepancy("C-3", expected=2, counted=1),
            Discrepancy("D-4", expected=0, counted=3),
            Discrepancy("G-7", expected=1, counted=0),
            Discrepancy("H-8", expected=2, counted=5),
            Discrepancy("I-9", expected=0, counted=1),
            Discrepancy("J-0", expected=9, counted=8),
            Discrepancy("K-1", expected=4, counted=0),
        ],
    )


def test_reconcile_counts_a_sku_missing_from_the_count_as_zero() -> None:
    assert_same(reconcile({"A-1": 4}, {}), [Discrepancy("A-1", expected=4, counted=0)])


def test_reconcile_of_matching_stock_is_empty() -> None:
    assert_same(reconcile({"A-1": 4, "B-2": 1}, {"B-2": 1, "A-1": 4}), [])


@pytest.mark.parametrize(("expected", "counted", "difference"), [(5, 3, -2), (2, 6, 4), (0, 0, 0)])
def test_a_discrepancy_is_counted_minus_expected(
    expected: int, counted: int, difference: int
) -> None:
    assert_same(Discrepancy("A-1", expected, counted).difference, difference)


# --- by_reason ----------------------------------------------------------------


@pytest.mark.weight(2)
def test_by_reason_groups_in_order_of_first_appearance() -> None:
    sale_a = Movement("A-1", -4, "sale")
    receipt = Movement("D-4", 6, "receipt")
    sale_b = Movement("B-2", -3, "sale")
    damage = Movement("A-1", -1, "damage")
    sale_c = Movement("A-1", -2, "sale")

    groups = by_reason(m for m in [sale_a, receipt, sale_b, damage, sale_c])

    assert_same(
        groups, {"sale": [sale_a, sale_b, sale_c], "receipt": [receipt], "damage": [damage]}
    )
    assert_same(list(groups), ["sale", "receipt", "damage"])


def test_by_reason_returns_a_plain_dict() -> None:
    groups = by_reason([Movement("A-1", 1, "receipt")])

    with pytest.raises(KeyError):
        groups["sale"]
    assert_same(list(groups), ["receipt"], "a lookup must not add a reason")


def test_by_reason_of_nothing_is_empty() -> None:
    assert_same(by_reason([]), {})


# --- running_levels and first_shortfall ---------------------------------------


def test_running_levels_starts_at_the_opening_level() -> None:
    assert_same(list(running_levels(5, [2, -3, -4, 1])), [5, 7, 4, 0, 1])
    assert_same(list(running_levels(3, [])), [3])


@pytest.mark.weight(2)
def test_running_levels_is_lazy() -> None:
    levels = running_levels(5, feed([2, -3]))  # must not read anything yet

    assert_same(next(levels), 5)
    assert_same(next(levels), 7)
    assert_same(next(levels), 4)
    endless = running_levels(0, itertools.cycle([1, -2]))
    assert_same(list(itertools.islice(endless, 5)), [0, 1, -1, 0, -2])


@pytest.mark.parametrize(
    ("opening", "deltas", "index"),
    [
        (1, [3, -1, -4, 9], 2),
        (0, [-1], 0),
        (2, [-2, 1, -1], None),
        (5, [], None),
        (-3, [4, -2], 1),
        (-3, [5], None),
    ],
)
def test_first_shortfall(opening: int, deltas: list[int], index: int | None) -> None:
    assert_same(first_shortfall(opening, deltas), index)


@pytest.mark.weight(2)
def test_first_shortfall_stops_reading_at_the_shortfall() -> None:
    assert_same(first_shortfall(1, feed([3, -1, -4])), 2)
    assert_same(first_shortfall(10, itertools.cycle([3, -4])), 21)


# --- assign_bins ---------------------------------------------------------------


def test_assign_bins_pairs_skus_and_bins_in_order() -> None:
    bins = assign_bins(["B-2", "A-1", "C-3"], ("R1-04", "R1-02", "R7-11"))

    assert_same(bins, {"B-2": "R1-04", "A-1": "R1-02", "C-3": "R7-11"})
    assert_same(list(bins), ["B-2", "A-1", "C-3"])
    assert_same(assign_bins([], []), {})


@pytest.mark.parametrize(
    ("skus", "bins"), [(["A-1", "B-2"], ["R1"]), (["A-1"], ["R1", "R2"]), ([], ["R1"])]
)
def test_assign_bins_refuses_sequences_of_different_lengths(
    skus: list[str], bins: list[str]
) -> None:
    with pytest.raises(ValueError):
        assign_bins(skus, bins)


def test_assign_bins_refuses_a_sku_listed_twice() -> None:
    with pytest.raises(ValueError) as caught:
        assign_bins(["A-1", "B-2", "C-3", "B-2"], ["R1", "R2", "R3", "R4"])
    assert_same(str(caught.value), "SKU 'B-2' is listed twice")
