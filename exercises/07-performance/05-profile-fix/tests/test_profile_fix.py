"""Tests for the profile-fix exercise.

These tests pin down WHAT the log report contains. The starter already passes them:
its problem is speed, which pygrade's timing check grades on a large log.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from pygrade_graders.compare import assert_same

from log_report import Report, Request, build_report, parse_line


def log_line(ip: str, path: str = "/", status: int = 200, size: str = "512") -> str:
    return f'{ip} - - [10/Mar/2025:13:55:36 +0000] "GET {path} HTTP/1.1" {status} {size}\n'


# --- parse_line -------------------------------------------------------------------


def test_parse_line_reads_every_field() -> None:
    line = '203.0.113.9 - - [10/Mar/2025:13:55:36 +0000] "POST /login HTTP/1.1" 302 154\n'

    assert_same(parse_line(line), Request("203.0.113.9", "POST", "/login", 302, 154))


def test_parse_line_counts_a_dash_size_as_zero() -> None:
    request = parse_line(log_line("198.51.100.7", status=304, size="-"))

    assert request is not None
    assert_same(request.size, 0)


@pytest.mark.parametrize(
    "line",
    [
        "garbage\n",
        '203.0.113.9 - - [10/Mar/2025:13:55:36 +0000] "GET / HTTP/1.1" OK 512\n',
        '203.0.113.9 - - [10/Mar/2025:13:55:36 +0000] "GET / HTTP/1.1" 200\n',
        "203.0.113.9 - - [truncated\n",
    ],
)
def test_parse_line_rejects_a_malformed_line(line: str) -> None:
    assert parse_line(line) is None


# --- build_report -----------------------------------------------------------------


def test_report_counts_requests_errors_and_bytes() -> None:
    lines = [
        log_line("10.0.0.1", status=200, size="100"),
        log_line("10.0.0.2", status=404, size="20"),
        log_line("10.0.0.1", status=500, size="-"),
        "not a log line\n",
        "\n",
        log_line("10.0.0.3", status=301, size="3"),
    ]
    report = build_report(lines)

    counts = (report.requests, report.malformed, report.errors, report.bytes_sent)
    assert_same(counts, (4, 1, 2, 123))


@pytest.mark.parametrize(("status", "errors"), [(399, 0), (400, 1), (401, 1)])
def test_an_error_is_a_status_of_400_or_more(status: int, errors: int) -> None:
    report = build_report([log_line("10.0.0.1", status=status)])
    assert_same(report.errors, errors)


def test_the_report_ranks_the_top_three_addresses_by_default() -> None:
    ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
    report = build_report([log_line(ip) for ip in ips])
    assert_same(len(report.top_ips), 3)


def test_top_ips_rank_by_count_then_by_address() -> None:
    ips = ["10.0.0.9"] * 3 + ["10.0.0.5"] * 2 + ["10.0.0.10"] * 2 + ["10.0.0.1"]
    report = build_report([log_line(ip) for ip in ips], top=3)

    # "10.0.0.10" < "10.0.0.5" as text, so it wins the tie.
    assert_same(report.top_ips, (("10.0.0.9", 3), ("10.0.0.10", 2), ("10.0.0.5", 2)))


@pytest.mark.parametrize(("top", "expected"), [(0, 0), (1, 1), (2, 2), (10, 2)])
def test_top_ips_holds_at_most_top_entries(top: int, expected: int) -> None:
    report = build_report([log_line("10.0.0.1"), log_line("10.0.0.2")], top=top)

    assert_same(len(report.top_ips), expected)


def test_a_negative_top_is_rejected() -> None:
    with pytest.raises(ValueError):
        build_report([log_line("10.0.0.1")], top=-1)


def test_an_empty_log_gives_an_empty_report() -> None:
    assert_same(build_report([]), Report(0, 0, 0, 0, ()))


def test_accepts_a_generator_and_leaves_a_list_unchanged() -> None:
    lines = [log_line("10.0.0.1"), log_line("10.0.0.2"), log_line("10.0.0.1")]
    copy = list(lines)

    from_list = build_report(lines)
    from_generator = build_report(line for line in copy)

    assert_same(from_generator, from_list)
    assert_same(lines, copy, "build_report must not modify its argument")


@pytest.mark.weight(2)
def test_a_larger_log_matches_counting_by_hand() -> None:
    rng = random.Random(5)
    ips = [f"192.0.2.{rng.randint(1, 40)}" for _ in range(600)]
    statuses = [rng.choice([200, 200, 304, 404, 503]) for _ in ips]
    lines = [log_line(ip, status=status, size="10") for ip, status in zip(ips, statuses)]

    report = build_report(lines, top=5)

    ranked = sorted(Counter(ips).items(), key=lambda item: (-item[1], item[0]))
    assert_same(
        report,
        Report(
            requests=600,
            malformed=0,
            errors=sum(status >= 400 for status in statuses),
            bytes_sent=6000,
            top_ips=tuple(ranked[:5]),
        ),
    )
