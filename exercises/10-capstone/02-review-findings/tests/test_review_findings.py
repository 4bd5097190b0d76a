"""Tests for the audit report, one group per finding of the code review (see README.md).

Every test reaches a finding: the pull request as it was fails each of them.
"""

from __future__ import annotations

import datetime
import gc
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from pygrade_graders.compare import assert_same

from audit_report import AuditLogError, Event, UserActivity, load_events, summarise

UTC = datetime.UTC


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A moment of March 2024, in UTC."""
    return datetime.datetime(2024, 3, day, hour, minute, second, tzinfo=UTC)


def march(day: int) -> datetime.date:
    return datetime.date(2024, 3, day)


# A week of the audit log, not in time order (the log is merged from several servers).
WEEK = [
    Event(at(3, 23, 59), "ada", "login"),  # the day before the report
    Event(at(4, 0, 0), "ada", "login"),  # the first moment of the report
    Event(at(5, 10, 0), "bob", "login", ok=False),
    Event(at(5, 10, 1), "bob", "login", ok=False),
    Event(at(8, 17, 30), "ada", "export"),
    Event(at(5, 10, 2), "bob", "login"),
    Event(at(6, 12, 0), "carol", "view"),
    Event(at(7, 9, 0), "ada", "view"),
    Event(at(6, 8, 0), "dave", "login", ok=False),
    Event(at(6, 8, 5), "dave", "delete", ok=False),  # refused: not a login
    Event(at(8, 23, 59, 59), "carol", "view"),  # the last moment of the report
    Event(at(6, 9, 0), "al", "view"),
    Event(at(9, 0, 0), "bob", "view"),  # the day after the report
]

WEEK_REPORT = [
    UserActivity("ada", events=3, logins=1, failed_logins=0, last_seen=at(8, 17, 30)),
    UserActivity("bob", events=3, logins=3, failed_logins=2, last_seen=at(5, 10, 2)),
    UserActivity("carol", events=2, logins=0, failed_logins=0, last_seen=at(8, 23, 59, 59)),
    UserActivity("dave", events=2, logins=1, failed_logins=1, last_seen=at(6, 8, 5)),
    UserActivity("al", events=1, logins=0, failed_logins=0, last_seen=at(6, 9, 0)),
]


def write_log(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "audit.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line(**fields: object) -> str:
    return json.dumps(fields)


def leaked_files(path: Path, action: Callable[[], object]) -> list[str]:
    """Run `action` and return the ResourceWarnings of the file `path` that it left open.

    CPython warns when it frees a file object that is still open: at once when the last
    reference goes, or at the collection that frees a cycle (an exception's traceback).
    """
    gc.collect()  # files left open by earlier tests are not this test's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
        gc.collect()
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and str(path) in str(w.message)
    ]


# --- Finding 1: the end date is left out --------------------------------------------------


@pytest.mark.weight(3)
def test_finding_1_a_week_includes_its_first_and_last_day() -> None:
    assert_same(summarise(WEEK, march(4), march(8)), WEEK_REPORT)


@pytest.mark.weight(2)
def test_finding_1_a_report_of_one_day() -> None:
    assert_same(
        summarise(WEEK, march(5), march(5)),
        [UserActivity("bob", events=3, logins=3, failed_logins=2, last_seen=at(5, 10, 2))],
    )


def test_finding_1_a_period_without_events_is_an_empty_report() -> None:
    assert_same(summarise(WEEK, march(10), march(12)), [])
    assert_same(summarise([], march(1), march(31)), [])


# --- Finding 2: a bad line is silently skipped ----------------------------------------------

GOOD = line(ts="2024-03-04T09:00:00+00:00", user="ada", action="login")


@pytest.mark.weight(2)
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"ts": "2024-03-04T09:00:00+00:00", "user": ', "line 2: not valid JSON"),
        ("[1, 2]", "line 2: not a JSON object"),
        (line(ts="2024-03-04T09:00:00+00:00", action="view"), "line 2: missing field 'user'"),
        (line(user="ada", action="view"), "line 2: missing field 'ts'"),
        (line(ts="2024-03-04T09:00:00+00:00", user="ada"), "line 2: missing field 'action'"),
        (line(ts="yesterday", user="ada", action="view"), "line 2: bad timestamp 'yesterday'"),
        (line(ts=1709542800, user="ada", action="view"), "line 2: bad timestamp 1709542800"),
    ],
    ids=["json", "array", "no-user", "no-ts", "no-action", "bad-ts", "number-ts"],
)
def test_finding_2_a_bad_line_raises_audit_log_error(
    tmp_path: Path, bad: str, message: str
) -> None:
    path = write_log(tmp_path, GOOD, bad, GOOD)

    with pytest.raises(AuditLogError) as caught:
        load_events(path)

    assert_same(str(caught.value), message)
    assert_same(caught.value.line_number, 2)


def test_finding_2_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write_log(tmp_path, GOOD, "", "   ", "not json")

    with pytest.raises(AuditLogError) as caught:
        load_events(path)

    assert_same(str(caught.value), "line 4: not valid JSON")


@pytest.mark.parametrize(
    ("bad", "cause"),
    [("{oops", json.JSONDecodeError), (line(ts="soon", user="ada", action="view"), ValueError)],
    ids=["json", "timestamp"],
)
def test_finding_2_the_original_error_is_kept_as_the_cause(
    tmp_path: Path, bad: str, cause: type[Exception]
) -> None:
    with pytest.raises(AuditLogError) as caught:
        load_events(write_log(tmp_path, bad))

    assert isinstance(caught.value.__cause__, cause), "raise AuditLogError(...) from err"


# --- Finding 3: the log file is never closed ----------------------------------------------


@pytest.mark.weight(2)
def test_finding_3_events_load_and_the_file_is_closed(tmp_path: Path) -> None:
    path = write_log(
        tmp_path,
        line(ts="2024-03-05T10:00:00+00:00", user="bob", action="login", ok=False),
        "",
        line(ts="2024-03-04T00:00:00+00:00", user="ada", action="login", ok=True),
        line(ts="2024-03-06T12:00:00+01:00", user="carol", action="view"),
    )
    loaded: list[list[Event]] = []

    leaks = leaked_files(path, lambda: loaded.append(load_events(path)))

    assert_same(leaks, [], "open the log with `with`, so that it is closed however you leave")
    cet = datetime.timezone(datetime.timedelta(hours=1))
    assert_same(
        loaded[0],
        [
            Event(at(5, 10, 0), "bob", "login", ok=False),
            Event(at(4, 0, 0), "ada", "login", ok=True),
            Event(datetime.datetime(2024, 3, 6, 12, 0, tzinfo=cet), "carol", "view", ok=True),
        ],
    )


def test_finding_3_the_file_is_closed_after_a_bad_line(tmp_path: Path) -> None:
    path = write_log(tmp_path, GOOD, "not json", GOOD)

    def load_bad_log() -> None:
        with pytest.raises(AuditLogError):
            load_events(path)

    leaks = leaked_files(path, load_bad_log)

    assert_same(leaks, [], "the file must be closed when a line is bad, too")


# --- Finding 4: a period that ends before it starts -------------------------------------------


def test_finding_4_a_start_after_the_end_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        summarise(WEEK, march(9), march(4))
    assert_same(str(caught.value), "start 2024-03-09 is after end 2024-03-04")


# --- Finding 5: reports share their totals --------------------------------------------------


@pytest.mark.weight(2)
def test_finding_5_the_same_report_twice_is_the_same() -> None:
    first = summarise(WEEK, march(4), march(8))
    second = summarise(WEEK, march(4), march(8))

    assert_same(first, WEEK_REPORT)
    assert_same(second, WEEK_REPORT, "a second report must not add to the first one's counts")


def test_finding_5_a_report_shows_only_its_own_period() -> None:
    summarise(WEEK, march(5), march(5))

    assert_same(
        summarise(WEEK, march(6), march(6)),
        [
            UserActivity("dave", events=2, logins=1, failed_logins=1, last_seen=at(6, 8, 5)),
            UserActivity("al", events=1, logins=0, failed_logins=0, last_seen=at(6, 9, 0)),
            UserActivity("carol", events=1, logins=0, failed_logins=0, last_seen=at(6, 12, 0)),
        ],
    )


# --- Finding 6: the failure rate of a user without logins ---------------------------------


@pytest.mark.weight(2)
def test_finding_6_failure_rate() -> None:
    seen = at(6)

    assert_same(UserActivity("carol", 2, 0, 0, seen).failure_rate, 0.0, "no logins, no failures")
    assert_same(UserActivity("bob", 5, 4, 1, seen).failure_rate, 0.25)
    assert_same(UserActivity("dave", 1, 1, 1, seen).failure_rate, 1.0)
    assert_same(UserActivity("ada", 9, 8, 0, seen).failure_rate, 0.0)
