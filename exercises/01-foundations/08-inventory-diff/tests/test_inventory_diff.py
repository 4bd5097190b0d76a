"""Tests for inventory_diff.py: duplicates, location totals and the diff of two snapshots, with
their order spelled out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pygrade_graders.compare import assert_same

from inventory_diff import (
    Change,
    InventoryDiff,
    Record,
    diff_inventories,
    find_duplicates,
    totals_by_location,
)

MONDAY: list[Record] = [
    ("SKU-100", "A1", 40),
    ("SKU-100", "B2", 10),
    ("SKU-200", "A1", 5),
    ("SKU-300", "C3", 12),
    ("SKU-400", "B2", 7),
    ("SKU-500", "A1", 3),
]
TUESDAY: list[Record] = [
    ("SKU-100", "A1", 30),  # 50 -> 45
    ("SKU-100", "B2", 15),
    ("SKU-200", "C3", 5),  # moved from A1 to C3
    ("SKU-300", "C3", 12),  # unchanged
    ("SKU-600", "B2", 9),  # new
    ("SKU-500", "A1", 3),  # unchanged
    # SKU-400 sold out and its record dropped
]


def diff(
    *,
    added: list[str] | None = None,
    removed: list[str] | None = None,
    changed: list[Change] | None = None,
    moved: list[str] | None = None,
    location_deltas: dict[str, int] | None = None,
) -> InventoryDiff:
    return InventoryDiff(added or [], removed or [], changed or [], moved or [], location_deltas or {})


def once(records: list[Record]) -> Iterator[Record]:
    """The records as a generator, which can be read only once."""
    yield from records


# --- find_duplicates ------------------------------------------------------------


def test_no_duplicates() -> None:
    assert_same(find_duplicates(MONDAY), [])
    assert_same(find_duplicates([]), [])


@pytest.mark.weight(2)
def test_duplicates_are_listed_once_in_the_order_of_their_first_record() -> None:
    records: list[Record] = [
        ("b", "X", 1),
        ("a", "Y", 1),
        ("a", "X", 1),
        ("a", "Y", 2),
        ("b", "X", 3),
        ("b", "X", 4),
        ("c", "Z", 1),
    ]

    assert_same(find_duplicates(records), [("b", "X"), ("a", "Y")])


def test_the_same_sku_in_two_locations_is_no_duplicate() -> None:
    assert_same(find_duplicates([("a", "X", 1), ("a", "Y", 1), ("b", "X", 1)]), [])


def test_duplicates_are_found_in_a_generator() -> None:
    assert_same(find_duplicates(once([("z", "Q", 1), ("z", "Q", 1)])), [("z", "Q")])


# --- totals_by_location ---------------------------------------------------------


@pytest.mark.weight(2)
def test_location_totals_in_the_order_the_locations_first_appear() -> None:
    totals = totals_by_location(TUESDAY)

    assert_same(totals, {"A1": 33, "B2": 24, "C3": 17})
    assert_same(list(totals), ["A1", "B2", "C3"])
    unsorted: list[Record] = [("a", "Q7", 1), ("b", "C2", 2), ("c", "Q7", 3), ("d", "A5", 1)]
    assert_same(list(totals_by_location(unsorted)), ["Q7", "C2", "A5"])


def test_a_location_with_only_empty_records_has_a_total_of_zero() -> None:
    assert_same(totals_by_location([("a", "Z9", 0), ("b", "A1", 2)]), {"Z9": 0, "A1": 2})


def test_location_totals_of_a_generator_and_of_nothing() -> None:
    assert_same(totals_by_location(once(MONDAY)), {"A1": 48, "B2": 17, "C3": 12})
    assert_same(totals_by_location([]), {})


# --- diff_inventories -----------------------------------------------------------


@pytest.mark.weight(3)
def test_monday_to_tuesday() -> None:
    assert_same(
        diff_inventories(MONDAY, TUESDAY),
        diff(
            added=["SKU-600"],
            removed=["SKU-400"],
            changed=[Change("SKU-100", 50, 45)],
            moved=["SKU-200"],
            location_deltas={"A1": -15, "B2": 7, "C3": 5},
        ),
    )


def test_the_same_snapshot_in_another_order_is_no_change() -> None:
    assert_same(diff_inventories(MONDAY, list(reversed(MONDAY))), diff())
    assert_same(diff_inventories([], []), diff())


@pytest.mark.weight(2)
def test_the_lists_are_sorted_whatever_the_order_of_the_records() -> None:
    old: list[Record] = [("m", "X", 1), ("c", "X", 5), ("x", "X", 2), ("a", "X", 1), ("q", "X", 1)]
    new: list[Record] = [("z", "X", 1), ("x", "X", 3), ("b", "X", 1), ("c", "X", 4), ("k", "X", 1)]

    result = diff_inventories(old, new)

    assert_same(result.added, ["b", "k", "z"])
    assert_same(result.removed, ["a", "m", "q"])
    assert_same(result.changed, [Change("c", 5, 4), Change("x", 2, 3)])


def test_a_sku_is_compared_by_its_total_over_every_location() -> None:
    old: list[Record] = [("a", "X", 4), ("a", "Y", 6), ("b", "X", 1)]
    new: list[Record] = [("a", "Z", 10), ("b", "X", 1), ("b", "Y", 2)]

    result = diff_inventories(old, new)

    assert_same(result.changed, [Change("b", 1, 3)])
    assert_same(result.moved, ["a"])


@pytest.mark.weight(2)
def test_moves_are_sorted_and_only_those_with_the_same_total() -> None:
    old: list[Record] = [("t", "X", 2), ("s", "X", 1), ("s", "Y", 1), ("r", "X", 5), ("u", "X", 3)]
    new: list[Record] = [("t", "Y", 2), ("s", "X", 2), ("r", "X", 5), ("u", "Y", 4)]

    result = diff_inventories(old, new)

    assert_same(result.moved, ["s", "t"])
    assert_same(result.changed, [Change("u", 3, 4)])


def test_an_empty_record_is_no_stock_so_dropping_it_is_no_move() -> None:
    old: list[Record] = [("a", "X", 5), ("a", "Y", 0), ("b", "X", 2)]
    new: list[Record] = [("a", "X", 5), ("b", "X", 2), ("b", "Z", 0)]

    assert_same(diff_inventories(old, new), diff())


def test_a_sku_whose_only_records_are_empty_is_still_in_the_snapshot() -> None:
    old: list[Record] = [("a", "X", 0), ("b", "X", 1)]
    new: list[Record] = [("b", "X", 1), ("c", "Y", 0)]

    assert_same(diff_inventories(old, new), diff(added=["c"], removed=["a"]))


def test_a_sku_that_sells_out_is_changed_not_removed() -> None:
    old: list[Record] = [("a", "X", 3)]
    new: list[Record] = [("a", "X", 0)]

    assert_same(diff_inventories(old, new), diff(changed=[Change("a", 3, 0)], location_deltas={"X": -3}))


@pytest.mark.weight(2)
def test_location_deltas_are_sorted_and_leave_out_the_unchanged() -> None:
    old: list[Record] = [("a", "Z1", 4), ("b", "B7", 2), ("c", "M3", 1), ("d", "A0", 9)]
    new: list[Record] = [("a", "Z1", 1), ("b", "B7", 2), ("e", "K2", 3), ("d", "A0", 4), ("f", "A0", 5)]

    delta = diff_inventories(old, new).location_deltas

    assert_same(delta, {"K2": 3, "M3": -1, "Z1": -3})
    assert_same(list(delta), ["K2", "M3", "Z1"])


def test_snapshots_may_be_generators() -> None:
    assert_same(diff_inventories(once(MONDAY), once(TUESDAY)), diff_inventories(MONDAY, TUESDAY))


def test_the_snapshots_are_not_changed() -> None:
    old, new = list(MONDAY), list(TUESDAY)

    diff_inventories(old, new)

    assert_same(old, MONDAY)
    assert_same(new, TUESDAY)


@pytest.mark.parametrize("side", ["old", "new"])
def test_duplicate_records_are_an_error(side: str) -> None:
    bad = [*MONDAY, ("SKU-300", "C3", 1)]
    with pytest.raises(ValueError):
        if side == "old":
            diff_inventories(bad, MONDAY)
        else:
            diff_inventories(MONDAY, bad)


@pytest.mark.parametrize("side", ["old", "new"])
def test_a_negative_quantity_is_an_error(side: str) -> None:
    bad: list[Record] = [("a", "X", 2), ("b", "X", -1)]
    good: list[Record] = [("a", "X", 2), ("b", "X", 1)]
    with pytest.raises(ValueError):
        if side == "old":
            diff_inventories(bad, good)
        else:
            diff_inventories(good, bad)
