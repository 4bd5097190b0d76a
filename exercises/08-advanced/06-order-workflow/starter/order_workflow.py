"""An order's life as a state machine, with pluggable pricing and observers.

The transitions are data (a table from state and action to the next state), the pricing
is a strategy (any function from line items to an amount) and whoever cares about an
order's progress subscribes as an observer (any function of a Transition).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal  # noqa: F401
from enum import Enum

CENT = Decimal("0.01")


class OrderState(Enum):
    """Where an order is in its life. (Already complete.)"""

    CART = "cart"
    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# For each state, the actions it allows and the state each one leads to, in the order
# the README's diagram lists them. Every state has an entry; the final ones allow nothing.
TRANSITIONS: Mapping[OrderState, Mapping[str, OrderState]] = {}


@dataclass(frozen=True)
class LineItem:
    """One line of an order. (Already complete.)"""

    sku: str
    unit_price: Decimal
    quantity: int

    @property
    def amount(self) -> Decimal:
        """The line's price before any discount."""
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Transition:
    """What an observer is told: an order moved from ``source`` to ``target``. (Complete.)"""

    order_id: str
    action: str
    source: OrderState
    target: OrderState


Pricing = Callable[[Sequence[LineItem]], Decimal]
Observer = Callable[[Transition], None]


class OrderError(Exception):
    """Something asked of an order that its state does not allow. (Already complete.)"""


class InvalidTransition(OrderError):
    """An action that the order's current state does not allow."""

    def __init__(self, order_id: str, state: OrderState, action: str) -> None:
        """Keep the three as attributes of the same names; the message is exactly::

            cannot ship order A-1 while it is placed (allowed: pay, cancel)

        The allowed actions are those of TRANSITIONS, in its order, or ``none``.
        """
        raise NotImplementedError


# --- pricing strategies --------------------------------------------------------


def standard(lines: Sequence[LineItem]) -> Decimal:
    """The sum of the lines' amounts: no discount. ``Decimal(0)`` for no lines."""
    raise NotImplementedError


def bulk_discount(min_quantity: int, percent: Decimal) -> Pricing:
    """Return a pricing that takes ``percent`` off each line of ``min_quantity`` or more.

    ``bulk_discount(10, Decimal("15"))`` takes 15% off the lines of 10 items or more.
    Raises ValueError at once for ``min_quantity < 1`` or a percent outside 0 to 100.
    """
    raise NotImplementedError


def amount_off(amount: Decimal, minimum_subtotal: Decimal) -> Pricing:
    """Return a pricing that takes ``amount`` off a subtotal of ``minimum_subtotal`` or more.

    The price never goes below zero. Raises ValueError at once for a negative ``amount``.
    """
    raise NotImplementedError


def best_of(*strategies: Pricing) -> Pricing:
    """Return a pricing that gives the lowest price any of ``strategies`` gives.

    Raises ValueError at once when given no strategy.
    """
    raise NotImplementedError


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
        """A new order, in the cart. ``lines`` are kept as a tuple in ``self.lines``.

        Keep ``order_id`` as ``self.order_id``. No lines at all raise ValueError.
        """
        raise NotImplementedError

    @property
    def state(self) -> OrderState:
        """The current state; it changes only through ``apply``."""
        raise NotImplementedError

    @property
    def history(self) -> tuple[Transition, ...]:
        """Every transition so far, oldest first (a tuple: callers cannot change it)."""
        raise NotImplementedError

    @property
    def total(self) -> Decimal:
        """The price the pricing strategy gives, rounded half up to cents.

        Once the order is placed, its total is fixed: the one it had when it was placed.
        """
        raise NotImplementedError

    def allowed_actions(self) -> tuple[str, ...]:
        """The actions the current state allows, in the order of TRANSITIONS."""
        raise NotImplementedError

    def subscribe(self, observer: Observer) -> None:
        """Tell ``observer`` of every later transition, after those subscribed before it."""
        raise NotImplementedError

    def reprice(self, pricing: Pricing) -> None:
        """Use another pricing strategy from now on.

        Only in the cart: otherwise raise OrderError (not InvalidTransition), such as
        ``order A-1 is paid: its price is fixed``.
        """
        raise NotImplementedError

    def apply(self, action: str) -> OrderState:
        """Move the order by ``action`` and return its new state.

        Raises InvalidTransition, changing nothing, when the state does not allow it.
        Otherwise the state changes, the transition is added to the history, and then
        each observer is called with it, in the order they subscribed. An exception from
        an observer goes to the caller; the transition has happened all the same.
        """
        raise NotImplementedError
