"""Tests for the Pythonic refactor exercise: the behaviour that the rewrite must keep."""

from __future__ import annotations

import pytest
from pygrade_graders.compare import assert_same

from incidents import (
    Incident,
    count_by_service,
    format_minutes,
    has_outage,
    minutes_by_service,
    pairs,
    parse_line,
    parse_log,
    render,
    services_with,
    worst,
)

LOG = [
    "# week 12\n",
    "billing|2|45|card payments failing\n",
    "\n",
    "search | 3 | 10 | slow suggestions \n",
    "billing|1|95|checkout down\n",
    "auth|3|5|token refresh errors\n",
    "   \n",
    "search|2|45|index stale\n",
]

BILLING_2 = Incident("billing", 2, 45, "card payments failing")
SEARCH_3 = Incident("search", 3, 10, "slow suggestions")
BILLING_1 = Incident("billing", 1, 95, "checkout down")
AUTH_3 = Incident("auth", 3, 5, "token refresh errors")
SEARCH_2 = Incident("search", 2, 45, "index stale")
ALL = [BILLING_2, SEARCH_3, BILLING_1, AUTH_3, SEARCH_2]


def test_parse_log_skips_blank_lines_and_comments() -> None:
    assert_same(parse_log(LOG), ALL)


@pytest.mark.parametrize("line", ["", "   \n", "# note", "   # indented note"])
def test_parse_line_of_nothing_is_none(line: str) -> None:
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("billing|2|45", r"^expected 4 fields, got 3: 'billing\|2\|45'$"),
        ("a|1|2|b|c", r"^expected 4 fields, got 5: 'a\|1\|2\|b\|c'$"),
        ("billing|high|45|x", r"^severity and minutes must be whole numbers: 'billing\|high\|45\|x'$"),
        ("billing|2|4.5|x", r"^severity and minutes must be whole numbers: 'billing\|2\|4.5\|x'$"),
    ],
)
def test_parse_line_rejects_a_bad_line(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_line(line)
    assert caught.value.__cause__ is None


def test_an_incident_has_no_tags_unless_given_and_never_shares_them() -> None:
    first = Incident("a", 1, 1, "x")
    second = Incident("b", 1, 1, "y")
    first.tags.append("db")

    assert_same(second.tags, [], "each incident must get a list of its own")
    assert_same(Incident("c", 1, 1, "z", ["net"]).tags, ["net"])


def test_count_by_service() -> None:
    assert_same(count_by_service(ALL), {"billing": 2, "search": 2, "auth": 1})
    assert_same(count_by_service([]), {})


def test_minutes_by_service() -> None:
    assert_same(minutes_by_service(ALL), {"billing": 140, "search": 55, "auth": 5})


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (3, [BILLING_1, BILLING_2, SEARCH_2]),
        (1, [BILLING_1]),
        (0, []),
        (-2, []),
        (10, [BILLING_1, BILLING_2, SEARCH_2, SEARCH_3, AUTH_3]),
    ],
)
def test_worst_orders_by_severity_then_minutes_then_title(
    limit: int, expected: list[Incident]
) -> None:
    assert_same(worst(ALL, limit), expected)


def test_worst_keeps_three_by_default_and_leaves_its_input_alone() -> None:
    incidents = list(ALL)

    assert_same(len(worst(incidents)), 3)
    assert_same(incidents, ALL)


def test_has_outage() -> None:
    assert has_outage(ALL) is True
    assert has_outage([BILLING_2, AUTH_3]) is False
    assert has_outage([]) is False


def test_services_with_a_severity() -> None:
    assert_same(services_with(ALL, 2), ["billing", "search"])
    assert_same(services_with(ALL, 3), ["auth", "search"])
    assert_same(services_with(ALL, 4), [])


@pytest.mark.parametrize(
    ("value", "text"),
    [(95, "1h35m"), (40, "40m"), (0, "0m"), (60, "1h00m"), (125.9, "2h05m"), (59.99, "59m"),
     (None, "-"), (600, "10h00m")],
)
def test_format_minutes(value: float | None, text: str) -> None:
    assert_same(format_minutes(value), text)


def test_render_lists_each_service_in_order_of_name() -> None:
    assert_same(
        render(ALL, "Incidents, week 12"),
        "Incidents, week 12\n"
        "  auth: 1 incident, 5m\n"
        "  billing: 2 incidents, 2h20m\n"
        "  search: 2 incidents, 55m\n",
    )


def test_render_lists_the_tags_last() -> None:
    assert_same(
        render([AUTH_3], "Week 13", ["db", "network"]),
        "Week 13\n  auth: 1 incident, 5m\ntags: db, network\n",
    )


def test_render_of_no_incidents() -> None:
    assert_same(render([], "Quiet week"), "Quiet week\n")


@pytest.mark.parametrize(
    ("items", "expected"),
    [(["a", "b", "c"], [("a", "b"), ("b", "c")]), (["a"], []), ([], [])],
)
def test_pairs(items: list[str], expected: list[tuple[str, str]]) -> None:
    assert_same(pairs(items), expected)
