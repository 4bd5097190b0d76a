"""A double-entry ledger: every posting is checked at the door, and the books always balance.

Input from callers is validated with `if` and a specific exception, because it can be wrong
in production. The ledger's own consistency is checked with `assert`, because only a bug in
this module can break it, and `python -O` may strip those checks where they cost too much.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

SIDES = ("debit", "credit")
ZERO = Decimal("0.00")


class Kind(enum.Enum):
    """What an account records, which decides its normal side."""

    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Whether a debit raises this kind of account's balance (a credit lowers it)."""
        return self in (Kind.ASSET, Kind.EXPENSE)


@dataclass(frozen=True)
class Line:
    """One line of a posting: an amount debited or credited to an account."""

    account: str
    side: str
    amount: Decimal


@dataclass(frozen=True)
class Posting:
    """A journal entry: lines whose debits and credits add up to the same amount."""

    id: str
    lines: tuple[Line, ...]
    memo: str = ""


@dataclass
class Account:
    """An account and its balance on its normal side, kept up to date by the ledger."""

    name: str
    kind: Kind
    allow_negative: bool = True
    balance: Decimal = ZERO


class LedgerError(Exception):
    """Base class of the errors the ledger raises for what its callers hand it."""


class UnknownAccountError(LedgerError):
    """An account name the ledger does not know."""

    def __init__(self, account: str) -> None:
        self.account = account
        super().__init__(f"unknown account {account!r}")


class PostingError(LedgerError):
    """A posting the ledger refused; nothing of it was applied."""

    def __init__(self, posting_id: str, reason: str) -> None:
        self.posting_id = posting_id
        self.reason = reason
        super().__init__(f"posting {posting_id!r} rejected: {reason}")


class UnbalancedPostingError(PostingError):
    """A posting whose debits and credits differ."""

    def __init__(self, posting_id: str, debits: Decimal, credits: Decimal) -> None:
        self.debits = debits
        self.credits = credits
        super().__init__(posting_id, f"debits {debits} and credits {credits} differ")


class DuplicatePostingError(PostingError):
    """A posting whose id was posted before: a retried request must not post twice."""

    def __init__(self, posting_id: str) -> None:
        super().__init__(posting_id, "already posted")


class OverdraftError(PostingError):
    """A posting that would take an account that may not go negative below zero."""

    def __init__(self, posting_id: str, account: str, balance: Decimal) -> None:
        self.account = account
        self.balance = balance
        super().__init__(posting_id, f"account {account!r} would go to {balance}")


class Ledger:
    """Accounts, their balances and the journal of every posting applied, in order."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._journal: list[Posting] = []
        self._posted: set[str] = set()

    def open_account(self, name: str, kind: Kind, *, allow_negative: bool = True) -> None:
        if name in self._accounts:
            raise LedgerError(f"account {name!r} already exists")
        self._accounts[name] = Account(name, kind, allow_negative)

    def account(self, name: str) -> Account:
        try:
            return self._accounts[name]
        except KeyError:
            raise UnknownAccountError(name) from None

    def balance(self, name: str) -> Decimal:
        return self.account(name).balance

    def journal(self) -> tuple[Posting, ...]:
        return tuple(self._journal)

    def post(self, posting: Posting) -> None:
        """Apply ``posting`` whole, or raise a PostingError and change nothing."""
        new_balances = self._validate(posting)
        for name, balance in new_balances.items():
            self._accounts[name].balance = balance
        self._journal.append(posting)
        self._posted.add(posting.id)
        self.check_invariants()

    def _validate(self, posting: Posting) -> dict[str, Decimal]:
        """Every check on ``posting``, in the README's order; the balances it would leave."""
        posting_id = posting.id
        if not isinstance(posting_id, str) or not posting_id.strip():
            raise PostingError(str(posting_id), "the id must be a non-empty string")
        if posting_id in self._posted:
            raise DuplicatePostingError(posting_id)
        if len(posting.lines) < 2:
            raise PostingError(posting_id, "a posting needs at least two lines")
        totals = {"debit": ZERO, "credit": ZERO}
        changes: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for number, line in enumerate(posting.lines, start=1):
            self._check_line(posting_id, number, line)
            totals[line.side] += line.amount
            raises = (line.side == "debit") == self._accounts[line.account].kind.debit_normal
            changes[line.account] += line.amount if raises else -line.amount
        if totals["debit"] != totals["credit"]:
            raise UnbalancedPostingError(posting_id, totals["debit"], totals["credit"])
        new_balances = {name: self._accounts[name].balance + change for name, change in changes.items()}
        for name, balance in new_balances.items():
            if balance < 0 and not self._accounts[name].allow_negative:
                raise OverdraftError(posting_id, name, balance)
        return new_balances

    def _check_line(self, posting_id: str, number: int, line: Line) -> None:
        at = f"line {number}:"
        if line.account not in self._accounts:
            raise PostingError(posting_id, f"{at} unknown account {line.account!r}")
        if line.side not in SIDES:
            raise PostingError(posting_id, f"{at} side must be 'debit' or 'credit', not {line.side!r}")
        amount = line.amount
        if not isinstance(amount, Decimal):
            raise PostingError(posting_id, f"{at} amount must be a Decimal, not {type(amount).__name__}")
        if not amount.is_finite() or amount <= 0:
            raise PostingError(posting_id, f"{at} amount must be greater than zero, not {amount}")
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2:
            raise PostingError(posting_id, f"{at} amount {amount} has more than two decimal places")

    def check_invariants(self) -> None:
        """Assert what only a bug in this module could break: each balance is what the journal
        adds up to, and the debit-normal balances add up to the credit-normal ones."""
        expected: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for posting in self._journal:
            for line in posting.lines:
                kind = self._accounts[line.account].kind
                raises = (line.side == "debit") == kind.debit_normal
                expected[line.account] += line.amount if raises else -line.amount
        for name, account in self._accounts.items():
            assert account.balance == expected[name], (
                f"{name}: balance {account.balance}, but its journal lines add up to {expected[name]}"
            )
        debit_side = sum((a.balance for a in self._accounts.values() if a.kind.debit_normal), ZERO)
        credit_side = sum((a.balance for a in self._accounts.values() if not a.kind.debit_normal), ZERO)
        assert debit_side == credit_side, f"the books do not balance: {debit_side} against {credit_side}"
