"""A double-entry ledger: every posting is checked at the door, and the books always balance.

Input from callers is validated with `if` and a specific exception, because it can be wrong
in production. The ledger's own consistency is checked with `assert`, because only a bug in
this module can break it, and `python -O` may strip those checks where they cost too much.
"""

from __future__ import annotations

import enum
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
    """An account name the ledger does not know: ``.account``.

    Message: ``unknown account 'petty'``.
    """

    def __init__(self, account: str) -> None:
        raise NotImplementedError


class PostingError(LedgerError):
    """A posting the ledger refused; nothing of it was applied: ``.posting_id``, ``.reason``.

    Message: ``posting 'p-7' rejected: <reason>``.
    """

    def __init__(self, posting_id: str, reason: str) -> None:
        raise NotImplementedError


class UnbalancedPostingError(PostingError):
    """Debits and credits differ: ``.debits``, ``.credits`` (the two totals).

    Reason: ``debits 35.00 and credits 20.00 differ``.
    """

    def __init__(self, posting_id: str, debits: Decimal, credits: Decimal) -> None:
        raise NotImplementedError


class DuplicatePostingError(PostingError):
    """The id was posted before: a retried request must not post twice.

    Reason: ``already posted``.
    """

    def __init__(self, posting_id: str) -> None:
        raise NotImplementedError


class OverdraftError(PostingError):
    """An account that may not go negative would: ``.account``, ``.balance`` (what it would be).

    Reason: ``account 'cash' would go to -30.00``.
    """

    def __init__(self, posting_id: str, account: str, balance: Decimal) -> None:
        raise NotImplementedError


class Ledger:
    """Accounts, their balances and the journal of every posting applied, in order."""

    def __init__(self) -> None:
        raise NotImplementedError

    def open_account(self, name: str, kind: Kind, *, allow_negative: bool = True) -> None:
        """Add an account with a zero balance; LedgerError if ``name`` is taken."""
        raise NotImplementedError

    def account(self, name: str) -> Account:
        """The ledger's own Account object for ``name`` (not a copy); UnknownAccountError."""
        raise NotImplementedError

    def balance(self, name: str) -> Decimal:
        """The account's balance on its normal side; UnknownAccountError."""
        raise NotImplementedError

    def journal(self) -> tuple[Posting, ...]:
        """Every posting applied, in the order they were applied."""
        raise NotImplementedError

    def post(self, posting: Posting) -> None:
        """Apply ``posting`` whole, or raise a PostingError and change nothing.

        The checks, in this order (see the README for each reason): the id, a duplicate id,
        at least two lines, each line in turn (its account, its side, its amount), debits
        equal to credits, and no account that may not go negative below zero once the whole
        posting is applied. After applying, check the invariants.
        """
        raise NotImplementedError

    def check_invariants(self) -> None:
        """Assert what only a bug in this module could break (use ``assert`` statements):

        - every account's balance is what the journal's lines add up to for it;
        - the debit-normal balances add up to the credit-normal ones.
        """
        raise NotImplementedError
