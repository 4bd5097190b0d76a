"""A SaaS subscription: a plan from the catalogue, a number of seats, and the price they make."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Self


class Subscription:
    """One customer's subscription. Prices are integer cents per seat per month.

    Give the class ``__slots__`` for its private attributes, so that a typo such
    as ``sub.seat = 3`` raises AttributeError instead of adding an attribute.
    """

    # Class attributes: one catalogue and one set of limits for every subscription of the class.
    PLANS: ClassVar[Mapping[str, int]] = MappingProxyType({"starter": 800, "team": 1499, "business": 2999})
    MAX_SEATS: ClassVar[int] = 500
    ANNUAL_DISCOUNT_PERCENT: ClassVar[int] = 20

    def __init__(self, customer_id: str, plan: str, seats: int = 1, *, annual: bool = False) -> None:
        """Check everything and keep it in private attributes.

        ValueError for a blank ``customer_id``; TypeError if ``annual`` is not a
        bool. ``plan`` and ``seats`` are checked as their setters check them, but
        making a subscription records no change.
        """
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Make a subscription of the class it is called on from the fields of ``to_dict``.

        ``customer_id`` and ``plan`` are required, ``seats`` (default 1) and
        ``annual`` (default False) are not. ValueError naming the field for a
        missing or unknown field; TypeError for a value of the wrong type.
        """
        raise NotImplementedError

    def to_dict(self) -> dict[str, object]:
        """The fields ``customer_id``, ``plan``, ``seats`` and ``annual``."""
        raise NotImplementedError

    @staticmethod
    def normalise_plan(name: str) -> str:
        """A plan name as the catalogue spells it: no surrounding space, lower case."""
        raise NotImplementedError

    @property
    def customer_id(self) -> str:
        """Whose subscription this is (read-only)."""
        raise NotImplementedError

    @property
    def annual(self) -> bool:
        """Whether it is billed yearly, at a discount (read-only)."""
        raise NotImplementedError

    def plan(self) -> str:
        """The plan's name, as the catalogue spells it.

        Make this a property with a setter: the setter normalises the name and
        raises TypeError for a non-str and ValueError, listing the plans, for a
        name that is not in the class's catalogue. A real change is recorded in
        ``changes`` as ``"plan: starter -> team"``.
        """
        raise NotImplementedError

    def seats(self) -> int:
        """How many people may use it.

        Make this a property with a setter: TypeError for anything but an int
        (a bool is not one); ValueError below 1 or above the class's
        ``MAX_SEATS``. A real change is recorded as ``"seats: 1 -> 5"``.
        """
        raise NotImplementedError

    def monthly_price(self) -> int:
        """What a month costs, in cents: seats times the plan's price, less the annual
        discount (rounded down to a whole cent).

        Make this a read-only property.
        """
        raise NotImplementedError

    @property
    def changes(self) -> tuple[str, ...]:
        """The plan and seat changes made since the subscription was made, oldest first."""
        raise NotImplementedError

    def __repr__(self) -> str:
        """``Subscription(customer_id='c-1', plan='team', seats=5, annual=False)``, with the
        name of the object's own class."""
        raise NotImplementedError
