"""A SaaS subscription: a plan from the catalogue, a number of seats, and the price they make."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Self


class Subscription:
    """One customer's subscription. Prices are integer cents per seat per month."""

    # Class attributes: one catalogue and one set of limits for every subscription of the class.
    PLANS: ClassVar[Mapping[str, int]] = MappingProxyType({"starter": 800, "team": 1499, "business": 2999})
    MAX_SEATS: ClassVar[int] = 500
    ANNUAL_DISCOUNT_PERCENT: ClassVar[int] = 20

    __slots__ = ("_customer_id", "_plan", "_seats", "_annual", "_changes")

    def __init__(self, customer_id: str, plan: str, seats: int = 1, *, annual: bool = False) -> None:
        if not isinstance(customer_id, str) or not customer_id.strip():
            raise ValueError("a subscription needs a customer id")
        self._customer_id = customer_id
        self._plan = self._checked_plan(plan)
        self._seats = self._checked_seats(seats)
        self._annual = self._checked_annual(annual)
        self._changes: list[str] = []

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Self:
        """Make a subscription (of the class it is called on) from the fields of ``to_dict``."""
        unknown = sorted(set(data) - {"customer_id", "plan", "seats", "annual"})
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        for name in ("customer_id", "plan"):
            if name not in data:
                raise ValueError(f"missing field: {name}")
        customer_id = data["customer_id"]
        if not isinstance(customer_id, str):
            raise TypeError(f"customer_id must be a str, not {type(customer_id).__name__}")
        plan = cls._checked_plan(data["plan"])
        seats = cls._checked_seats(data.get("seats", 1))
        annual = cls._checked_annual(data.get("annual", False))
        return cls(customer_id, plan, seats, annual=annual)

    def to_dict(self) -> dict[str, object]:
        """The subscription's fields, as ``from_dict`` reads them."""
        return {"customer_id": self._customer_id, "plan": self._plan, "seats": self._seats, "annual": self._annual}

    @staticmethod
    def normalise_plan(name: str) -> str:
        """A plan name as the catalogue spells it: no surrounding space, lower case."""
        return name.strip().lower()

    @classmethod
    def _checked_plan(cls, plan: object) -> str:
        if not isinstance(plan, str):
            raise TypeError(f"plan must be a str, not {type(plan).__name__}")
        name = cls.normalise_plan(plan)
        if name not in cls.PLANS:
            raise ValueError(f"unknown plan {plan!r}; plans: {', '.join(sorted(cls.PLANS))}")
        return name

    @classmethod
    def _checked_seats(cls, seats: object) -> int:
        if isinstance(seats, bool) or not isinstance(seats, int):
            raise TypeError(f"seats must be an int, not {type(seats).__name__}")
        if not 1 <= seats <= cls.MAX_SEATS:
            raise ValueError(f"seats must be from 1 to {cls.MAX_SEATS}, not {seats}")
        return seats

    @staticmethod
    def _checked_annual(annual: object) -> bool:
        if not isinstance(annual, bool):
            raise TypeError(f"annual must be a bool, not {type(annual).__name__}")
        return annual

    @property
    def customer_id(self) -> str:
        """Whose subscription this is (read-only)."""
        return self._customer_id

    @property
    def annual(self) -> bool:
        """Whether it is billed yearly, at a discount (read-only)."""
        return self._annual

    @property
    def plan(self) -> str:
        """The plan's name, as the catalogue spells it."""
        return self._plan

    @plan.setter
    def plan(self, plan: str) -> None:
        name = self._checked_plan(plan)
        if name != self._plan:
            self._changes.append(f"plan: {self._plan} -> {name}")
            self._plan = name

    @property
    def seats(self) -> int:
        """How many people may use it."""
        return self._seats

    @seats.setter
    def seats(self, seats: int) -> None:
        checked = self._checked_seats(seats)
        if checked != self._seats:
            self._changes.append(f"seats: {self._seats} -> {checked}")
            self._seats = checked

    @property
    def monthly_price(self) -> int:
        """What a month costs, in cents: seats times the plan's price, less the annual discount
        (rounded down to a whole cent)."""
        price = self._seats * self.PLANS[self._plan]
        if self._annual:
            price = price * (100 - self.ANNUAL_DISCOUNT_PERCENT) // 100
        return price

    @property
    def changes(self) -> tuple[str, ...]:
        """The plan and seat changes made since the subscription was made, oldest first."""
        return tuple(self._changes)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(customer_id={self._customer_id!r}, plan={self._plan!r}, "
            f"seats={self._seats}, annual={self._annual})"
        )
