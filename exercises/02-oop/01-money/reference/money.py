"""An immutable amount of money in one currency, stored as whole cents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering
from typing import Self

_CURRENCY = re.compile(r"[A-Z]{3}")
_MONEY_TEXT = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{2}))? ([A-Z]{3})")


@total_ordering
@dataclass(frozen=True)
class Money:
    """An amount of money such as ``Money(1234, "EUR")`` for 12.34 EUR.

    Money values are immutable and hashable. Amounts are whole cents, so no
    floating-point rounding ever creeps in.
    """

    amount_cents: int
    currency: str

    def __post_init__(self) -> None:
        if not _CURRENCY.fullmatch(self.currency):
            raise ValueError(
                f"currency must be three upper-case letters, got {self.currency!r}"
            )

    def _check_same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same_currency(other)
        return Money(self.amount_cents + other.amount_cents, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same_currency(other)
        return Money(self.amount_cents - other.amount_cents, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int):
            return NotImplemented
        return Money(self.amount_cents * factor, self.currency)

    def __rmul__(self, factor: int) -> Money:
        return self.__mul__(factor)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same_currency(other)
        return self.amount_cents < other.amount_cents

    def __str__(self) -> str:
        sign = "-" if self.amount_cents < 0 else ""
        units, cents = divmod(abs(self.amount_cents), 100)
        return f"{sign}{units}.{cents:02d} {self.currency}"

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse text such as ``"12.34 EUR"``, ``"-0.05 USD"`` or ``"7 GBP"``.

        Raises:
            ValueError: if ``text`` is not in that format.
        """
        match = _MONEY_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(f"not an amount of money: {text!r}")
        sign, units, cents, currency = match.groups()
        amount_cents = int(units) * 100 + int(cents or "0")
        return cls(-amount_cents if sign else amount_cents, currency)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split this amount in proportion to ``ratios`` without losing a cent.

        Each part first gets its share rounded down; the cents left over are
        then handed out one at a time to the parts in order, skipping parts
        whose ratio is 0.

        Raises:
            ValueError: if ``ratios`` is empty, has a negative ratio, or adds
                up to 0.
        """
        if not ratios or any(ratio < 0 for ratio in ratios) or sum(ratios) == 0:
            raise ValueError(
                f"ratios must be non-negative with a positive sum, got {ratios}"
            )
        total = sum(ratios)
        shares = [self.amount_cents * ratio // total for ratio in ratios]
        leftover = self.amount_cents - sum(shares)
        for index, ratio in enumerate(ratios):
            if leftover == 0:
                break
            if ratio > 0:
                shares[index] += 1
                leftover -= 1
        return [Money(share, self.currency) for share in shares]
