"""Tests for the order workflow exercise."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from pygrade_graders.compare import assert_same

from order_workflow import (
    TRANSITIONS,
    InvalidTransition,
    LineItem,
    Order,
    OrderError,
    OrderState,
    Transition,
    amount_off,
    best_of,
    bulk_discount,
    standard,
)

S = OrderState
ACTIONS = ("place", "pay", "ship", "deliver", "cancel", "refund")

# The shortest way from the cart to each state.
PATHS: dict[OrderState, tuple[str, ...]] = {
    S.CART: (),
    S.PLACED: ("place",),
    S.PAID: ("place", "pay"),
    S.SHIPPED: ("place", "pay", "ship"),
    S.DELIVERED: ("place", "pay", "ship", "deliver"),
    S.CANCELLED: ("cancel",),
    S.REFUNDED: ("place", "pay", "refund"),
}

# What each state allows, in order, and where each action leads.
EXPECTED: dict[OrderState, dict[str, OrderState]] = {
    S.CART: {"place": S.PLACED, "cancel": S.CANCELLED},
    S.PLACED: {"pay": S.PAID, "cancel": S.CANCELLED},
    S.PAID: {"ship": S.SHIPPED, "refund": S.REFUNDED},
    S.SHIPPED: {"deliver": S.DELIVERED},
    S.DELIVERED: {"refund": S.REFUNDED},
    S.CANCELLED: {},
    S.REFUNDED: {},
}

MUG = LineItem("MUG", Decimal("8.50"), 2)
TEA = LineItem("TEA", Decimal("4.00"), 10)
PEN = LineItem("PEN", Decimal("1.25"), 4)


def order_in(state: OrderState, *lines: LineItem) -> Order:
    order = Order("A-1", lines or (MUG, TEA))
    for action in PATHS[state]:
        order.apply(action)
    return order


class AuditLog:
    """An observer that is an object: anything callable with a Transition will do."""

    def __init__(self) -> None:
        self.entries: list[str] = []

    def __call__(self, transition: Transition) -> None:
        self.entries.append(
            f"{transition.order_id}: {transition.source.value} -{transition.action}-> "
            f"{transition.target.value}"
        )


# --- the state machine ------------------------------------------------------------


def test_a_new_order_is_in_the_cart() -> None:
    order = Order("A-1", [MUG])

    assert_same(order.state, S.CART)
    assert_same(order.history, ())


def test_the_happy_path_from_cart_to_refund() -> None:
    order = Order("A-1", [MUG])

    states = [order.apply(action) for action in ("place", "pay", "ship", "deliver", "refund")]

    assert_same(states, [S.PLACED, S.PAID, S.SHIPPED, S.DELIVERED, S.REFUNDED])
    assert_same(order.state, S.REFUNDED)


def test_the_table_lists_every_state() -> None:
    assert_same({state: dict(actions) for state, actions in TRANSITIONS.items()}, EXPECTED)


@pytest.mark.weight(2)
@pytest.mark.parametrize("state", list(S), ids=[state.value for state in S])
def test_each_state_allows_exactly_its_actions(state: OrderState) -> None:
    for action in ACTIONS:
        order = order_in(state)
        if action in EXPECTED[state]:
            assert_same(order.apply(action), EXPECTED[state][action], f"{state.value} -{action}->")
        else:
            with pytest.raises(InvalidTransition):
                order.apply(action)


@pytest.mark.parametrize("state", list(S), ids=[state.value for state in S])
def test_allowed_actions_follow_the_table(state: OrderState) -> None:
    assert_same(order_in(state).allowed_actions(), tuple(EXPECTED[state]))


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (S.PLACED, "ship", "cannot ship order A-1 while it is placed (allowed: pay, cancel)"),
        (S.CART, "pay", "cannot pay order A-1 while it is cart (allowed: place, cancel)"),
        (S.SHIPPED, "cancel", "cannot cancel order A-1 while it is shipped (allowed: deliver)"),
        (S.CANCELLED, "place", "cannot place order A-1 while it is cancelled (allowed: none)"),
        (S.PAID, "teleport", "cannot teleport order A-1 while it is paid (allowed: ship, refund)"),
    ],
)
def test_an_invalid_transition_says_what_is_allowed(
    state: OrderState, action: str, message: str
) -> None:
    order = order_in(state)

    with pytest.raises(InvalidTransition) as caught:
        order.apply(action)

    assert_same(str(caught.value), message)
    assert_same((caught.value.order_id, caught.value.state, caught.value.action), ("A-1", state, action))
    assert isinstance(caught.value, OrderError)


def test_an_invalid_transition_changes_nothing() -> None:
    log = AuditLog()
    order = order_in(S.PLACED)
    order.subscribe(log)
    history = order.history

    with pytest.raises(InvalidTransition):
        order.apply("deliver")

    assert_same(order.state, S.PLACED)
    assert_same(order.history, history)
    assert_same(log.entries, [], "observers hear only of transitions that happened")


def test_the_history_records_every_transition() -> None:
    order = order_in(S.SHIPPED)

    assert_same(
        order.history,
        (
            Transition("A-1", "place", S.CART, S.PLACED),
            Transition("A-1", "pay", S.PLACED, S.PAID),
            Transition("A-1", "ship", S.PAID, S.SHIPPED),
        ),
    )


def test_an_order_needs_lines_and_keeps_them_as_a_tuple() -> None:
    with pytest.raises(ValueError):
        Order("A-1", [])

    assert_same(Order("A-2", (line for line in (MUG, PEN))).lines, (MUG, PEN))


# --- observers --------------------------------------------------------------------


@pytest.mark.weight(2)
def test_observers_hear_each_transition_in_the_order_they_subscribed() -> None:
    heard: list[tuple[str, Transition]] = []
    order = Order("B-7", [MUG], observers=[lambda t: heard.append(("first", t))])
    order.subscribe(lambda t: heard.append(("second", t)))

    order.apply("place")
    order.apply("cancel")

    placed = Transition("B-7", "place", S.CART, S.PLACED)
    cancelled = Transition("B-7", "cancel", S.PLACED, S.CANCELLED)
    assert_same(
        heard, [("first", placed), ("second", placed), ("first", cancelled), ("second", cancelled)]
    )


def test_an_observer_sees_the_new_state() -> None:
    order = Order("B-7", [MUG])
    seen: list[OrderState] = []
    order.subscribe(lambda transition: seen.append(order.state))

    order.apply("place")

    assert_same(seen, [S.PLACED], "observers are told after the state has changed")


def test_an_object_can_observe() -> None:
    log = AuditLog()
    order = Order("C-3", [PEN], observers=[log])

    order.apply("place")
    order.apply("pay")

    assert_same(log.entries, ["C-3: cart -place-> placed", "C-3: placed -pay-> paid"])


def test_an_observer_subscribed_during_a_notification_hears_from_the_next_transition() -> None:
    late = AuditLog()
    order = Order("D-4", [PEN])
    order.subscribe(lambda transition: order.subscribe(late) if not late.entries else None)

    order.apply("place")
    assert_same(late.entries, [])
    order.apply("pay")
    assert_same(late.entries, ["D-4: placed -pay-> paid"])


def test_an_observers_error_reaches_the_caller_after_the_transition() -> None:
    def broken(transition: Transition) -> None:
        raise RuntimeError("mail server down")

    order = Order("E-5", [PEN], observers=[broken])

    with pytest.raises(RuntimeError, match="mail server down"):
        order.apply("place")

    assert_same(order.state, S.PLACED)
    assert_same(len(order.history), 1)


def test_observers_given_to_the_constructor_are_copied() -> None:
    log = AuditLog()
    observers = [log]
    order = Order("F-6", [PEN], observers=observers)

    order.subscribe(AuditLog())

    assert_same(observers, [log], "subscribe must not change the caller's list")


# --- pricing strategies -----------------------------------------------------------


def test_standard_pricing_adds_up_the_lines() -> None:
    assert_same(standard([MUG, TEA, PEN]), Decimal("62.00"))
    assert_same(standard([]), Decimal(0))


@pytest.mark.weight(2)
def test_bulk_discount_applies_from_the_minimum_quantity() -> None:
    pricing = bulk_discount(4, Decimal("10"))

    # TEA (10) and PEN (4) get 10% off, MUG (2) does not.
    assert_same(pricing([MUG, TEA, PEN]), Decimal("17.00") + Decimal("36.00") + Decimal("4.50"))


@pytest.mark.parametrize(("percent", "expected"), [("0", "40.00"), ("100", "0"), ("12.5", "35.00")])
def test_bulk_discount_percentages(percent: str, expected: str) -> None:
    assert_same(bulk_discount(1, Decimal(percent))([TEA]) == Decimal(expected), True)


@pytest.mark.parametrize(
    ("min_quantity", "percent"),
    [(0, "10"), (-3, "10"), (1, "-1"), (1, "100.01")],
)
def test_bulk_discount_rejects_bad_settings_at_once(min_quantity: int, percent: str) -> None:
    with pytest.raises(ValueError):
        bulk_discount(min_quantity, Decimal(percent))


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([MUG], "17.00"),
        ([LineItem("CARD", Decimal("26.99"), 1)], "26.99"),
        ([MUG, PEN, PEN], "22.00"),
        ([TEA], "35.00"),
    ],
    ids=["below", "just-below", "at-minimum", "above"],
)
def test_amount_off_applies_from_the_minimum_subtotal(lines: list[LineItem], expected: str) -> None:
    # MUG is 17.00, PEN 5.00, TEA 40.00: the minimum is 27.00.
    pricing = amount_off(Decimal("5"), Decimal("27.00"))

    assert_same(pricing(lines) == Decimal(expected), True, f"got {pricing(lines)}")


def test_amount_off_never_goes_below_zero() -> None:
    assert_same(amount_off(Decimal("50"), Decimal(0))([PEN]), Decimal(0))


@pytest.mark.parametrize(("amount", "expected"), [("0", "5.00"), ("0.50", "4.50")])
def test_amount_off_accepts_small_amounts(amount: str, expected: str) -> None:
    assert_same(amount_off(Decimal(amount), Decimal(0))([PEN]) == Decimal(expected), True)


def test_amount_off_rejects_a_negative_amount_at_once() -> None:
    with pytest.raises(ValueError):
        amount_off(Decimal("-1"), Decimal(0))


def test_best_of_gives_the_lowest_price() -> None:
    pricing = best_of(standard, bulk_discount(10, Decimal("20")), amount_off(Decimal("3"), Decimal(0)))

    assert_same(pricing([TEA]), Decimal("32.00"))
    assert_same(pricing([MUG]), Decimal("14.00"))


def test_best_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        best_of()


def test_any_function_of_the_lines_is_a_pricing() -> None:
    def flat_fee(lines: Sequence[LineItem]) -> Decimal:
        return Decimal("9.99")

    assert_same(Order("G-1", [MUG, TEA], pricing=flat_fee).total, Decimal("9.99"))


# --- the total --------------------------------------------------------------------


def test_the_total_uses_standard_pricing_by_default() -> None:
    assert_same(Order("H-1", [MUG, PEN]).total, Decimal("22.00"))


def test_the_total_is_rounded_half_up_to_cents() -> None:
    order = Order("H-2", [LineItem("BOLT", Decimal("0.335"), 3)])

    assert_same(order.total, Decimal("1.01"), "1.005 rounds half up to 1.01")


def test_reprice_changes_the_strategy_in_the_cart() -> None:
    order = Order("H-3", [TEA])

    order.reprice(bulk_discount(10, Decimal("25")))

    assert_same(order.total, Decimal("30.00"))


@pytest.mark.weight(2)
def test_the_total_is_fixed_when_the_order_is_placed() -> None:
    prices = iter([Decimal("10.00"), Decimal("99.00"), Decimal("99.00")])

    def changing(lines: Sequence[LineItem]) -> Decimal:
        return next(prices)

    order = Order("H-4", [TEA], pricing=changing)
    order.apply("place")

    assert_same(order.total, Decimal("10.00"))
    assert_same(order.total, Decimal("10.00"))


@pytest.mark.parametrize("state", [S.PLACED, S.PAID, S.CANCELLED], ids=["placed", "paid", "cancelled"])
def test_reprice_after_the_cart_is_refused(state: OrderState) -> None:
    order = order_in(state, TEA)

    with pytest.raises(OrderError, match=rf"^order A-1 is {state.value}: its price is fixed$") as caught:
        order.reprice(bulk_discount(1, Decimal("50")))

    assert not isinstance(caught.value, InvalidTransition)
    assert_same(order.total, Decimal("40.00"))
