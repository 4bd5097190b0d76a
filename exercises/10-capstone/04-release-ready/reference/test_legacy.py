"""Characterisation tests: what the legacy aggregator does today, pinned before the rewrite."""

import pytest

from legacy_logagg import EndpointStats, Summary, normalise, parse_line, render, summarise

LOG = [
    "2026-12-01T10:00:00Z GET /api/orders/42 200 30",
    "2026-12-01T10:00:01Z GET /api/orders/7 503 90",
    "2026-12-01T10:00:02Z POST /api/orders 201 120",
    "garbage",
    "2026-12-01T10:00:03Z GET /api/orders/42 499 60",
]


@pytest.fixture
def summary() -> Summary:
    return summarise(LOG)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/orders/42", "/api/orders/{id}"),
        ("/api/orders", "/api/orders"),
        ("/v2/users/7/keys/9", "/v2/users/{id}/keys/{id}"),
        ("/api/orders/42a", "/api/orders/42a"),
        ("/", "/"),
    ],
)
def test_digit_segments_become_ids(path: str, expected: str) -> None:
    assert normalise(path) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "garbage",
        "2026-12-01T10:00:00Z GET /a 200",
        "2026-12-01T10:00:00Z GET /a 200 30 extra",
        "2026-12-01T10:00:00Z GET /a OK 30",
        "2026-12-01T10:00:00Z GET /a 200 -3",
    ],
)
def test_lines_that_are_no_request_are_none(line: str) -> None:
    assert parse_line(line) is None


def test_a_request_line_parses() -> None:
    assert parse_line("t GET /api/orders/42 200 30") == ("GET /api/orders/{id}", 200, 30)


def test_requests_are_grouped_by_endpoint(summary: Summary) -> None:
    assert sorted(summary.endpoints) == ["GET /api/orders/{id}", "POST /api/orders"]
    assert summary.skipped == 1


def test_an_endpoints_stats(summary: Summary) -> None:
    orders = summary.endpoints["GET /api/orders/{id}"]
    assert (orders.count, orders.total_ms, orders.max_ms) == (3, 180, 90)
    assert orders.mean_ms == 60.0


def test_only_server_errors_count_as_errors(summary: Summary) -> None:
    assert summary.endpoints["GET /api/orders/{id}"].errors == 1
    assert summarise(["t GET /a 500 1"]).endpoints["GET /a"].errors == 1


def test_the_longest_request_is_kept_whatever_the_order() -> None:
    for durations in ([5, 9, 2], [9, 5, 2], [2, 5, 9]):
        stats = summarise(f"t GET /a 200 {d}" for d in durations).endpoints["GET /a"]
        assert stats.max_ms == 9


def test_summarise_takes_any_iterable_once() -> None:
    summary = summarise(iter(LOG))
    expected = EndpointStats("POST /api/orders", 1, 0, 120, 120)
    assert summary.endpoints["POST /api/orders"] == expected


def test_the_report_puts_the_busiest_first_then_the_skipped(summary: Summary) -> None:
    assert render(summary) == (
        "GET /api/orders/{id}  count=3 errors=1 mean=60.0ms max=90ms\n"
        "POST /api/orders  count=1 errors=0 mean=120.0ms max=120ms\n"
        "skipped 1 malformed lines\n"
    )


def test_ties_are_ordered_by_name() -> None:
    report = render(summarise(["t GET /b 200 1", "t GET /a 200 3"]))
    assert report.splitlines() == [
        "GET /a  count=1 errors=0 mean=3.0ms max=3ms",
        "GET /b  count=1 errors=0 mean=1.0ms max=1ms",
    ]


def test_an_empty_log() -> None:
    assert render(summarise([])) == "no requests\n"
    assert render(summarise(["junk"])) == "skipped 1 malformed lines\n"
