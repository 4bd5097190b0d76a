"""Tests for orders.py."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

import pytest
from pygrade_graders.compare import assert_same

from orders import Order, OrderLine

TEA = OrderLine("TEA-01", 2, 450)
MUG = OrderLine("MUG-07", 1, 1200)
BAG = OrderLine("BAG-03", 3, 0)


def skus(order: Order) -> list[str]:
    return [line.sku for line in order.lines]


# --- OrderLine ----------------------------------------------------------------------


def test_an_order_line_is_a_dataclass_with_its_fields_in_order() -> None:
    assert dataclasses.is_dataclass(OrderLine)
    assert_same([f.name for f in dataclasses.fields(OrderLine)], ["sku", "quantity", "unit_price_cents"])
    assert_same((TEA.sku, TEA.quantity, TEA.unit_price_cents), ("TEA-01", 2, 450))


def test_an_order_line_has_the_generated_repr() -> None:
    assert_same(repr(TEA), "OrderLine(sku='TEA-01', quantity=2, unit_price_cents=450)")


def test_a_line_total_is_quantity_times_unit_price() -> None:
    assert_same(TEA.total_cents, 900)
    assert_same(OrderLine("X", 7, 3).total_cents, 21)
    assert_same(BAG.total_cents, 0)


@pytest.mark.weight(2)
def test_an_order_line_is_frozen() -> None:
    line = OrderLine("TEA-01", 2, 450)

    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(line, "quantity", 5)  # `line.quantity = 5`, which mypy rightly refuses
    assert_same(line.quantity, 2)


def test_an_order_line_has_slots_and_no_instance_dict() -> None:
    line = OrderLine("TEA-01", 2, 450)

    assert_same(OrderLine.__slots__, ("sku", "quantity", "unit_price_cents"))
    assert not hasattr(line, "__dict__"), "slots=True: no per-instance __dict__"


@pytest.mark.weight(2)
def test_equal_lines_are_equal_and_hash_alike() -> None:
    again = OrderLine("TEA-01", 2, 450)

    assert TEA == again
    assert hash(TEA) == hash(again)
    assert_same(len({TEA, again, MUG}), 2)
    assert TEA != OrderLine("TEA-01", 3, 450)
    assert TEA != OrderLine("TEA-01", 2, 451)


@pytest.mark.weight(2)
def test_order_lines_sort_by_sku_then_quantity_then_price() -> None:
    a2 = OrderLine("A", 2, 100)
    a1 = OrderLine("A", 1, 900)
    a1_cheap = OrderLine("A", 1, 50)
    b = OrderLine("B", 1, 1)

    assert_same(sorted([b, a2, a1, a1_cheap]), [a1_cheap, a1, a2, b])
    assert a1 < b
    assert b > a2
    assert a1 <= OrderLine("A", 1, 900)


@pytest.mark.parametrize("sku", ["", "   "])
def test_a_line_needs_a_sku(sku: str) -> None:
    with pytest.raises(ValueError):
        OrderLine(sku, 1, 100)


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_line_needs_a_quantity_of_at_least_one(quantity: int) -> None:
    with pytest.raises(ValueError, match="TEA-01"):
        OrderLine("TEA-01", quantity, 450)


def test_a_line_may_be_free_but_not_negative() -> None:
    assert_same(OrderLine("GIFT", 1, 0).total_cents, 0)
    with pytest.raises(ValueError, match="GIFT"):
        OrderLine("GIFT", 1, -1)


@pytest.mark.parametrize(
    ("quantity", "price"),
    [(2.0, 450), (True, 450), ("2", 450), (2, 4.5), (2, "450"), (2, False)],
)
def test_quantities_and_prices_must_be_ints(quantity: object, price: object) -> None:
    with pytest.raises(TypeError):
        OrderLine("TEA-01", cast(Any, quantity), cast(Any, price))


@pytest.mark.weight(2)
def test_replace_makes_a_changed_copy_and_checks_it_again() -> None:
    more = dataclasses.replace(TEA, quantity=5)

    assert_same(more.quantity, 5)
    assert_same(TEA.quantity, 2)
    with pytest.raises(ValueError):
        dataclasses.replace(TEA, quantity=0)


# --- Order --------------------------------------------------------------------------


def test_an_order_is_a_dataclass_with_its_fields_in_order() -> None:
    assert dataclasses.is_dataclass(Order)
    assert_same([f.name for f in dataclasses.fields(Order)], ["order_id", "customer_id", "lines", "tags"])


@pytest.mark.weight(2)
def test_an_order_has_no_lines_and_no_tags_by_default() -> None:
    order = Order("o-1", "c-9")

    assert_same(order.lines, ())
    assert_same(order.tags, frozenset())
    assert_same(order.total_cents, 0)


@pytest.mark.weight(2)
def test_an_order_is_frozen_and_slotted() -> None:
    order = Order("o-1", "c-9", (TEA,))

    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(order, "lines", ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(order, "order_id", "o-2")
    assert not hasattr(order, "__dict__"), "slots=True: no per-instance __dict__"
    assert_same(order.lines, (TEA,))


@pytest.mark.parametrize(("order_id", "customer_id"), [("", "c-9"), ("  ", "c-9"), ("o-1", ""), ("o-1", " ")])
def test_an_order_needs_an_id_and_a_customer(order_id: str, customer_id: str) -> None:
    with pytest.raises(ValueError):
        Order(order_id, customer_id)


@pytest.mark.weight(2)
def test_lines_are_kept_as_a_tuple_sorted_by_sku() -> None:
    order = Order("o-1", "c-9", (TEA, MUG, BAG))

    assert_same(order.lines, (BAG, MUG, TEA))


def test_lines_given_as_a_list_are_kept_as_a_tuple() -> None:
    order = Order("o-1", "c-9", cast(Any, [TEA, BAG]))

    assert_same(order.lines, (BAG, TEA))


def test_tags_given_as_a_list_or_set_are_kept_as_a_frozenset() -> None:
    assert_same(Order("o-1", "c-9", tags=cast(Any, ["gift", "vip", "gift"])).tags, frozenset({"gift", "vip"}))
    assert_same(Order("o-1", "c-9", tags=cast(Any, {"rush"})).tags, frozenset({"rush"}))


def test_a_single_string_is_not_a_collection_of_tags() -> None:
    with pytest.raises(TypeError):
        Order("o-1", "c-9", tags=cast(Any, "vip"))


@pytest.mark.weight(2)
def test_two_lines_for_one_sku_are_refused() -> None:
    with pytest.raises(ValueError, match="TEA-01"):
        Order("o-1", "c-9", (TEA, MUG, OrderLine("TEA-01", 1, 450)))


def test_something_other_than_a_line_is_refused() -> None:
    with pytest.raises(TypeError):
        Order("o-1", "c-9", cast(Any, (TEA, ("MUG-07", 1, 1200))))


def test_an_order_total_is_the_sum_of_its_lines() -> None:
    assert_same(Order("o-1", "c-9", (TEA, MUG, BAG)).total_cents, 900 + 1200 + 0)


@pytest.mark.weight(2)
def test_orders_with_the_same_lines_in_any_order_are_equal_and_hash_alike() -> None:
    one = Order("o-1", "c-9", (TEA, MUG), frozenset({"vip", "gift"}))
    two = Order("o-1", "c-9", (MUG, TEA), frozenset({"gift", "vip"}))

    assert one == two
    assert hash(one) == hash(two)
    assert_same({one: "seen"}[two], "seen")
    assert one != Order("o-1", "c-9", (TEA,), frozenset({"vip", "gift"}))
    assert one != Order("o-1", "c-9", (TEA, MUG))
    assert one != Order("o-2", "c-9", (TEA, MUG), frozenset({"vip", "gift"}))


# --- changes make copies ------------------------------------------------------------


@pytest.mark.weight(2)
def test_with_line_adds_a_line_to_a_copy() -> None:
    order = Order("o-1", "c-9", (TEA,), frozenset({"vip"}))

    bigger = order.with_line(MUG)

    assert_same(skus(bigger), ["MUG-07", "TEA-01"])
    assert_same(bigger.total_cents, 2100)
    assert_same((bigger.order_id, bigger.customer_id, bigger.tags), ("o-1", "c-9", frozenset({"vip"})))
    assert_same(order.lines, (TEA,), "the original order must not change")


@pytest.mark.weight(2)
def test_with_line_merges_a_line_of_the_same_sku() -> None:
    order = Order("o-1", "c-9", (TEA, MUG))

    merged = order.with_line(OrderLine("TEA-01", 3, 450))

    assert_same(merged.lines, (MUG, OrderLine("TEA-01", 5, 450)))
    assert_same(order.lines, (MUG, TEA))


def test_with_line_refuses_a_second_price_for_a_sku() -> None:
    order = Order("o-1", "c-9", (TEA,))

    with pytest.raises(ValueError, match="TEA-01"):
        order.with_line(OrderLine("TEA-01", 1, 400))
    assert_same(order.lines, (TEA,))


@pytest.mark.weight(2)
def test_with_quantity_changes_one_line_of_a_copy() -> None:
    order = Order("o-1", "c-9", (TEA, MUG, BAG), frozenset({"rush"}))

    changed = order.with_quantity("MUG-07", 4)

    assert_same(changed.lines, (BAG, OrderLine("MUG-07", 4, 1200), TEA))
    assert_same(changed.tags, frozenset({"rush"}))
    assert_same(order.lines, (BAG, MUG, TEA))


def test_with_quantity_zero_removes_the_line() -> None:
    order = Order("o-1", "c-9", (TEA, MUG))

    assert_same(order.with_quantity("TEA-01", 0).lines, (MUG,))
    assert_same(order.with_quantity("TEA-01", 0).with_quantity("MUG-07", 0).lines, ())
    assert_same(order.lines, (MUG, TEA))


def test_with_quantity_refuses_a_negative_quantity() -> None:
    with pytest.raises(ValueError):
        Order("o-1", "c-9", (TEA,)).with_quantity("TEA-01", -2)


def test_with_quantity_of_a_sku_not_in_the_order_is_a_key_error() -> None:
    order = Order("o-1", "c-9", (TEA,))

    with pytest.raises(KeyError):
        order.with_quantity("MUG-07", 1)
    with pytest.raises(KeyError):
        order.with_quantity("MUG-07", 0)


@pytest.mark.weight(2)
def test_tagged_adds_tags_to_a_copy() -> None:
    order = Order("o-1", "c-9", (TEA,), frozenset({"vip"}))

    tagged = order.tagged("gift", "rush", "vip")

    assert_same(tagged.tags, frozenset({"vip", "gift", "rush"}))
    assert_same(tagged.lines, (TEA,))
    assert_same(order.tags, frozenset({"vip"}))
    assert_same(order.tagged().tags, frozenset({"vip"}))


def test_changed_copies_are_orders_that_still_hash() -> None:
    order = Order("o-1", "c-9").with_line(TEA).with_line(MUG).tagged("gift")

    assert type(order) is Order
    assert_same(order, Order("o-1", "c-9", (MUG, TEA), frozenset({"gift"})))
    assert_same(len({order, Order("o-1", "c-9", (TEA, MUG), frozenset({"gift"}))}), 1)
