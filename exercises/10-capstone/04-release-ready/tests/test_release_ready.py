"""The release-ready aggregator keeps the legacy behaviour, through the package's interface."""

import io
from collections.abc import Iterator

import pytest

from logagg.cli import main
from logagg.core import EndpointStats, Summary, render, summarise

LOG = [
    "2026-12-01T10:00:00Z GET /api/orders/42 200 30",
    "2026-12-01T10:00:01Z GET /api/orders/7 503 90",
    "2026-12-01T10:00:02Z POST /api/orders 201 120",
    "garbage",
    "2026-12-01T10:00:03Z GET /api/orders/42 499 60",
    "2026-12-01T10:00:04Z GET /v2/users/7/keys/9 500 10",
    "2026-12-01T10:00:05Z GET /api/orders/42a 200 5",
]


def test_requests_are_grouped_by_endpoint_with_ids_folded() -> None:
    summary = summarise(LOG)
    assert sorted(summary.endpoints) == [
        "GET /api/orders/42a",
        "GET /api/orders/{id}",
        "GET /v2/users/{id}/keys/{id}",
        "POST /api/orders",
    ]


def test_an_endpoints_stats() -> None:
    summary = summarise(LOG)
    assert summary.endpoints["GET /api/orders/{id}"] == EndpointStats(
        "GET /api/orders/{id}", count=3, errors=1, total_ms=180, max_ms=90
    )
    assert summary.endpoints["GET /api/orders/{id}"].mean_ms == 60.0
    assert summary.endpoints["GET /v2/users/{id}/keys/{id}"].errors == 1


@pytest.mark.parametrize(
    "line",
    [
        "",
        "garbage",
        "t GET /a 200",
        "t GET /a 200 30 extra",
        "t GET /a OK 30",
        "t GET /a 200 -3",
        "t GET /a 200 3.5",
    ],
)
def test_lines_that_are_no_request_are_skipped(line: str) -> None:
    summary = summarise([line, "t GET /a 200 1"])
    assert (summary.skipped, list(summary.endpoints)) == (1, ["GET /a"])


def test_the_longest_request_is_kept_whatever_the_order() -> None:
    for durations in ([5, 9, 2], [9, 5, 2], [2, 5, 9]):
        stats = summarise(f"t GET /a 200 {d}" for d in durations).endpoints["GET /a"]
        assert (stats.max_ms, stats.total_ms) == (9, 16)


def test_the_log_is_read_once_one_line_at_a_time() -> None:
    read: list[int] = []

    def lines() -> Iterator[str]:
        for i in range(3):
            read.append(i)
            yield f"t GET /a 200 {i}"

    summary = summarise(lines())
    assert read == [0, 1, 2]
    assert summary.endpoints["GET /a"].count == 3


def test_the_report() -> None:
    assert render(summarise(LOG)) == (
        "GET /api/orders/{id}  count=3 errors=1 mean=60.0ms max=90ms\n"
        "GET /api/orders/42a  count=1 errors=0 mean=5.0ms max=5ms\n"
        "GET /v2/users/{id}/keys/{id}  count=1 errors=1 mean=10.0ms max=10ms\n"
        "POST /api/orders  count=1 errors=0 mean=120.0ms max=120ms\n"
        "skipped 1 malformed lines\n"
    )


def test_the_mean_keeps_one_decimal() -> None:
    report = render(summarise(["t GET /a 200 1", "t GET /a 200 2", "t GET /a 200 2"]))
    assert report == "GET /a  count=3 errors=0 mean=1.7ms max=2ms\n"


def test_an_empty_log() -> None:
    assert render(Summary()) == "no requests\n"
    assert render(summarise(["junk", "more junk"])) == "skipped 2 malformed lines\n"


def test_the_command_reads_stdin_and_prints_the_report(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(LOG) + "\n"))
    assert main([]) == 0
    assert capsys.readouterr().out == render(summarise(LOG))


def test_the_command_rejects_unknown_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--frobnicate"])
    assert exited.value.code == 2
    assert "usage: logagg" in capsys.readouterr().err
