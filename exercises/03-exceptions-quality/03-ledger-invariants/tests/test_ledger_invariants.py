"""Tests for ledger.py.

The last tests run the ledger again in a separate interpreter started with ``python -O``,
which strips every ``assert`` statement: input must still be refused there, with the same
exceptions, and only the internal checks may vanish.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

import ledger as ledger_module
from ledger import (
    DuplicatePostingError,
    Kind,
    Ledger,
    LedgerError,
    Line,
    OverdraftError,
    Posting,
    PostingError,
    UnbalancedPostingError,
    UnknownAccountError,
)


def books() -> Ledger:
    """A small company's chart of accounts; only cash may not go negative."""
    ledger = Ledger()
    ledger.open_account("cash", Kind.ASSET, allow_negative=False)
    ledger.open_account("bank", Kind.ASSET)
    ledger.open_account("capital", Kind.EQUITY)
    ledger.open_account("loan", Kind.LIABILITY)
    ledger.open_account("sales", Kind.REVENUE)
    ledger.open_account("rent", Kind.EXPENSE)
    return ledger


def debit(account: str, amount: str) -> Line:
    return Line(account, "debit", Decimal(amount))


def credit(account: str, amount: str) -> Line:
    return Line(account, "credit", Decimal(amount))


def posting(posting_id: str, *lines: Line) -> Posting:
    return Posting(posting_id, lines)


def funded() -> Ledger:
    """The books after the owner paid 100.00 in cash and 500.00 into the bank."""
    ledger = books()
    ledger.post(posting("p-1", debit("cash", "100.00"), debit("bank", "500.00"), credit("capital", "600.00")))
    return ledger


def balances(ledger: Ledger) -> dict[str, Decimal]:
    names = ("cash", "bank", "capital", "loan", "sales", "rent")
    return {name: ledger.balance(name) for name in names}


# --- postings that are accepted -------------------------------------------------------------


@pytest.mark.weight(2)
def test_postings_move_balances_on_each_accounts_normal_side() -> None:
    ledger = funded()
    ledger.post(posting("p-2", debit("bank", "250.00"), credit("sales", "250.00")))
    ledger.post(posting("p-3", debit("rent", "80.00"), credit("cash", "30.00"), credit("bank", "50.00")))
    ledger.post(posting("p-4", debit("bank", "1000.00"), credit("loan", "1000.00")))
    ledger.post(posting("p-5", debit("loan", "200.00"), credit("bank", "200.00")))

    assert_same(
        balances(ledger),
        {
            "cash": Decimal("70.00"),
            "bank": Decimal("1500.00"),
            "capital": Decimal("600.00"),
            "loan": Decimal("800.00"),
            "sales": Decimal("250.00"),
            "rent": Decimal("80.00"),
        },
    )


def test_a_new_account_starts_at_zero_and_is_the_ledgers_own_object() -> None:
    ledger = books()
    account = ledger.account("loan")

    assert_same((account.name, account.kind, account.allow_negative), ("loan", Kind.LIABILITY, True))
    assert_same(account.balance, Decimal("0"))
    assert_same(ledger.account("cash").allow_negative, False)
    ledger.post(posting("p-1", debit("bank", "10.00"), credit("loan", "10.00")))
    assert ledger.account("loan") is account, "account() returns the ledger's own Account, not a copy"
    assert_same(account.balance, Decimal("10.00"))


def test_the_journal_keeps_every_accepted_posting_in_order() -> None:
    ledger = books()
    first = posting("p-1", debit("cash", "5.00"), credit("capital", "5.00"))
    second = posting("p-2", debit("rent", "5.00"), credit("cash", "5.00"))
    assert_same(ledger.journal(), ())

    ledger.post(first)
    ledger.post(second)

    journal = ledger.journal()
    assert_same(type(journal), tuple)
    assert len(journal) == 2 and journal[0] is first and journal[1] is second


def test_an_account_on_several_lines_is_judged_on_its_net_change() -> None:
    # cash holds 100.00: paying 150.00 out of it is fine because 70.00 comes in with it.
    ledger = funded()

    ledger.post(
        posting("p-2", credit("cash", "150.00"), debit("cash", "70.00"), debit("rent", "80.00"))
    )

    assert_same(ledger.balance("cash"), Decimal("20.00"))
    assert_same(ledger.balance("rent"), Decimal("80.00"))


def test_an_account_that_may_not_go_negative_may_reach_zero() -> None:
    ledger = funded()

    ledger.post(posting("p-2", debit("rent", "100.00"), credit("cash", "100.00")))

    assert_same(ledger.balance("cash"), Decimal("0.00"))


def test_other_accounts_may_go_negative() -> None:
    ledger = funded()

    ledger.post(posting("p-2", debit("rent", "900.00"), credit("bank", "900.00")))

    assert_same(ledger.balance("bank"), Decimal("-400.00"))


def test_amounts_with_fewer_decimals_are_accepted() -> None:
    ledger = books()

    ledger.post(posting("p-1", debit("cash", "12"), debit("bank", "0.5"), credit("capital", "12.50")))

    assert_same(ledger.balance("capital"), Decimal("12.50"))


# --- postings that are refused --------------------------------------------------------------

INVALID = [
    pytest.param(posting("", debit("rent", "1.00"), credit("cash", "1.00")), "the id must be a non-empty string", id="empty-id"),
    pytest.param(posting("  ", debit("rent", "1.00"), credit("cash", "1.00")), "the id must be a non-empty string", id="blank-id"),
    pytest.param(posting("p-9"), "a posting needs at least two lines", id="no-lines"),
    pytest.param(posting("p-9", debit("rent", "1.00")), "a posting needs at least two lines", id="one-line"),
    pytest.param(
        posting("p-9", debit("rent", "1.00"), credit("csh", "1.00")),
        "line 2: unknown account 'csh'",
        id="unknown-account",
    ),
    pytest.param(
        posting("p-9", Line("rent", "Debit", Decimal("1.00")), credit("cash", "1.00")),
        "line 1: side must be 'debit' or 'credit', not 'Debit'",
        id="side",
    ),
    pytest.param(
        posting("p-9", debit("rent", "1.00"), Line("cash", "credit", 1.0)),  # type: ignore[arg-type]
        "line 2: amount must be a Decimal, not float",
        id="float",
    ),
    pytest.param(
        posting("p-9", Line("rent", "debit", 1), credit("cash", "1.00")),  # type: ignore[arg-type]
        "line 1: amount must be a Decimal, not int",
        id="int",
    ),
    pytest.param(
        posting("p-9", Line("rent", "debit", "1.00"), credit("cash", "1.00")),  # type: ignore[arg-type]
        "line 1: amount must be a Decimal, not str",
        id="str",
    ),
    pytest.param(
        posting("p-9", debit("rent", "0.00"), credit("cash", "0.00")),
        "line 1: amount must be greater than zero, not 0.00",
        id="zero",
    ),
    pytest.param(
        posting("p-9", debit("rent", "-5.00"), credit("cash", "-5.00")),
        "line 1: amount must be greater than zero, not -5.00",
        id="negative",
    ),
    pytest.param(
        posting("p-9", debit("rent", "NaN"), credit("cash", "1.00")),
        "line 1: amount must be greater than zero, not NaN",
        id="nan",
    ),
    pytest.param(
        posting("p-9", debit("rent", "1.00"), credit("cash", "Infinity")),
        "line 2: amount must be greater than zero, not Infinity",
        id="infinity",
    ),
    pytest.param(
        posting("p-9", debit("rent", "0.005"), credit("cash", "0.005")),
        "line 1: amount 0.005 has more than two decimal places",
        id="three-decimals",
    ),
]


@pytest.mark.parametrize(("bad", "reason"), INVALID)
def test_invalid_postings_are_refused_with_the_reason(bad: Posting, reason: str) -> None:
    ledger = funded()

    with pytest.raises(PostingError) as caught:
        ledger.post(bad)

    assert_same(type(caught.value).__name__, "PostingError")
    assert_same(caught.value.reason, reason)
    assert_same(caught.value.posting_id, bad.id)
    assert_same(str(caught.value), f"posting {bad.id!r} rejected: {reason}")


def test_an_unbalanced_posting_is_refused_with_both_totals() -> None:
    ledger = funded()

    with pytest.raises(UnbalancedPostingError) as caught:
        ledger.post(posting("p-2", debit("rent", "30.00"), debit("rent", "5.00"), credit("cash", "20.00")))

    error = caught.value
    assert_same(str(error), "posting 'p-2' rejected: debits 35.00 and credits 20.00 differ")
    assert_same((error.posting_id, error.debits, error.credits), ("p-2", Decimal("35.00"), Decimal("20.00")))
    assert isinstance(error, PostingError) and isinstance(error, LedgerError)


def test_a_posting_is_refused_when_debits_are_short_too() -> None:
    ledger = funded()

    with pytest.raises(UnbalancedPostingError) as caught:
        ledger.post(posting("p-2", debit("rent", "10.00"), credit("cash", "10.01")))

    assert_same((caught.value.debits, caught.value.credits), (Decimal("10.00"), Decimal("10.01")))


def test_a_retried_posting_is_refused_and_not_posted_twice() -> None:
    ledger = funded()
    ledger.post(posting("p-2", debit("rent", "30.00"), credit("cash", "30.00")))

    with pytest.raises(DuplicatePostingError) as caught:
        ledger.post(posting("p-2", debit("rent", "30.00"), credit("cash", "30.00")))

    assert_same(str(caught.value), "posting 'p-2' rejected: already posted")
    assert_same(caught.value.posting_id, "p-2")
    assert isinstance(caught.value, PostingError)
    assert_same(ledger.balance("cash"), Decimal("70.00"))
    assert_same(len(ledger.journal()), 2)


def test_an_overdraft_is_refused_with_the_balance_it_would_leave() -> None:
    ledger = funded()

    with pytest.raises(OverdraftError) as caught:
        ledger.post(posting("p-2", debit("rent", "130.00"), credit("cash", "130.00")))

    error = caught.value
    assert_same(str(error), "posting 'p-2' rejected: account 'cash' would go to -30.00")
    assert_same((error.posting_id, error.account, error.balance), ("p-2", "cash", Decimal("-30.00")))
    assert isinstance(error, PostingError)


REFUSED_LAST = [
    pytest.param(
        posting("p-2", debit("rent", "20.00"), credit("bank", "10.00"), Line("cash", "credit", 10.0)),  # type: ignore[arg-type]
        PostingError,
        id="bad-amount-on-the-last-line",
    ),
    pytest.param(
        posting("p-2", debit("rent", "20.00"), credit("bank", "10.00"), credit("petty", "10.00")),
        PostingError,
        id="unknown-account-on-the-last-line",
    ),
    pytest.param(
        posting("p-2", debit("rent", "20.00"), credit("bank", "10.00"), credit("cash", "9.00")),
        UnbalancedPostingError,
        id="unbalanced",
    ),
    pytest.param(
        posting("p-2", debit("rent", "150.00"), credit("bank", "40.00"), credit("cash", "110.00")),
        OverdraftError,
        id="overdraft-on-the-last-line",
    ),
]


@pytest.mark.weight(2)
@pytest.mark.parametrize(("bad", "error"), REFUSED_LAST)
def test_a_refused_posting_changes_nothing(bad: Posting, error: type[PostingError]) -> None:
    ledger = funded()
    before = balances(ledger)

    with pytest.raises(error):
        ledger.post(bad)

    assert_same(balances(ledger), before, "a refused posting must leave every balance as it was")
    assert_same(len(ledger.journal()), 1, "a refused posting must not reach the journal")
    # Its id was not used up: the corrected posting goes through.
    ledger.post(posting("p-2", debit("rent", "20.00"), credit("bank", "10.00"), credit("cash", "10.00")))
    assert_same(ledger.balance("cash"), Decimal("90.00"))


ORDER = [
    pytest.param(
        posting("p-1", debit("rent", "1.00")),
        DuplicatePostingError,
        "already posted",
        id="duplicate-before-anything-else",
    ),
    pytest.param(
        posting("p-2", debit("rent", "1.00")),
        PostingError,
        "a posting needs at least two lines",
        id="line-count-before-lines",
    ),
    pytest.param(
        posting("p-2", Line("nope", "sideways", Decimal("-1")), credit("cash", "1.00")),
        PostingError,
        "line 1: unknown account 'nope'",
        id="account-before-side",
    ),
    pytest.param(
        posting("p-2", Line("rent", "sideways", Decimal("-1")), credit("cash", "1.00")),
        PostingError,
        "line 1: side must be 'debit' or 'credit', not 'sideways'",
        id="side-before-amount",
    ),
    pytest.param(
        posting("p-2", debit("rent", "1.001"), credit("nope", "1.00")),
        PostingError,
        "line 1: amount 1.001 has more than two decimal places",
        id="lines-in-order",
    ),
    pytest.param(
        posting("p-2", debit("rent", "500.00"), credit("cash", "400.00")),
        UnbalancedPostingError,
        "debits 500.00 and credits 400.00 differ",
        id="balance-before-overdraft",
    ),
    pytest.param(
        posting("p-2", debit("rent", "300.00"), credit("cash", "150.00"), credit("bank", "150.00")),
        OverdraftError,
        "account 'cash' would go to -50.00",
        id="overdraft-last",
    ),
]


@pytest.mark.parametrize(("bad", "error", "reason"), ORDER)
def test_checks_run_in_the_documented_order(bad: Posting, error: type[PostingError], reason: str) -> None:
    ledger = funded()

    with pytest.raises(PostingError) as caught:
        ledger.post(bad)

    assert_same(type(caught.value).__name__, error.__name__)
    assert_same(caught.value.reason, reason)


# --- accounts -------------------------------------------------------------------------------


def test_opening_an_account_twice_is_refused_and_keeps_the_first() -> None:
    ledger = funded()

    with pytest.raises(LedgerError) as caught:
        ledger.open_account("cash", Kind.EXPENSE)

    assert_same(str(caught.value), "account 'cash' already exists")
    assert_same(ledger.account("cash").kind, Kind.ASSET)
    assert_same(ledger.balance("cash"), Decimal("100.00"))


@pytest.mark.parametrize("lookup", ["balance", "account"])
def test_an_unknown_account_is_named_in_the_error(lookup: str) -> None:
    ledger = books()

    with pytest.raises(UnknownAccountError) as caught:
        getattr(ledger, lookup)("petty")

    assert_same(caught.value.account, "petty")
    assert_same(str(caught.value), "unknown account 'petty'")
    assert isinstance(caught.value, LedgerError)


# --- the internal invariants ----------------------------------------------------------------


def test_invariants_hold_for_a_ledger_used_through_its_interface() -> None:
    ledger = funded()
    ledger.post(posting("p-2", debit("rent", "80.00"), credit("cash", "30.00"), credit("bank", "50.00")))
    with pytest.raises(PostingError):
        ledger.post(posting("p-3", debit("rent", "80.00"), credit("cash", "90.00")))

    ledger.check_invariants()  # raises nothing


def test_a_balance_changed_behind_the_ledgers_back_breaks_the_books() -> None:
    ledger = funded()
    ledger.account("cash").balance += Decimal("1.00")

    with pytest.raises(AssertionError):
        ledger.check_invariants()


def test_a_balance_that_disagrees_with_the_journal_is_caught_even_when_the_books_balance() -> None:
    # Moving 1.00 from one asset to another keeps debits equal to credits, but the journal
    # says otherwise.
    ledger = funded()
    ledger.account("cash").balance -= Decimal("1.00")
    ledger.account("bank").balance += Decimal("1.00")

    with pytest.raises(AssertionError):
        ledger.check_invariants()


def test_every_posting_checks_the_invariants_afterwards() -> None:
    ledger = funded()
    ledger.account("bank").balance += Decimal("1.00")

    with pytest.raises(AssertionError):
        ledger.post(posting("p-2", debit("rent", "5.00"), credit("bank", "5.00")))


# --- with `python -O`, which strips assert statements ---------------------------------------

OPTIMIZED = r'''
import json
import sys
from decimal import Decimal

from ledger import Kind, Ledger, Line, Posting

def books():
    ledger = Ledger()
    ledger.open_account("cash", Kind.ASSET, allow_negative=False)
    ledger.open_account("rent", Kind.EXPENSE)
    ledger.open_account("capital", Kind.EQUITY)
    ledger.post(Posting("p-1", (Line("cash", "debit", Decimal("100.00")), Line("capital", "credit", Decimal("100.00")))))
    return ledger

def attempt(*lines, posting_id="p-2", ledger=None):
    ledger = ledger or books()
    try:
        ledger.post(Posting(posting_id, tuple(lines)))
    except Exception as error:
        outcome = type(error).__name__
    else:
        outcome = "accepted"
    return {"outcome": outcome, "cash": str(ledger.balance("cash")), "postings": len(ledger.journal())}

results = {"optimize": sys.flags.optimize}
results["unbalanced"] = attempt(Line("rent", "debit", Decimal("30.00")), Line("cash", "credit", Decimal("20.00")))
results["float"] = attempt(Line("rent", "debit", Decimal("1.00")), Line("cash", "credit", 1.0))
results["negative"] = attempt(Line("rent", "debit", Decimal("-1.00")), Line("cash", "credit", Decimal("-1.00")))
results["one-line"] = attempt(Line("rent", "debit", Decimal("1.00")))
results["unknown"] = attempt(Line("rent", "debit", Decimal("1.00")), Line("till", "credit", Decimal("1.00")))
results["duplicate"] = attempt(Line("rent", "debit", Decimal("1.00")), Line("cash", "credit", Decimal("1.00")), posting_id="p-1")
results["overdraft"] = attempt(Line("rent", "debit", Decimal("130.00")), Line("cash", "credit", Decimal("130.00")))
results["valid"] = attempt(Line("rent", "debit", Decimal("30.00")), Line("cash", "credit", Decimal("30.00")))

corrupt = books()
corrupt.account("cash").balance += Decimal("1.00")
try:
    corrupt.check_invariants()
except AssertionError:
    results["invariants"] = "AssertionError"
else:
    results["invariants"] = "not checked"
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def optimized() -> dict[str, object]:
    """What the ledger does in an interpreter started with `python -O`."""
    folder = Path(ledger_module.__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": str(folder)}
    done = subprocess.run(
        [sys.executable, "-O", "-B", "-c", OPTIMIZED],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert done.returncode == 0, f"the ledger failed under python -O:\n{done.stderr[-2000:]}"
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(results, dict)
    assert results.pop("optimize") == 1
    return results


REFUSED_UNDER_O = [
    ("unbalanced", "UnbalancedPostingError"),
    ("float", "PostingError"),
    ("negative", "PostingError"),
    ("one-line", "PostingError"),
    ("unknown", "PostingError"),
    ("duplicate", "DuplicatePostingError"),
    ("overdraft", "OverdraftError"),
]


@pytest.mark.parametrize(("case", "error"), REFUSED_UNDER_O)
def test_input_is_still_refused_under_python_O(optimized: dict[str, object], case: str, error: str) -> None:
    assert_same(
        optimized[case],
        {"outcome": error, "cash": "100.00", "postings": 1},
        f"with asserts stripped, the {case} posting must still raise {error} and change nothing",
    )


def test_a_valid_posting_is_applied_under_python_O(optimized: dict[str, object]) -> None:
    assert_same(optimized["valid"], {"outcome": "accepted", "cash": "70.00", "postings": 2})


def test_the_invariant_checks_are_asserts_that_python_O_strips(optimized: dict[str, object]) -> None:
    assert_same(
        optimized["invariants"],
        "not checked",
        "check_invariants should use assert statements, which python -O leaves out",
    )
