"""An order's life as a state machine, with pluggable pricing and observers.

The transitions are data (a table from state and action to the next state), the pricing
is a strategy (any function from line items to an amount) and whoever cares about an
order's progress subscribes as an observer (any function of a Transition).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

CENT = Decimal("0.01")


class OrderState(Enum):
    """Where an order is in its life."""

    CART = "cart"
    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


TRANSITIONS: Mapping[OrderState, Mapping[str, OrderState]] = {
    OrderState.CART: {"place": OrderState.PLACED, "cancel": OrderState.CANCELLED},
    OrderState.PLACED: {"pay": OrderState.PAID, "cancel": OrderState.CANCELLED},
    OrderState.PAID: {"ship": OrderState.SHIPPED, "refund": OrderState.REFUNDED},
    OrderState.SHIPPED: {"deliver": OrderState.DELIVERED},
    OrderState.DELIVERED: {"refund": OrderState.REFUNDED},
    OrderState.CANCELLED: {},
    OrderState.REFUNDED: {},
}


@dataclass(frozen=True)
class LineItem:
    """One line of an order."""

    sku: str
    unit_price: Decimal
    quantity: int

    @property
    def amount(self) -> Decimal:
        """The line's price before any discount."""
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Transition:
    """What an observer is told: an order moved from ``source`` to ``target``."""

    order_id: str
    action: str
    source: OrderState
    target: OrderState


Pricing = Callable[[Sequence[LineItem]], Decimal]
Observer = Callable[[Transition], None]


class OrderError(Exception):
    """Something asked of an order that its state does not allow."""


class InvalidTransition(OrderError):
    """An action that the order's current state does not allow."""

    def __init__(self, order_id: str, state: OrderState, action: str) -> None:
        allowed = ", ".join(TRANSITIONS[state]) or "none"
        super().__init__(
            f"cannot {action} order {order_id} while it is {state.value} (allowed: {allowed})"
        )
        self.order_id = order_id
        self.state = state
        self.action = action


# --- pricing strategies --------------------------------------------------------


def standard(lines: Sequence[LineItem]) -> Decimal:
    """The sum of the lines' amounts: no discount."""
    return sum((line.amount for line in lines), Decimal(0))


def bulk_discount(min_quantity: int, percent: Decimal) -> Pricing:
    """Return a pricing that takes ``percent`` off each line of ``min_quantity`` or more."""
    if min_quantity < 1:
        raise ValueError(f"min_quantity must be at least 1, got {min_quantity}")
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be between 0 and 100, got {percent}")
    keep = 1 - percent / 100

    def price(lines: Sequence[LineItem]) -> Decimal:
        return sum(
            (line.amount * keep if line.quantity >= min_quantity else line.amount for line in lines),
            Decimal(0),
        )

    return price


def amount_off(amount: Decimal, minimum_subtotal: Decimal) -> Pricing:
    """Return a pricing that takes ``amount`` off a subtotal of ``minimum_subtotal`` or more.

    The price never goes below zero.
    """
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")

    def price(lines: Sequence[LineItem]) -> Decimal:
        subtotal = standard(lines)
        if subtotal < minimum_subtotal:
            return subtotal
        return max(subtotal - amount, Decimal(0))

    return price


def best_of(*strategies: Pricing) -> Pricing:
    """Return a pricing that gives the lowest price any of ``strategies`` gives."""
    if not strategies:
        raise ValueError("best_of needs at least one strategy")

    def price(lines: Sequence[LineItem]) -> Decimal:
        return min(strategy(lines) for strategy in strategies)

    return price


# --- the order -----------------------------------------------------------------


class Order:
    """An order that moves through TRANSITIONS and tells its observers of each move."""

    def __init__(
        self,
        order_id: str,
        lines: Iterable[LineItem],
        pricing: Pricing = standard,
        observers: Iterable[Observer] = (),
    ) -> None:
        self.order_id = order_id
        self.lines = tuple(lines)
        if not self.lines:
            raise ValueError(f"order {order_id} has no lines")
        self._pricing = pricing
        self._observers = list(observers)
        self._state = OrderState.CART
        self._history: list[Transition] = []
        self._charged: Decimal | None = None

    @property
    def state(self) -> OrderState:
        """The current state; it changes only through ``apply``."""
        return self._state

    @property
    def history(self) -> tuple[Transition, ...]:
        """Every transition so far, oldest first."""
        return tuple(self._history)

    @property
    def total(self) -> Decimal:
        """The price to pay, in cents, rounded half up; fixed once the order is placed."""
        if self._charged is not None:
            return self._charged
        return self._pricing(self.lines).quantize(CENT, rounding=ROUND_HALF_UP)

    def allowed_actions(self) -> tuple[str, ...]:
        """The actions the current state allows, in the order of TRANSITIONS."""
        return tuple(TRANSITIONS[self._state])

    def subscribe(self, observer: Observer) -> None:
        """Tell ``observer`` of every later transition, after those subscribed before it."""
        self._observers.append(observer)

    def reprice(self, pricing: Pricing) -> None:
        """Use another pricing strategy; only in the cart, as a placed order's price is fixed."""
        if self._state is not OrderState.CART:
            raise OrderError(
                f"order {self.order_id} is {self._state.value}: its price is fixed"
            )
        self._pricing = pricing

    def apply(self, action: str) -> OrderState:
        """Move the order by ``action`` and return its new state.

        Raises InvalidTransition, changing nothing, when the state does not allow it.
        Observers are told after the state has changed, in the order they subscribed.
        """
        source = self._state
        target = TRANSITIONS[source].get(action)
        if target is None:
            raise InvalidTransition(self.order_id, source, action)
        if action == "place":
            self._charged = self.total
        self._state = target
        transition = Transition(self.order_id, action, source, target)
        self._history.append(transition)
        for observer in tuple(self._observers):
            observer(transition)
        return target
